package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Multiprocessing;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecutorService} that runs tasks in worker processes: CPython's
 * {@code concurrent.futures.ProcessPoolExecutor}.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor executor = new ProcessPoolExecutor(4)) {
 *   AsyncResult<Long> f = executor.submit(() -> LongStream.range(0, 1_000_000).sum());
 *   f.toCompletableFuture().thenAccept(System.out::println);
 *   for (Iterator<Integer> it = executor.map(x -> x * x, List.of(1, 2, 3)); it.hasNext(); ) {
 *     System.out.println(it.next());
 *   }
 * }
 * }</pre>
 *
 * <p><b>Tasks</b> must be serializable. A lambda written in the call ({@code submit(() -> ...)})
 * binds to the {@link SerializableCallable} or {@link SerializableRunnable} overload and is
 * serializable; a {@link Callable} or {@link Runnable} held in a variable must be an instance of
 * a serializable class, or the call fails in the caller's thread with an
 * {@link IllegalArgumentException} naming it.
 *
 * <p><b>Workers</b> are daemonic child JVMs, started on demand (one per submission while no
 * worker is idle, up to {@link Builder#maxWorkers(int) maxWorkers}) and reused. They start with
 * the start method of the executor's
 * {@link Builder#context(io.github.multiprocessing4j.Context) context} (by default the
 * process-wide one, fixed when the executor is built) and, as in CPython, keep that context's
 * process names: {@code SpawnProcess-N} or {@code ForkServerProcess-N}. A task's
 * exception is the cause of the {@link ExecutionException} its future throws. As in CPython, a
 * worker that ends abruptly (killed, crashed, {@code System.exit} in a task) breaks the executor:
 * every pending and running future fails with a {@link BrokenProcessPoolException}, the other
 * workers are stopped, and later submissions throw it. So does a failing initializer.
 *
 * <p><b>Differences from a thread pool</b>: {@link AsyncResult#cancel(boolean)} succeeds only for
 * tasks no worker has yet (CPython's rule; a running task is never interrupted), and
 * {@link #shutdownNow()} stops running tasks by terminating the workers, cancelling their futures
 * and those of the tasks it returns, so no future is left that never completes.
 *
 * <p>{@link #close()} is {@code shutdown(wait=True)}, as both CPython's {@code with} block and
 * {@code ExecutorService.close()} do. Instances are thread-safe.
 */
public final class ProcessPoolExecutor implements ExecutorService, AutoCloseable {

  private static final String SHUT_DOWN = "cannot schedule new futures after shutdown";

  private final WorkerPool pool;

  /**
   * Creates an executor with up to one worker per CPU ({@link Multiprocessing#cpuCount()}).
   * Workers start with the first tasks.
   */
  public ProcessPoolExecutor() {
    this(builder());
  }

  /**
   * Creates an executor with up to {@code maxWorkers} workers, started with the first tasks.
   *
   * @param maxWorkers at least 1
   * @throws IllegalArgumentException {@code "max_workers must be greater than 0"}
   */
  public ProcessPoolExecutor(int maxWorkers) {
    this(builder().maxWorkers(maxWorkers));
  }

  /** An executor over a given engine (one whose tasks run elsewhere, see {@link ClusterSeam}). */
  ProcessPoolExecutor(WorkerPool engine) {
    this.pool = engine;
  }

  private ProcessPoolExecutor(Builder b) {
    this.pool = new WorkerPool(b.maxWorkers, true, b.maxTasksPerChild, b.initializer, b.resolveContext(),
        b.workerOptions, false, true);
  }

  /**
   * Returns a builder for an executor with an initializer, a task limit per worker or worker
   * process options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Submits a task: CPython's {@code submit(fn, *args)}, the arguments being what the lambda
   * captures.
   *
   * @param <T> the result type
   * @param task the task
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws BrokenProcessPoolException if the executor is broken
   * @throws IllegalArgumentException if the task cannot be serialized; the message names the class
   */
  public <T> AsyncResult<T> submit(SerializableCallable<T> task) {
    return submitTask(task, TaskKind.CALL, null, task);
  }

  /**
   * Submits a task, which must be an instance of a serializable class.
   *
   * @param <T> the result type
   * @param task the task
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  @Override
  public <T> AsyncResult<T> submit(Callable<T> task) {
    return submitTask(task, TaskKind.CALL, null, task);
  }

  /**
   * Submits a task whose future gives {@code null}.
   *
   * @param task the task
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  public AsyncResult<?> submit(SerializableRunnable task) {
    return submitTask(task, TaskKind.RUN, null, task);
  }

  /**
   * Submits a task, which must be an instance of a serializable class; its future gives
   * {@code null}.
   *
   * @param task the task
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  @Override
  public AsyncResult<?> submit(Runnable task) {
    return submitTask(task, TaskKind.RUN, null, task);
  }

  /**
   * Submits a task whose future gives {@code result} once it has run.
   *
   * @param <T> the result type
   * @param task the task
   * @param result what the future gives; stays in this process
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  public <T> AsyncResult<T> submit(SerializableRunnable task, T result) {
    return submitTask(task, TaskKind.RUN, result, task);
  }

  /**
   * Submits a task, which must be an instance of a serializable class; its future gives
   * {@code result} once it has run.
   *
   * @param <T> the result type
   * @param task the task
   * @param result what the future gives; stays in this process
   * @return its future
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  @Override
  public <T> AsyncResult<T> submit(Runnable task, T result) {
    return submitTask(task, TaskKind.RUN, result, task);
  }

  /**
   * Runs a task in a worker, not waiting for it. Nobody sees a failure: use
   * {@link #submit(SerializableRunnable)} to get it.
   *
   * @param task the task
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  public void execute(SerializableRunnable task) {
    submit(task);
  }

  /**
   * Runs a task, which must be an instance of a serializable class, in a worker.
   *
   * @param task the task
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the task cannot be serialized
   */
  @Override
  public void execute(Runnable task) {
    submit(task);
  }

  /**
   * Applies {@code fn} to every item in the workers, results in input order: CPython's
   * {@code map(fn, iterable)} with {@code chunksize=1} and no timeout.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read in a background thread a few chunks ahead of the workers
   * @return the results; a failed item raises when reached
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws IllegalArgumentException if the function cannot be serialized
   */
  public <T, R> ResultIterator<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return map(fn, items, null, 1);
  }

  /**
   * Applies {@code fn} to every item in the workers, results in input order: CPython's
   * {@code map(fn, iterable, timeout=, chunksize=)}. For several iterables, zip them into one of
   * argument lists.
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read in a background thread a few chunks ahead of the workers
   * @param timeout from this call, the longest wait for any result: past it, {@code next()} throws
   *     a {@link java.util.concurrent.CompletionException} caused by a {@link TimeoutException}
   *     (and {@code next(Duration)} the {@link TimeoutException} itself); null for none
   * @param chunksize items per task, at least 1
   * @return the results; a failed item raises when reached
   * @throws IllegalArgumentException {@code "chunksize must be >= 1."}, or if the function cannot
   *     be serialized
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws BrokenProcessPoolException if the executor is broken
   */
  public <T, R> ResultIterator<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      Duration timeout, int chunksize) {
    return mapStream(fn, items, timeout, chunksize, null);
  }

  /**
   * As {@link #map(SerializableFunction, Iterable, Duration, int)}, telling {@code progress} of
   * every chunk whose results arrive (see {@link ProgressListener}: the total is a collection's
   * size, else unknown until the input is exhausted).
   *
   * @param <T> the item type
   * @param <R> the result type
   * @param fn the function
   * @param items the items, read in a background thread a few chunks ahead of the workers
   * @param timeout from this call, the longest wait for any result; null for none
   * @param chunksize items per task, at least 1
   * @param progress the listener
   * @return the results; a failed item raises when reached
   * @throws IllegalArgumentException {@code "chunksize must be >= 1."}, or if the function cannot
   *     be serialized
   * @throws RejectedExecutionException {@code "cannot schedule new futures after shutdown"}
   * @throws BrokenProcessPoolException if the executor is broken
   */
  public <T, R> ResultIterator<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      Duration timeout, int chunksize, ProgressListener progress) {
    return mapStream(fn, items, timeout, chunksize, Pool.requireListener(progress));
  }

  private <T, R> ResultIterator<R> mapStream(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, Duration timeout, int chunksize, ProgressListener progress) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    if (chunksize < 1) {
      throw new IllegalArgumentException("chunksize must be >= 1.");
    }
    checkAccepting();
    PoolFunction f = pool.function(fn, "the function given to map");
    ResultStream<R> s = ResultStream.start(pool, f, TaskKind.MAP, items, chunksize, true, timeout, "map", progress);
    if (s == null) {
      throw new RejectedExecutionException(SHUT_DOWN);
    }
    return s;
  }

  @Override
  public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    List<java.util.concurrent.Future<T>> futures = submitAll(tasks);
    boolean done = false;
    try {
      for (java.util.concurrent.Future<T> f : futures) {
        ((AsyncResult<T>) f).await();
      }
      done = true;
      return futures;
    } finally {
      if (!done) { // interrupted: ExecutorService.invokeAll cancels the unfinished tasks
        for (java.util.concurrent.Future<T> f : futures) {
          ((TaskResult<T>) f).abandon();
        }
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Tasks still running at the deadline keep running in their workers; their futures are
   * cancelled and their results dropped.
   */
  @Override
  public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout,
      TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    List<java.util.concurrent.Future<T>> futures = submitAll(tasks);
    try {
      for (java.util.concurrent.Future<T> f : futures) {
        if (!((AsyncResult<T>) f).await(Duration.ofNanos(deadline - System.nanoTime()))) {
          break;
        }
      }
      return futures;
    } finally { // at the deadline, or interrupted: the unfinished tasks are cancelled
      for (java.util.concurrent.Future<T> f : futures) {
        ((TaskResult<T>) f).abandon();
      }
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    try {
      return invokeAny(tasks, null);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot happen: no timeout", e);
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return invokeAny(tasks, System.nanoTime() + unit.toNanos(timeout));
  }

  private <T> T invokeAny(Collection<? extends Callable<T>> tasks, Long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("no tasks");
    }
    List<java.util.concurrent.Future<T>> futures = submitAll(tasks);
    java.util.concurrent.LinkedBlockingQueue<AsyncResult<T>> done = new java.util.concurrent.LinkedBlockingQueue<>();
    for (java.util.concurrent.Future<T> f : futures) {
      AsyncResult<T> r = (AsyncResult<T>) f;
      r.toCompletableFuture().whenComplete((v, e) -> done.add(r));
    }
    try {
      ExecutionException last = null;
      for (int i = 0; i < futures.size(); i++) {
        AsyncResult<T> r = deadline == null ? done.take()
            : done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (r == null) {
          throw new TimeoutException();
        }
        try {
          return r.get();
        } catch (ExecutionException | CancellationException e) {
          last = e instanceof ExecutionException ? (ExecutionException) e : new ExecutionException(e);
        }
      }
      throw last;
    } finally {
      for (java.util.concurrent.Future<T> f : futures) {
        ((TaskResult<T>) f).abandon();
      }
    }
  }

  /**
   * Stops accepting tasks; those submitted still run, then the workers exit. Returns at once.
   */
  @Override
  public void shutdown() {
    pool.shutdown();
  }

  /**
   * CPython's {@code shutdown(wait, cancel_futures)}: stops accepting tasks, cancels those no
   * worker has yet if {@code cancelFutures} (each worker holds up to two that cannot be
   * cancelled), the items a running {@link #map} has not read yet included, and waits for the
   * rest and for the workers to exit if {@code wait}.
   *
   * @param wait whether to wait
   * @param cancelFutures whether to cancel the tasks not yet given to a worker
   * @throws InterruptedException if interrupted while waiting
   */
  public void shutdown(boolean wait, boolean cancelFutures) throws InterruptedException {
    pool.shutdown();
    if (cancelFutures) {
      CancellationException cancelled = new PoolCancellation("cancelled by shutdown(cancelFutures=true)");
      for (PoolTask t : pool.drainPending()) {
        t.abandon(cancelled);
      }
    }
    if (wait) {
      pool.awaitTermination(null);
    }
  }

  /**
   * Stops at once: terminates the workers (SIGTERM) and cancels every unfinished future.
   *
   * @return the tasks that no worker had started, as given ({@link Callable}s wrapped in a
   *     {@link Runnable} that calls them)
   */
  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> out = new ArrayList<>();
    for (PoolTask t : pool.terminate()) {
      Object source = t.source();
      if (source instanceof Runnable) {
        out.add((Runnable) source);
      } else if (source instanceof Callable) {
        Callable<?> c = (Callable<?>) source;
        out.add(() -> {
          try {
            c.call();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
    }
    return out;
  }

  @Override
  public boolean isShutdown() {
    return pool.state() != PoolLifecycle.State.RUN;
  }

  @Override
  public boolean isTerminated() {
    return pool.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
  }

  /**
   * Shuts down and waits for the submitted tasks and the workers: CPython's {@code with} block
   * and {@code ExecutorService.close()} alike. If interrupted while waiting, calls
   * {@link #shutdownNow()} and keeps the interrupt. Idempotent.
   */
  @Override
  public void close() {
    try {
      shutdown(true, false);
    } catch (InterruptedException e) {
      shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns what the executor is doing and has done: workers busy and idle, tasks queued, tasks
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
   * Returns the pids of the worker processes alive now.
   *
   * @return the pids, a snapshot
   */
  public List<Long> workerPids() {
    return pool.workerPids();
  }

  /** Describes the executor: {@code ProcessPoolExecutor[state=RUN, pool_size=4]}. */
  @Override
  public String toString() {
    return "ProcessPoolExecutor[" + pool + "]";
  }

  private void checkAccepting() {
    if (pool.state() != PoolLifecycle.State.RUN) {
      throw new RejectedExecutionException(SHUT_DOWN);
    }
  }

  private <T> List<java.util.concurrent.Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    checkAccepting();
    List<TaskResult<T>> results = new ArrayList<>(tasks.size());
    List<PoolTask> all = new ArrayList<>(tasks.size());
    for (Callable<T> c : tasks) {
      TaskResult<T> r = prepare(c, TaskKind.CALL, null, c);
      results.add(r);
      all.addAll(r.tasks());
    }
    if (!pool.submit(all, false)) {
      throw new RejectedExecutionException(SHUT_DOWN);
    }
    return new ArrayList<>(results);
  }

  private <T> AsyncResult<T> submitTask(Object task, TaskKind kind, T result, Object source) {
    checkAccepting();
    TaskResult<T> r = prepare(task, kind, result, source);
    if (!pool.submit(r.tasks(), false)) {
      throw new RejectedExecutionException(SHUT_DOWN);
    }
    return r;
  }

  private <T> TaskResult<T> prepare(Object task, TaskKind kind, T result, Object source) {
    Objects.requireNonNull(task, "task");
    if (!(task instanceof Serializable)) {
      String lambda = NotSerializableLambda.explain(task);
      throw new IllegalArgumentException(lambda != null ? "the task cannot be sent to a worker process: " + lambda
          : "the task (a " + task.getClass().getName() + ") cannot be sent to a "
          + "worker process: it is not serializable; pass a lambda directly to submit (it then binds to "
          + "SerializableCallable or SerializableRunnable) or use a class that implements java.io.Serializable");
    }
    PoolFunction fn = pool.function(task, "the task");
    TaskResult<T> r = TaskResult.single(pool, fn, kind, null, null, source);
    return result == null ? r : r.withResult(result);
  }

  /**
   * Builds a {@link ProcessPoolExecutor}: number of workers, initializer, task limit per worker
   * and worker process options.
   */
  public static final class Builder extends WorkerPoolBuilder<Builder> {

    private int maxWorkers = Multiprocessing.cpuCount();

    private Builder() {}

    /**
     * Sets the largest number of workers. Default: {@link Multiprocessing#cpuCount()}.
     *
     * @param maxWorkers at least 1
     * @return this builder
     * @throws IllegalArgumentException {@code "max_workers must be greater than 0"}
     */
    public Builder maxWorkers(int maxWorkers) {
      if (maxWorkers <= 0) {
        throw new IllegalArgumentException("max_workers must be greater than 0");
      }
      this.maxWorkers = maxWorkers;
      return this;
    }

    /**
     * Sets how many tasks a worker process runs before it exits and is replaced by a fresh one:
     * CPython's {@code max_tasks_per_child}. Default: no limit.
     *
     * @param maxTasksPerChild at least 1
     * @return this builder
     * @throws IllegalArgumentException {@code "max_tasks_per_child must be >= 1"}
     */
    @Override
    public Builder maxTasksPerChild(int maxTasksPerChild) {
      if (maxTasksPerChild < 1) {
        throw new IllegalArgumentException("max_tasks_per_child must be >= 1");
      }
      return super.maxTasksPerChild(maxTasksPerChild);
    }

    /**
     * Creates the executor. Its workers start with the first tasks.
     *
     * @return the executor
     */
    public ProcessPoolExecutor build() {
      return new ProcessPoolExecutor(this);
    }
  }
}
