package io.github.multiprocessing4j.pool;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The pending result of work given to a {@link Pool} or a {@link ProcessPoolExecutor}: CPython's
 * {@code AsyncResult}, which is also a {@link Future}.
 *
 * <p>A task that threw completes exceptionally: {@link #get()} throws an
 * {@link ExecutionException} whose cause is the task's own exception, deserialized with the
 * worker's stack trace, or a {@link io.github.multiprocessing4j.RemoteException} when its class
 * cannot be deserialized here. A worker that died while running the task gives a
 * {@link WorkerDiedException} cause; a result that could not be serialized, a
 * {@link MaybeEncodingException}; a broken executor, a {@link BrokenProcessPoolException}.
 *
 * <p>{@link #cancel(boolean)} succeeds only for work not yet sent to a worker, as CPython's
 * {@code Future.cancel()}; running work is never interrupted. {@link Pool#terminate()} cancels
 * whatever is unfinished, so {@code get()} then throws
 * {@link java.util.concurrent.CancellationException} instead of hanging as CPython's does.
 *
 * <p>Instances are thread-safe.
 *
 * @param <T> the result type
 */
public interface AsyncResult<T> extends Future<T> {

  /**
   * Tells whether the work has finished, successfully or not; CPython's {@code ready()}.
   *
   * @return the same as {@link #isDone()}
   */
  boolean ready();

  /**
   * Tells whether the work finished without an exception; CPython's {@code successful()}.
   *
   * @return true if it succeeded
   * @throws IllegalStateException {@code "<this> not ready"} if it has not finished
   */
  boolean successful();

  /**
   * Waits until the work has finished; CPython's {@code wait()}, renamed because
   * {@link Object#wait()} is taken.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void await() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the work to finish; CPython's {@code wait(timeout)}.
   *
   * @param timeout how long to wait; zero or negative does not wait
   * @return whether it has finished
   * @throws InterruptedException if interrupted while waiting
   */
  boolean await(Duration timeout) throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the result; CPython's {@code get(timeout)}.
   *
   * @param timeout how long to wait
   * @return the result
   * @throws TimeoutException if it has not finished in time (CPython's
   *     {@code multiprocessing.TimeoutError}); the work goes on
   * @throws ExecutionException if the work failed; the cause says why
   * @throws java.util.concurrent.CancellationException if it was cancelled or its pool terminated
   * @throws InterruptedException if interrupted while waiting
   */
  T get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException;

  /**
   * Returns a {@link CompletableFuture} that completes with this result, for composition. It is a
   * view: completing or cancelling it does not affect the work.
   *
   * @return a new dependent future
   */
  CompletableFuture<T> toCompletableFuture();
}
