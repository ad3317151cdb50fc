package io.github.multiprocessing4j.pool;

import java.util.concurrent.RejectedExecutionException;

/**
 * A pool that can no longer run work: CPython's
 * {@code concurrent.futures.process.BrokenProcessPool}. A {@link ProcessPoolExecutor} breaks when
 * one of its workers ends abruptly; either kind of pool breaks when an initializer fails or a
 * worker process ends before it was ready (a bad JVM option, say), instead of starting
 * replacements forever as CPython's {@code Pool} does.
 *
 * <p>Thrown by a submission to a broken pool (hence a {@link RejectedExecutionException}, as the
 * {@link java.util.concurrent.ExecutorService} contract asks), and given as the cause of the
 * {@link java.util.concurrent.ExecutionException} of every task that was pending or running when
 * the pool broke.
 */
public class BrokenProcessPoolException extends RejectedExecutionException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what broke the pool
   * @param cause the initializer's exception or the worker's failure, or {@code null}
   */
  public BrokenProcessPoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
