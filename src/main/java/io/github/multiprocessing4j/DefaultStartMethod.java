package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.Tunable;

/**
 * The process-wide start method, with CPython's rules for setting it: once fixed (set, or read
 * without {@code allowNone}) it can only be changed with {@code force}.
 */
final class DefaultStartMethod {

  /** The default when nothing was set: an explicit choice of the whole JVM, e.g. for a test run. */
  private static final String PROPERTY = Tunable.START_METHOD.key();

  /** As CPython's child: the method it was started with is its own (read lazily, once a child). */
  private static StartMethod current = inherited(); // guarded by the class

  private DefaultStartMethod() {}

  private static StartMethod inherited() {
    String m = ProcessRuntime.inheritedStartMethod;
    return m == null ? null : StartMethod.of(m);
  }

  static synchronized void set(StartMethod method, boolean force) {
    if (current != null && !force) {
      throw new IllegalStateException("context has already been set");
    }
    current = method;
  }

  /** The method, fixing the default; or null if none was fixed and {@code allowNone}. */
  static synchronized StartMethod get(boolean allowNone) {
    if (current == null && !allowNone) {
      current = StartMethod.of(System.getProperty(PROPERTY, StartMethod.SPAWN.cpythonName));
    }
    return current;
  }

  /** CPython's name of {@link #get(boolean)}, or null. */
  static String name(boolean allowNone) {
    StartMethod m = get(allowNone);
    return m == null ? null : m.cpythonName;
  }
}
