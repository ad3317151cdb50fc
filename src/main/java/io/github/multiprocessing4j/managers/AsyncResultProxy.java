package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The pending result of work given to a managed pool ({@link PoolProxy#applyAsync},
 * {@link PoolProxy#mapAsync}, {@link PoolProxy#starmapAsync}): a proxy of a
 * {@link io.github.multiprocessing4j.pool.AsyncResult} that stays in the manager's process, as
 * CPython's manager returns its {@code AsyncResult} through a proxy. Its type id,
 * {@link SyncManager#ASYNC_RESULT}, is registered with {@code createMethod(false)}: such results
 * come only from a pool's methods.
 *
 * <p>Every wait happens in the manager's process. A task that threw gives an
 * {@link ExecutionException} whose cause is the task's own exception; a pool terminated first
 * gives a {@link java.util.concurrent.CancellationException}. While a result's proxy holds its
 * reference, the pool it came from is not terminated for want of references. Thread-safe.
 *
 * @param <T> the result type
 */
public interface AsyncResultProxy<T> extends Future<T> {

  /**
   * Tells whether the work has finished, successfully or not: CPython's {@code ready()}.
   *
   * @return whether it has finished
   */
  boolean ready();

  /**
   * Tells whether the work finished without an exception: CPython's {@code successful()}.
   *
   * @return true if it succeeded
   * @throws IllegalStateException {@code "... not ready"} if it has not finished
   */
  boolean successful();

  /**
   * Waits until the work has finished: CPython's {@code wait()}.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void await() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the work to finish: CPython's {@code wait(timeout)}.
   *
   * @param timeout how long to wait
   * @return whether it has finished
   * @throws InterruptedException if interrupted while waiting
   */
  boolean await(Duration timeout) throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the result: CPython's {@code get(timeout)}.
   *
   * @param timeout how long to wait
   * @return a copy of the result
   * @throws TimeoutException if it has not finished in time; the work goes on
   * @throws ExecutionException if the work failed; the cause says why
   * @throws java.util.concurrent.CancellationException if its pool was terminated first
   * @throws InterruptedException if interrupted while waiting
   */
  T get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException;
}
