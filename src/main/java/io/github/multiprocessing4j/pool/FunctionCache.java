package io.github.multiprocessing4j.pool;

import java.util.ArrayDeque;

/**
 * The pool's recently serialized stateless functions, so that a loop of
 * {@code applyAsync(Task::run)} serializes its function once in the caller's thread, not once per
 * task. Apart from {@link WorkerFunctions}, which saves sending a function again to a worker;
 * this saves encoding it again. Thread-safe.
 */
final class FunctionCache {

  /** Most recent last; guarded by itself. */
  private final ArrayDeque<PoolFunction> recent = new ArrayDeque<>();
  /**
   * Functions that arrived serialized, by their serialized form, so that a map's chunks from a
   * caller elsewhere define their function once per worker here; guarded by itself.
   */
  private final java.util.LinkedHashMap<java.nio.ByteBuffer, PoolFunction> arrived = PoolProtocol.functionTable();

  /**
   * The function of a DEFINE message from elsewhere; the same form gives the same function.
   *
   * @param define the message
   * @return the function
   * @throws IllegalArgumentException if it is not a DEFINE message
   */
  PoolFunction fromMessage(byte[] define) {
    java.nio.ByteBuffer key = define == null || define.length < PoolProtocol.FUNCTION_AT ? null
        : java.nio.ByteBuffer.wrap(define, PoolProtocol.FUNCTION_AT, define.length - PoolProtocol.FUNCTION_AT).slice();
    synchronized (arrived) {
      PoolFunction f = key == null ? null : arrived.get(key);
      if (f == null) {
        f = PoolFunction.fromMessage(define);
        arrived.put(key, f);
      }
      return f;
    }
  }

  /**
   * Serializes a function for tasks, in the caller's thread, or gives the form serialized before
   * for the same object when that may be reused ({@link PoolFunction#reusable}).
   *
   * @param fn the function
   * @param what names it in an error message
   * @return the serialized function
   * @throws IllegalArgumentException if it cannot be serialized
   */
  PoolFunction get(Object fn, String what) {
    synchronized (recent) {
      for (PoolFunction f : recent) {
        if (f.fn == fn) {
          return f;
        }
      }
    }
    PoolFunction f = PoolFunction.of(fn, what);
    if (f.reusable) {
      synchronized (recent) {
        recent.addLast(f);
        if (recent.size() > PoolProtocol.FUNCTIONS) {
          recent.removeFirst();
        }
      }
    }
    return f;
  }
}
