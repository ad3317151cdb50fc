package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.pool.SerializableFunction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * A managed pool: CPython's {@code manager.Pool(processes)}, a
 * {@link io.github.multiprocessing4j.pool.Pool} made in the manager's process, whose workers are
 * that process's children, used through this proxy from any process that holds it.
 *
 * <pre>{@code
 * PoolProxy pool = manager.pool(2);
 * List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));      // [1, 4, 9]
 * AsyncResultProxy<Integer> r = pool.applyAsync(() -> 6 * 7);
 * r.get(Duration.ofSeconds(10));                                       // 42
 * }</pre>
 *
 * <p><b>Functions</b> are the pool package's {@link SerializableFunction}s and
 * {@link SerializableCallable}s: serialized in the caller's thread (one that captures what cannot
 * be serialized fails the call there with an {@link IllegalArgumentException} naming it), then
 * sent on to a worker by the manager. Their classes must be on the manager's class path, as they
 * are when it was started by this program. The items and results travel twice, as copies.
 *
 * <p><b>Lifetime.</b> {@link #shutdown()}, {@link #terminate()} and {@link #join()} are the
 * pool's. The pool is also terminated when no proxy holds a reference to it (this proxy and those
 * of its pending results closed or collected, their processes ended), and when the manager shuts
 * down: no worker outlives the manager. {@code ((BaseProxy) pool).close()} drops this proxy's
 * reference, as CPython's {@code with manager.Pool() as p:} terminates at the end of the block.
 *
 * <p>Thread-safe. A blocking call ({@code apply}, {@code map}, {@code join}) waits in the
 * manager's process, holding one of this process's connections.
 */
public interface PoolProxy {

  /**
   * Runs a task in a worker and waits for its result: CPython's {@code apply(f)}.
   *
   * @param <R> the result type
   * @param task the task; serializable
   * @return a copy of its result
   * @throws ExecutionException if it failed; the cause says why
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  <R> R apply(SerializableCallable<R> task) throws InterruptedException, ExecutionException;

  /**
   * Submits a task: CPython's {@code apply_async(f)}.
   *
   * @param <R> the result type
   * @param task the task; serializable
   * @return a proxy of its pending result
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  <R> AsyncResultProxy<R> applyAsync(SerializableCallable<R> task);

  /**
   * Applies {@code fn} to every item in the workers and returns the results in input order:
   * CPython's {@code map(f, iterable)}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items, sent as a copy (a serializable collection)
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items)
      throws InterruptedException, ExecutionException;

  /**
   * As {@link #map(SerializableFunction, Iterable)}, with {@code chunksize} items per task.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items, sent as a copy
   * @param chunksize items per task, at least 1
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalArgumentException if {@code chunksize < 1}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize)
      throws InterruptedException, ExecutionException;

  /**
   * Submits a map: CPython's {@code map_async(f, iterable)}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items, sent as a copy
   * @return a proxy of the pending list of results
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  <T, R> AsyncResultProxy<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items);

  /**
   * Calls {@code fn} with each list of arguments, as the positional {@link Args}, and returns the
   * results in input order: CPython's {@code starmap(f, iterable_of_tuples)}.
   *
   * @param <R> the result type
   * @param fn the function; serializable
   * @param argLists the argument lists, sent as a copy
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if something cannot be serialized
   */
  <R> List<R> starmap(SerializableFunction<Args, ? extends R> fn, Iterable<? extends List<?>> argLists)
      throws InterruptedException, ExecutionException;

  /**
   * Submits a starmap: CPython's {@code starmap_async(f, iterable_of_tuples)}.
   *
   * @param <R> the result type
   * @param fn the function; serializable
   * @param argLists the argument lists, sent as a copy
   * @return a proxy of the pending list of results
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if something cannot be serialized
   */
  <R> AsyncResultProxy<List<R>> starmapAsync(SerializableFunction<Args, ? extends R> fn,
      Iterable<? extends List<?>> argLists);

  /**
   * Runs {@code fn} on each item in the workers and returns their results in the items' order as
   * they come: CPython's {@code imap(f, iterable)}, whose iterator stays in the manager's process
   * (type id {@link SyncManager#ITERATOR}); each {@code hasNext()} and {@code next()} is a call to
   * it, and each result a copy. {@code forEachRemaining} runs here, the action in this process. A
   * {@code next()} given up by an interrupted caller loses the result it was waiting for.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items, read in the manager's process as the workers need them
   * @return a proxy of the pool's {@link ResultIterator}
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items);

  /**
   * As {@link #imap(SerializableFunction, Iterable)}, sending the items to the workers in chunks.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items
   * @param chunksize items a task, at least 1
   * @return a proxy of the pool's {@link ResultIterator}
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if {@code chunksize} is below 1, or something cannot be serialized
   */
  <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize);

  /**
   * As {@link #imap(SerializableFunction, Iterable)}, the results in the order they finish:
   * CPython's {@code imap_unordered(f, iterable)}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items
   * @return a proxy of the pool's {@link ResultIterator}
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if something cannot be serialized
   */
  <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items);

  /**
   * As {@link #imapUnordered(SerializableFunction, Iterable)}, sending the items in chunks.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function; serializable
   * @param items the items
   * @param chunksize items a task, at least 1
   * @return a proxy of the pool's {@link ResultIterator}
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if {@code chunksize} is below 1, or something cannot be serialized
   */
  <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize);

  /**
   * Stops accepting work; the workers exit once the work submitted is done: CPython's
   * {@code close()} (named as the library's {@link io.github.multiprocessing4j.pool.Pool#shutdown()},
   * since a proxy's {@code close()} is {@link BaseProxy#close()}). Returns at once; idempotent.
   */
  void shutdown();

  /**
   * Stops the workers at once: CPython's {@code terminate()}. Unfinished results are cancelled.
   * Idempotent.
   */
  void terminate();

  /**
   * Waits for the workers to exit, after {@link #shutdown()} or {@link #terminate()}: CPython's
   * {@code join()}.
   *
   * @throws IllegalStateException {@code "Pool is still running"} before shutdown or terminate
   * @throws InterruptedException if interrupted while waiting
   */
  void join() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the workers to exit, as {@link #join()}.
   *
   * @param timeout the longest wait
   * @return whether every worker has exited
   * @throws IllegalStateException {@code "Pool is still running"} before shutdown or terminate
   * @throws InterruptedException if interrupted while waiting
   */
  boolean join(Duration timeout) throws InterruptedException;

  /**
   * Returns the number of workers the pool keeps.
   *
   * @return the pool size
   */
  int processes();

  /**
   * Returns the pids of the workers alive now (children of the manager's process).
   *
   * @return the pids, a snapshot
   */
  List<Long> workerPids();
}
