package io.github.multiprocessing4j.pool;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The results of {@link Pool#imap}, {@link Pool#imapUnordered} and
 * {@link ProcessPoolExecutor#map}, one at a time as they become available: CPython's
 * {@code IMapIterator}.
 *
 * <p>{@link #next()} waits as long as it takes and reports a failed item as an unchecked
 * {@link java.util.concurrent.CompletionException} whose cause is the task's exception (the
 * convention of {@link java.util.concurrent.CompletableFuture#join()}); iteration may go on after
 * it. {@link #next(Duration)} is CPython's {@code next(timeout)} with checked exceptions. An
 * exception thrown by the input iterable is reported the same way after the results of the chunks
 * read before it, and ends the iteration; as in CPython, the items of the chunk it interrupted
 * (read before it, with a {@code chunksize} above 1) give no results.
 *
 * <p>{@link #hasNext()} waits until the next result or the end is known; interrupted (or past the
 * deadline of the executor's {@code map}), it returns {@code true} with the interrupt status set,
 * so that {@code next()} reports it: a for-each loop over a stuck iterator can be interrupted.
 *
 * <p>An iterator is meant for one consuming thread at a time, but may be handed between threads.
 *
 * @param <T> the result type
 */
public interface ResultIterator<T> extends Iterator<T> {

  /**
   * Waits at most {@code timeout} for the next result.
   *
   * @param timeout how long to wait
   * @return the next result
   * @throws java.util.NoSuchElementException if there are no more results (StopIteration)
   * @throws TimeoutException if none arrived in time (CPython's {@code multiprocessing.TimeoutError});
   *     the same result can be asked for again
   * @throws ExecutionException if the item failed; the cause says why
   * @throws java.util.concurrent.CancellationException if the pool was terminated first
   * @throws InterruptedException if interrupted while waiting
   */
  T next(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException;

  /**
   * Waits for the next result.
   *
   * @return the next result
   * @throws java.util.NoSuchElementException if there are no more results
   * @throws java.util.concurrent.CompletionException if the item failed, with the task's exception
   *     as its cause; or if interrupted, with an {@link InterruptedException} cause (the thread's
   *     interrupt status is set again)
   * @throws java.util.concurrent.CancellationException if the pool was terminated first
   */
  @Override
  T next();
}
