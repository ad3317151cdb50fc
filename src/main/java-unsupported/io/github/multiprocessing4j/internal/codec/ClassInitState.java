package io.github.multiprocessing4j.internal.codec;

import java.lang.reflect.Field;

/**
 * Tells whether a class is still uninitialised without initialising it, through
 * {@code sun.misc.Unsafe.shouldBeInitialized}, which exists on JDK 17 to 21 (JDK 22 removed it).
 *
 * <p>Why a direct call: binding and invoking a method handle made from the reflected method, as
 * the main sources would have to, spins lambda-form classes, 9 to 10 ms of a new JDK 17 JVM on the
 * way to a pool worker's first result; this call, with the reflective read of the instance, costs
 * 1.4 ms. In a source root of its own for the reason {@code SigtermHalt} gives (javac warns about
 * {@code sun.misc} on every use, and the main sources compile with {@code -Werror}); the main
 * compilation sees this class through {@code --patch-module}.
 *
 * <p>Thread-safe: the instance is read once, in the class's initialiser.
 */
final class ClassInitState {

  /** The instance, or null where it cannot be had: JDK 22 or later, or no access to it. */
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private ClassInitState() {}

  /**
   * Whether {@code c} is known not to be initialised yet.
   *
   * @param c the class; not initialised by this call
   * @return true if it is uninitialised; false if it is initialised, or where this cannot be told
   */
  @SuppressWarnings("removal")
  static boolean knownUninitialised(Class<?> c) {
    if (UNSAFE == null) {
      return false;
    }
    try {
      return UNSAFE.shouldBeInitialized(c);
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static sun.misc.Unsafe unsafe() {
    if (Runtime.version().feature() >= 22) {
      return null; // the method is gone
    }
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null; // e.g. a module that does not read jdk.unsupported: Config then always answers
    }
  }
}
