package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.util.List;

/**
 * The start methods and the process-wide default, with CPython's rules for setting it: once fixed
 * (set, or read without {@code allowNone}) it can only be changed with {@code force}.
 */
final class StartMethods {

  /** A cold JVM for every process. */
  static final String SPAWN = "spawn";
  /** A spare JVM, started ahead of time, takes the process; see {@link Spares}. */
  static final String FORKSERVER = "forkserver";
  static final List<String> ALL = List.of(SPAWN, FORKSERVER);
  /** The default when nothing was set: an explicit choice of the whole JVM, e.g. for a test run. */
  private static final String PROPERTY = Tunable.START_METHOD.key();

  /** As CPython's child: the method it was started with is its own (read lazily, once a child). */
  private static String current = ProcessRuntime.inheritedStartMethod; // guarded by the class

  private StartMethods() {}

  static String check(String method) {
    if (method == null || !ALL.contains(method)) {
      throw new IllegalArgumentException("cannot find context for '" + method + "'");
    }
    return method;
  }

  /**
   * The class name CPython gives a process of a concrete context, and the prefix of its default
   * name: {@code SpawnProcess}, {@code ForkServerProcess}.
   */
  static String processType(String method) {
    return (method.equals(FORKSERVER) ? "ForkServer" : "Spawn") + "Process";
  }

  static synchronized void set(String method, boolean force) {
    if (current != null && !force) {
      throw new IllegalStateException("context has already been set");
    }
    current = method == null ? null : check(method);
  }

  static synchronized String get(boolean allowNone) {
    if (current == null && !allowNone) {
      current = check(System.getProperty(PROPERTY, SPAWN));
    }
    return current;
  }
}
