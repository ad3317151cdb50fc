package io.github.multiprocessing4j.internal.codec;

import java.io.ObjectInputFilter;
import java.security.Security;

/**
 * The JVM-wide deserialization filter, {@link ObjectInputFilter.Config#getSerialFilter()}, which
 * the library's filters defer to, read without initialising {@code Config} while that would tell
 * nothing new.
 *
 * <p>Why: {@code Config}'s static initialiser calls {@code System.getLogger}, whose first call looks
 * for a logging backend with a {@code ServiceLoader} over every jar of the class path: 75 to 117 ms
 * in a new pool worker with 20 jars, the largest single cost of its first result. Until something
 * initialises {@code Config}, nothing can have set its filter, so it would be the one its
 * {@code jdk.serialFilter} property names (a system property, else a security property), if any.
 * So while {@code Config} is not initialised and that property is set nowhere, the answer is
 * {@code null} without asking it; otherwise {@code Config} answers, and from the first time it
 * does, always. Whether {@code Config} is initialised is asked of {@code sun.misc.Unsafe}
 * ({@link ClassInitState}), which can tell on JDK 17 to 21; where it cannot, {@code Config} always
 * answers, as before.
 *
 * <p>Thread-safe. A filter set by another thread while a message is being decoded applies from the
 * next message on, as a filter set while an {@code ObjectInputStream} is open does not apply to it.
 */
final class JvmWideFilter {

  /** The JDK's property for the JVM-wide filter, read by {@code Config} when it initialises. */
  static final String PROPERTY = "jdk.serialFilter";

  /** Set once {@code Config} has answered: it is initialised, and answers from then on. */
  private static volatile boolean viaConfig;

  private JvmWideFilter() {}

  /**
   * Whether {@code Config} is known to be initialised: it has answered, or an
   * {@code ObjectInputStream} (whose constructor asks it) was made through the library.
   */
  static boolean configInitialised() {
    return viaConfig;
  }

  /** Notes that {@code Config} is initialised: an {@code ObjectInputStream} was just made. */
  static void configAnswers() {
    viaConfig = true;
  }

  /**
   * Returns what {@link ObjectInputFilter.Config#getSerialFilter()} returns, or would return once
   * initialised.
   *
   * @return the JVM-wide filter, or null if there is none
   */
  static ObjectInputFilter get() {
    if (!viaConfig) {
      if (System.getProperty(PROPERTY) == null && Probe.configUninitialised() && !Probe.SECURITY_PROPERTY) {
        return null;
      }
      viaConfig = true;
    }
    return ObjectInputFilter.Config.getSerialFilter();
  }

  /** Loaded only while {@code Config} may not be initialised. */
  private static final class Probe {
    /**
     * Whether this JDK can tell if {@code Config} is initialised: 17 to 21. Checked first, so that
     * from JDK 22 on nothing of {@code sun.misc.Unsafe} is even loaded.
     */
    private static final boolean CAN_TELL = Runtime.version().feature() < 22;
    /** Whether the security property is set: read once, as {@code Config} reads it once. */
    static final boolean SECURITY_PROPERTY = !CAN_TELL || Security.getProperty(PROPERTY) != null;

    /** Tells whether {@code Config} is known not to be initialised; false when it cannot be told. */
    static boolean configUninitialised() {
      if (!CAN_TELL) {
        return false;
      }
      try {
        // A class literal does not initialise the class.
        return ClassInitState.knownUninitialised(ObjectInputFilter.Config.class);
      } catch (LinkageError e) {
        return false; // ClassInitState missing or unlinkable: Config answers
      }
    }
  }
}
