package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.Multiprocessing;
import java.time.Duration;

/**
 * CPython's conventions that the synchronisation classes follow alike: how {@code block} and
 * {@code timeout} arguments become a wait, and the parts their reprs are made of. Apart from
 * {@link CellRegistry}, which is about shared memory, not about Python's words.
 */
final class PythonForms {

  private PythonForms() {}

  /**
   * CPython's timeout rules in nanoseconds: no blocking means 0 whatever the timeout, null means
   * for ever, negative means 0.
   */
  static long nanos(boolean block, Duration timeout) {
    if (!block) {
      return 0;
    }
    if (timeout == null) {
      return Long.MAX_VALUE;
    }
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** CPython's owner name: the process's name, and {@code |thread} unless it is the main thread. */
  static String ownerName() {
    String name = Multiprocessing.currentProcess().name();
    String thread = Thread.currentThread().getName();
    return "main".equals(thread) ? name : name + "|" + thread;
  }

  static String hex(Object o) {
    return "0x" + Integer.toHexString(System.identityHashCode(o));
  }
}
