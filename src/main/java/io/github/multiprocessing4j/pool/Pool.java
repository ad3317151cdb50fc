package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A pool of worker processes that run functions for the caller: CPython's
 * {@code multiprocessing.Pool}, with reusable worker JVMs.
 *
 * <pre>{@code
 * try (Pool pool = new Pool(4)) {
 *   List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));   // [1, 4, 9]
 *   AsyncResult<String> r = pool.applyAsync(() -> InetAddress.getLocalHost().getHostName());
 *   System.out.println(r.get(Duration.ofSeconds(10)));
 * }
 * }</pre>
 *
 * <p><b>Functions</b> are {@link SerializableFunction}s and {@link SerializableCallable}s: lambdas,
 * method references or instances of named classes, serialized in the caller's thread (a
 * non-serializable function or item fails the call there, naming it) and run in a worker. The
 * workers run on the caller's class path, so the function's class is found there.
 *
 * <p><b>Workers</b> are daemonic child JVMs, started when the pool is built and reused for every
 * task until {@link Builder#maxTasksPerChild(int) maxTasksPerChild}. They start with the start
 * method of the pool's {@link Builder#context(io.github.multiprocessing4j.Context) context} (by
 * default the process-wide one, fixed when the pool is built) and are named after it, as in
 * CPython: {@code SpawnPoolWorker-N} or {@code ForkServerPoolWorker-N}, N being the process
 * counter every process of this JVM shares.
 * Like any daemonic process they cannot start processes of their own, and none outlives the pool
 * or its parent, even when the parent is killed.
 *
 * <p><b>Failures.</b> A task that throws fails with its own exception as the cause of the
 * {@link ExecutionException} (see {@link AsyncResult}). A worker that dies in a task (killed,
 * crashed, {@code System.exit}) fails that task with a {@link WorkerDiedException} and is
 * replaced; the tasks queued behind it run on other workers. CPython's pool loses such a task and
 * its result never arrives. An initializer that throws, or a worker that dies before it is ready,
 * breaks the pool ({@link BrokenProcessPoolException}) instead of starting workers forever.
 *
 * <p><b>Shutting down.</b> {@link #shutdown()} is CPython's {@code close()}: no new work, the
 * workers exit when the queued work is done. {@link #terminate()} stops at once and cancels
 * unfinished work. {@link #join()} waits for the workers after either. {@link #close()}, which
 * try-with-resources calls, follows Java's convention for executors
 * ({@code ExecutorService.close()}): shutdown, then wait for the queued work. CPython's
 * {@code with Pool() as p:} calls {@code terminate()} at the end of the block instead, killing
 * what is unfinished.
 *
 * <p>Instances are thread-safe: any thread may submit work. Unlike CPython, a pool not closed
 * before the program ends is terminated when the JVM exits; its workers are daemonic children.
 */
public final class Pool implements AutoCloseable {

  private static final String NOT_RUNNING = "Pool not running";

  static {
    ClusterSeam.register();
  }

  private final WorkerPool pool;

  /**
   * Creates a pool with one worker per CPU ({@link Multiprocessing#cpuCount()}) and starts the
   * workers, with the process-wide start method (which this fixes, see
   * {@link Multiprocessing#getContext()}).
   *
   * @throws io.github.multiprocessing4j.MultiprocessingException if a worker cannot be started
   */
  public Pool() {
    this(builder());
  }

  /**
   * Creates a pool of {@code processes} workers and starts them.
   *
   * @param processes the number of workers, at least 1
   * @throws IllegalArgumentException {@code "Number of processes must be at least 1"}
   * @throws io.github.multiprocessing4j.MultiprocessingException if a worker cannot be started
   */
  public Pool(int processes) {
    this(builder().processes(processes));
  }

  /** A pool over a given engine (one whose tasks run elsewhere, see {@link ClusterSeam}). */
  Pool(WorkerPool engine) {
    this.pool = engine;
  }

  /** The engine, for {@link ClusterSeam}. */
  WorkerPool engine() {
    return pool;
  }

  private Pool(Builder b) {
    this.pool = new WorkerPool(b.processes, false, b.maxTasksPerChild, b.initializer, b.resolveContext(),
        b.workerOptions, true, false);
  }

  /**
   * Returns a builder for a pool with an initializer, a task limit per worker or worker process
   * options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a task and waits for its result: CPython's {@code apply(f, args, kwds)}, where the
   * arguments are what the lambda captures.
   *
   * @param <R> the result type
   * @param task the task
   * @return its result
   * @throws ExecutionException if it failed; the cause says why
   * @throws java.util.concurrent.CancellationException if the pool was terminated first
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  public <R> R apply(SerializableCallable<R> task) throws InterruptedException, ExecutionException {
    return applyAsync(task).get();
  }

  /**
   * Submits a task: CPython's {@code apply_async(f, args, kwds)}.
   *
   * @param <R> the result type
   * @param task the task
   * @return its pending result
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws BrokenProcessPoolException if the pool is broken
   * @throws IllegalArgumentException if the task cannot be serialized; the message names the class
   */
  public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task) {
    return applyAsync(task, null, null);
  }

  /**
   * Submits a task with callbacks: CPython's {@code apply_async(f, callback=, error_callback=)}.
   * A callback runs in a pool thread before {@link AsyncResult#get()} returns; keep it short, as
   * it delays other results of the same worker. An exception it throws is logged.
   *
   * @param <R> the result type
   * @param task the task
   * @param callback run with the result, or null
   * @param errorCallback run with the failure (the same exception {@code get()} gives as cause), or
   *     null; not run if the pool is terminated
   * @return its pending result
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws BrokenProcessPoolException if the pool is broken
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task, Consumer<? super R> callback,
      Consumer<? super Throwable> errorCallback) {
    Objects.requireNonNull(task, "task");
    checkRunning();
    PoolFunction fn = pool.function(task, "the task given to applyAsync");
    TaskResult<R> r = TaskResult.single(pool, fn, TaskKind.CALL, callback, errorCallback, task);
    return submit(r);
  }

  /**
   * Applies {@code fn} to every item, in the workers, and returns the results in input order:
   * CPython's {@code map(func, iterable)}, with its default chunk size (the items divided into
   * about four chunks per worker).
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read at once in the caller's thread
   * @return the results, in order
   * @throws ExecutionException if an item failed: the first failure to arrive, once every chunk
   *     has finished
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items)
      throws InterruptedException, ExecutionException {
    return this.<T, R>mapAsync(fn, items, 0, null, null).get();
  }

  /**
   * As {@link #map(SerializableFunction, Iterable)}, with {@code chunksize} items per task.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalArgumentException if {@code chunksize < 1}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize) throws InterruptedException, ExecutionException {
    return this.<T, R>mapAsync(fn, items, checkChunksize(chunksize), null, null).get();
  }

  /**
   * Submits a map: CPython's {@code map_async(func, iterable)}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read at once in the caller's thread
   * @return the pending list of results
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items) {
    return mapAsync(fn, items, 0, null, null);
  }

  /**
   * Submits a map with a chunk size and callbacks: CPython's
   * {@code map_async(func, iterable, chunksize, callback, error_callback)}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read at once in the caller's thread
   * @param chunksize items per task, or 0 for the default
   * @param callback run with the whole list of results, or null
   * @param errorCallback run once with the first failure, or null
   * @return the pending list of results
   * @throws IllegalArgumentException if {@code chunksize < 0}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize, Consumer<? super List<R>> callback,
      Consumer<? super Throwable> errorCallback) {
    return chunked(fn, items, chunksize, TaskKind.MAP, "map", callback, errorCallback, null);
  }

  /**
   * Calls {@code fn} with each list of arguments, in the workers, and returns the results in
   * input order: CPython's {@code starmap(func, iterable_of_tuples)}. The function gets each list
   * as the positional {@link Args}.
   *
   * <pre>{@code
   * List<Integer> sums = pool.starmap(a -> a.getInt(0) + a.getInt(1), List.of(List.of(1, 2), List.of(3, 4)));
   * }</pre>
   *
   * @param <R> the result type
   * @param fn the function
   * @param argLists the argument lists, read at once in the caller's thread
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if something cannot be serialized
   */
  public <R> List<R> starmap(SerializableFunction<Args, ? extends R> fn, Iterable<? extends List<?>> argLists)
      throws InterruptedException, ExecutionException {
    return this.<R>starmapAsync(fn, argLists, 0, null, null).get();
  }

  /**
   * Submits a starmap: CPython's {@code starmap_async(func, iterable, chunksize, callback,
   * error_callback)}.
   *
   * @param <R> the result type
   * @param fn the function
   * @param argLists the argument lists, read at once in the caller's thread
   * @param chunksize items per task, or 0 for the default
   * @param callback run with the whole list of results, or null
   * @param errorCallback run once with the first failure, or null
   * @return the pending list of results
   * @throws IllegalArgumentException if {@code chunksize < 0}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <R> AsyncResult<List<R>> starmapAsync(SerializableFunction<Args, ? extends R> fn,
      Iterable<? extends List<?>> argLists, int chunksize, Consumer<? super List<R>> callback,
      Consumer<? super Throwable> errorCallback) {
    return chunked(fn, argLists, chunksize, TaskKind.STARMAP, "starmap", callback, errorCallback, null);
  }

  /**
   * Applies {@code fn} to every item and returns the results in input order as they become
   * available: CPython's {@code imap(func, iterable)} with a chunk size of 1.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read in a background thread a few chunks ahead of the workers, so an
   *     endless input is fine
   * @return the results
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function cannot be serialized
   */
  public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return imap(fn, items, 1);
  }

  /**
   * As {@link #imap(SerializableFunction, Iterable)} with {@code chunksize} items per task.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1
   * @return the results
   * @throws IllegalArgumentException {@code "Chunksize must be 1+, not 0"}, or if the function
   *     cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize) {
    return stream(fn, items, chunksize, true, "imap", null);
  }

  /**
   * As {@link #imap(SerializableFunction, Iterable)}, but results come in the order they finish:
   * CPython's {@code imap_unordered}.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @return the results, in completion order
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function cannot be serialized
   */
  public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items) {
    return imapUnordered(fn, items, 1);
  }

  /**
   * As {@link #imapUnordered(SerializableFunction, Iterable)} with {@code chunksize} items per task.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1
   * @return the results, in completion order
   * @throws IllegalArgumentException {@code "Chunksize must be 1+, not 0"}, or if the function
   *     cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize) {
    return stream(fn, items, chunksize, false, "imapUnordered", null);
  }

  /**
   * As {@link #map(SerializableFunction, Iterable)}, telling {@code progress} of every chunk that
   * finishes: {@code (done, total)} in items, the last call {@code (total, total)}. See
   * {@link ProgressListener} for the thread, the frequency and what a listener that throws does.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read at once in the caller's thread
   * @param progress the listener
   * @return the results, in order
   * @throws ExecutionException if an item failed: the first failure to arrive, once every chunk
   *     has finished
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if the function or an item cannot be serialized
   */
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      ProgressListener progress) throws InterruptedException, ExecutionException {
    return this.<T, R>mapAsync(fn, items, 0, null, null, requireListener(progress)).get();
  }

  /**
   * As {@link #map(SerializableFunction, Iterable, int)}, telling {@code progress} of every chunk
   * that finishes (see {@link ProgressListener}).
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1: also the listener's granularity
   * @param progress the listener
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalArgumentException if {@code chunksize < 1}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize, ProgressListener progress) throws InterruptedException, ExecutionException {
    return this.<T, R>mapAsync(fn, items, checkChunksize(chunksize), null, null, requireListener(progress)).get();
  }

  /**
   * As {@link #mapAsync(SerializableFunction, Iterable, int, Consumer, Consumer)}, telling
   * {@code progress} of every chunk that finishes (see {@link ProgressListener}); its last call
   * comes before the callback and before the result is ready.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read at once in the caller's thread
   * @param chunksize items per task, or 0 for the default
   * @param callback run with the whole list of results, or null
   * @param errorCallback run once with the first failure, or null
   * @param progress the listener
   * @return the pending list of results
   * @throws IllegalArgumentException if {@code chunksize < 0}, or something cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize, Consumer<? super List<R>> callback,
      Consumer<? super Throwable> errorCallback, ProgressListener progress) {
    return chunked(fn, items, chunksize, TaskKind.MAP, "map", callback, errorCallback, requireListener(progress));
  }

  /**
   * As {@link #starmap(SerializableFunction, Iterable)}, telling {@code progress} of every chunk
   * that finishes (see {@link ProgressListener}).
   *
   * @param <R> the result type
   * @param fn the function
   * @param argLists the argument lists, read at once in the caller's thread
   * @param progress the listener
   * @return the results, in order
   * @throws ExecutionException if an item failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   * @throws IllegalArgumentException if something cannot be serialized
   */
  public <R> List<R> starmap(SerializableFunction<Args, ? extends R> fn, Iterable<? extends List<?>> argLists,
      ProgressListener progress) throws InterruptedException, ExecutionException {
    return this.<R>chunked(fn, argLists, 0, TaskKind.STARMAP, "starmap", null, null, requireListener(progress)).get();
  }

  /**
   * As {@link #imap(SerializableFunction, Iterable, int)}, telling {@code progress} of every chunk
   * whose results arrive (see {@link ProgressListener}: the total is a collection's size, else
   * unknown until the input is exhausted).
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1
   * @param progress the listener
   * @return the results
   * @throws IllegalArgumentException {@code "Chunksize must be 1+, not 0"}, or if the function
   *     cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize, ProgressListener progress) {
    return stream(fn, items, chunksize, true, "imap", requireListener(progress));
  }

  /**
   * As {@link #imapUnordered(SerializableFunction, Iterable, int)}, telling {@code progress} of
   * every chunk whose results arrive (see {@link ProgressListener}).
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items
   * @param chunksize items per task, at least 1
   * @param progress the listener
   * @return the results, in completion order
   * @throws IllegalArgumentException {@code "Chunksize must be 1+, not 0"}, or if the function
   *     cannot be serialized
   * @throws IllegalStateException {@code "Pool not running"} after shutdown or terminate
   */
  public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize, ProgressListener progress) {
    return stream(fn, items, chunksize, false, "imapUnordered", requireListener(progress));
  }

  /**
   * Stops accepting work; the workers exit once the work already submitted is done. CPython's
   * {@code close()}: it returns at once; {@link #join()} waits. Idempotent. An {@code imap} still
   * reading its input counts as submitted work: over an endless input, only {@link #terminate()}
   * ends the pool.
   */
  public void shutdown() {
    pool.shutdown();
  }

  /**
   * Stops the workers at once (SIGTERM): CPython's {@code terminate()}. Unfinished results are
   * cancelled, so waiting for them throws {@link java.util.concurrent.CancellationException}
   * instead of hanging. Idempotent.
   */
  public void terminate() {
    pool.terminate();
  }

  /**
   * Waits for the workers to exit, after {@link #shutdown()} or {@link #terminate()}: CPython's
   * {@code join()}. May be called again.
   *
   * @throws IllegalStateException {@code "Pool is still running"} before shutdown or terminate;
   *     also when called from a callback, which runs in a pool thread and would wait for itself
   * @throws InterruptedException if interrupted while waiting
   */
  public void join() throws InterruptedException {
    checkJoinable();
    pool.awaitTermination(null);
  }

  /**
   * Waits at most {@code timeout} for the workers to exit, after {@link #shutdown()} or
   * {@link #terminate()}.
   *
   * @param timeout the longest wait
   * @return whether every worker has exited
   * @throws IllegalStateException {@code "Pool is still running"} before shutdown or terminate
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkJoinable();
    return pool.awaitTermination(timeout);
  }

  /**
   * Shuts the pool down and waits for the work already submitted and for the workers, as
   * {@code ExecutorService.close()} does; try-with-resources calls it. If interrupted while
   * waiting, terminates the pool and keeps the interrupt. Idempotent.
   */
  @Override
  public void close() {
    shutdown();
    try {
      pool.awaitTermination(null);
    } catch (InterruptedException e) {
      terminate();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns the number of workers the pool keeps.
   *
   * @return the pool size
   */
  public int processes() {
    return pool.size();
  }

  /**
   * Returns what the pool is doing and has done: workers busy and idle, tasks queued, tasks
   * completed and failed with their summed latency, worker deaths. Cheap (the counters are kept
   * anyway; the gauges are read under the pool's lock, as a submission does), so a metrics
   * library may poll it; {@code io.github.multiprocessing4j.micrometer.PoolMetrics} does.
   *
   * @return a snapshot
   */
  public PoolStatistics statistics() {
    return pool.statistics();
  }

  /**
   * Returns the pids of the worker processes alive now, e.g. to watch them.
   *
   * @return the pids, a snapshot
   */
  public List<Long> workerPids() {
    return pool.workerPids();
  }

  /**
   * Describes the pool as CPython's {@code repr} does: {@code Pool[state=RUN, pool_size=2]};
   * the state is {@code RUN}, {@code CLOSE}, {@code TERMINATE} or {@code BROKEN}.
   */
  @Override
  public String toString() {
    return "Pool[" + pool + "]";
  }

  private void checkRunning() {
    if (pool.state() != PoolLifecycle.State.RUN) {
      throw new IllegalStateException(NOT_RUNNING);
    }
  }

  private void checkJoinable() {
    if (pool.state() == PoolLifecycle.State.RUN) {
      throw new IllegalStateException("Pool is still running");
    }
  }

  static ProgressListener requireListener(ProgressListener progress) {
    return Objects.requireNonNull(progress, "progress: pass a listener, or call the overload without one");
  }

  private static int checkChunksize(int chunksize) {
    if (chunksize < 1) {
      throw new IllegalArgumentException("Chunksize must be 1+, not " + chunksize);
    }
    return chunksize;
  }

  private <R> TaskResult<R> submit(TaskResult<R> r) {
    if (!r.tasks().isEmpty() && !pool.submit(r.tasks(), false)) {
      throw new IllegalStateException(NOT_RUNNING);
    }
    return r;
  }

  private <R> AsyncResult<List<R>> chunked(Object fn, Iterable<?> items, int chunksize, TaskKind kind, String what,
      Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback, ProgressListener listener) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    if (chunksize < 0) {
      checkChunksize(chunksize);
    }
    checkRunning();
    List<?> list = materialize(items);
    int n = chunksize > 0 ? chunksize : defaultChunksize(list.size(), pool.size());
    PoolFunction f = pool.function(fn, "the function given to " + what);
    TaskResult<List<R>> r = TaskResult.chunked(pool, f, kind, list, n, what, callback, errorCallback, listener);
    if (r == null) {
      throw new IllegalStateException(NOT_RUNNING);
    }
    return r;
  }

  private <R> ResultIterator<R> stream(Object fn, Iterable<?> items, int chunksize, boolean ordered, String what,
      ProgressListener listener) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    checkChunksize(chunksize);
    checkRunning();
    PoolFunction f = pool.function(fn, "the function given to " + what);
    ResultStream<R> s = ResultStream.start(pool, f, TaskKind.MAP, items, chunksize, ordered, null, what, listener);
    if (s == null) {
      throw new IllegalStateException(NOT_RUNNING);
    }
    return s;
  }

  /** CPython's default: {@code ceil(len / (4 * processes))}, at least 1. */
  static int defaultChunksize(int items, int processes) {
    int per = 4 * processes;
    return Math.max(1, (items + per - 1) / per);
  }

  private static List<?> materialize(Iterable<?> items) {
    if (items instanceof List) {
      return (List<?>) items;
    }
    List<Object> out = items instanceof Collection ? new ArrayList<>(((Collection<?>) items).size()) : new ArrayList<>();
    for (Object o : items) {
      out.add(o);
    }
    return out;
  }

  /**
   * Builds a {@link Pool}: size, initializer, task limit per worker and worker process options.
   *
   * <pre>{@code
   * Pool pool = Pool.builder()
   *     .processes(4)
   *     .initializer(args -> Model.load(args.getString(0)), "/models/small.bin")
   *     .maxTasksPerChild(1000)
   *     .workerOptions(w -> w.jvmOptions("-Xmx512m"))
   *     .build();
   * }</pre>
   */
  public static final class Builder extends WorkerPoolBuilder<Builder> {

    private int processes = Multiprocessing.cpuCount();

    private Builder() {}

    /**
     * Sets the number of workers. Default: {@link Multiprocessing#cpuCount()}.
     *
     * @param processes at least 1
     * @return this builder
     * @throws IllegalArgumentException {@code "Number of processes must be at least 1"}
     */
    public Builder processes(int processes) {
      if (processes < 1) {
        throw new IllegalArgumentException("Number of processes must be at least 1");
      }
      this.processes = processes;
      return this;
    }

    /**
     * Creates the pool and starts its workers.
     *
     * @return the pool
     * @throws io.github.multiprocessing4j.MultiprocessingException if a worker cannot be started;
     *     the workers already started are terminated first
     */
    public Pool build() {
      return new Pool(this);
    }
  }
}
