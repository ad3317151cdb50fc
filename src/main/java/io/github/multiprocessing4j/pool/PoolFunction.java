package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.Messages;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function serialized once for the tasks that use it, with the DEFINE message a worker needs
 * before the first of them.
 */
final class PoolFunction {

  private static final AtomicInteger IDS = new AtomicInteger();

  /** Whether instances of a class carry no state, so one serialized form serves every call. */
  private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers())) {
            return false;
          }
        }
      }
      return true;
    }
  };

  final int id = IDS.incrementAndGet();
  final Object fn;
  final byte[] define;
  /** Whether later calls with the same object may use this serialized form. */
  final boolean reusable;

  private PoolFunction(Object fn, byte[] encoded) {
    this.fn = fn;
    this.define = PoolProtocol.define(id, encoded);
    this.reusable = STATELESS.get(fn.getClass());
  }

  /** A function that arrived serialized (a cluster member runs it for a caller elsewhere). */
  private PoolFunction(byte[] encoded) {
    this.fn = null;
    this.define = PoolProtocol.define(id, encoded);
    this.reusable = true;
  }

  /**
   * A function from a DEFINE message made elsewhere, under a fresh id of this JVM.
   *
   * @param define the message
   * @return the function, never deserialized here
   */
  static PoolFunction fromMessage(byte[] define) {
    if (define == null || define.length < PoolProtocol.FUNCTION_AT || define[0] != PoolProtocol.DEFINE) {
      throw new IllegalArgumentException("a task arrived without its function's definition");
    }
    return new PoolFunction(java.util.Arrays.copyOfRange(define, PoolProtocol.FUNCTION_AT, define.length));
  }

  /**
   * Serializes a function. Its pool may reuse the result for the same object when it is
   * {@link #reusable}: stateless, as a non-capturing lambda or method reference is (one instance
   * per call site), so a loop of {@code applyAsync(Task::run)} serializes it once. A capturing
   * lambda is serialized each time, since what it captured may have changed.
   *
   * @param fn the function
   * @param what names it in an error message, e.g. {@code "the function given to map"}
   * @return the serialized function
   * @throws IllegalArgumentException naming {@code what} and the class if it cannot be serialized
   */
  public static PoolFunction of(Object fn, String what) {
    byte[] encoded;
    try {
      encoded = Messages.encode(fn, what + " cannot be sent to a worker process");
    } catch (IllegalArgumentException e) {
      String why = NotSerializableLambda.explain(fn);
      if (why == null) {
        throw e;
      }
      throw new IllegalArgumentException(what + " cannot be sent to a worker process: " + why, e);
    }
    return new PoolFunction(fn, encoded);
  }
}
