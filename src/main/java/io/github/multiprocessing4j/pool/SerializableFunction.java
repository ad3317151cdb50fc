package io.github.multiprocessing4j.pool;

import java.io.Serializable;

/**
 * A one-argument function that can be sent to a worker process, for {@code map} and its kin: a
 * lambda, a method reference or an instance of a named class. Unlike
 * {@link java.util.function.Function} it may throw a checked exception, which reaches the caller
 * as the cause of an {@link java.util.concurrent.ExecutionException}.
 *
 * <p>Whatever a lambda captures must be serializable, or the call that submits it fails in the
 * caller's thread naming the offending class.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {

  /**
   * Applies the function, in a worker process.
   *
   * @param t the argument
   * @return the result, which must be serializable (or {@code null})
   * @throws Exception any exception, which fails this item's task
   */
  R apply(T t) throws Exception;
}
