package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.runtime.Log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The {@link AsyncResult} of one or more pool tasks: a single call, or the chunks of a
 * {@code map}, whose results are put together in input order. As CPython's {@code MapResult}, a
 * map is ready only when every chunk has finished, and fails with the first failure to arrive.
 * Callbacks run in the pool thread that completes the result, before {@code get()} returns, as
 * CPython's do; an exception from a callback is logged and does no harm to the pool.
 *
 * @param <T> the result type
 */
final class TaskResult<T> implements AsyncResult<T> {

  private static final Logger LOG = Log.get(TaskResult.class);

  private final CompletableFuture<T> future = new CompletableFuture<>();
  private final WorkerPool pool;
  private final boolean list;
  private final Consumer<? super T> callback;
  private final Consumer<? super Throwable> errorCallback;
  private final List<PoolTask> tasks = new ArrayList<>();
  /** The map's results, by input position; guarded by {@code this}. */
  private Object[] values;
  private int chunksLeft;
  private Throwable firstFailure;
  /** What a runnable's future gives instead of its (null) result; guarded by {@code this}. */
  private Object fixed;
  /** A map's progress, told under {@code this} before the result is ready. */
  private ProgressReporter progress = ProgressReporter.NONE;

  private TaskResult(WorkerPool pool, boolean list, Consumer<? super T> callback,
      Consumer<? super Throwable> errorCallback) {
    this.pool = pool;
    this.list = list;
    this.callback = callback;
    this.errorCallback = errorCallback;
  }

  /**
   * The result of one task.
   *
   * @param <T> the result type
   * @param pool the pool
   * @param fn the task's function
   * @param kind a task kind
   * @param callback run with the result, or null
   * @param errorCallback run with the failure, or null
   * @param source the user's task, or null
   * @return the result; its task is {@link #tasks()}
   */
  public static <T> TaskResult<T> single(WorkerPool pool, PoolFunction fn, TaskKind kind,
      Consumer<? super T> callback, Consumer<? super Throwable> errorCallback, Object source) {
    TaskResult<T> r = new TaskResult<>(pool, false, callback, errorCallback);
    r.tasks.add(new PoolTask(fn, kind, new byte[0], r.new Part(0, 0), source));
    r.chunksLeft = 1;
    return r;
  }

  /**
   * Submits a map, one task per chunk of the items, and returns its result. Each chunk is
   * submitted as soon as it is encoded, so the workers start on the first chunks while this
   * thread encodes the others.
   *
   * @param <R> the element type of the result
   * @param pool the pool
   * @param fn the function
   * @param kind {@code map} or {@code starmap}
   * @param items the items
   * @param chunksize items per task
   * @param what names the call in error messages, e.g. {@code "map"}
   * @param callback run with the whole list, or null
   * @param errorCallback run with the first failure, or null
   * @param listener told of each finished chunk, or null
   * @return the result, already complete for no items; null if the pool refused the work
   * @throws IllegalArgumentException naming the first item that cannot be serialized; the chunks
   *     already submitted are cancelled, or their results ignored
   */
  public static <R> TaskResult<List<R>> chunked(WorkerPool pool, PoolFunction fn, TaskKind kind,
      List<?> items, int chunksize, String what, Consumer<? super List<R>> callback,
      Consumer<? super Throwable> errorCallback, ProgressListener listener) {
    TaskResult<List<R>> r = new TaskResult<>(pool, true, callback, errorCallback);
    int n = items.size();
    r.values = new Object[n];
    r.chunksLeft = (int) ((n + (long) chunksize - 1) / chunksize);
    r.progress = ProgressReporter.of(listener, n);
    if (r.chunksLeft == 0) {
      r.progress.inputEnded(0);
      r.finish();
      return r;
    }
    // A feed: a shutdown() while the chunks are encoded must not refuse the rest of a map that
    // was accepted whole.
    if (!pool.openFeed()) {
      return null;
    }
    try {
      for (int from = 0; from < n; from += chunksize) {
        int to = Math.min(n, from + chunksize);
        PoolTask t;
        try {
          t = new PoolTask(fn, kind, Chunks.encode(items, from, to, from, what), r.new Part(from, to - from), null);
        } catch (IllegalArgumentException e) {
          r.abandonSubmitted();
          throw e;
        }
        synchronized (r) {
          r.tasks.add(t);
        }
        if (!pool.submit(List.of(t), true)) {
          if (from == 0) {
            return null;
          }
          r.abandonSubmitted(); // terminated meanwhile
          break;
        }
      }
    } finally {
      pool.closeFeed();
    }
    return r;
  }

  /** Cancels the chunks submitted so far and fails the result, whatever they still deliver. */
  private void abandonSubmitted() {
    List<PoolTask> submitted;
    synchronized (this) {
      submitted = new ArrayList<>(tasks);
    }
    for (PoolTask t : submitted) {
      pool.cancel(List.of(t));
    }
    future.completeExceptionally(new PoolCancellation("the map was abandoned"));
  }

  /**
   * Makes the result {@code value} once the task has succeeded, for {@code submit(Runnable, T)}.
   *
   * @param value the result to give
   * @return this
   */
  public synchronized TaskResult<T> withResult(T value) {
    fixed = value;
    return this;
  }

  /** The tasks to submit; a snapshot for a map. */
  public synchronized List<PoolTask> tasks() {
    return new ArrayList<>(tasks);
  }

  /** One task's share of the result. */
  private final class Part implements TaskSink {
    private final int from;
    private final int count;

    Part(int from, int count) {
      this.from = from;
      this.count = count;
    }

    @Override
    public void succeeded(Object value) {
      synchronized (TaskResult.this) {
        if (list) {
          List<?> got = (List<?>) value;
          if (got.size() != count) {
            throw new IllegalStateException("a chunk of " + count + " items gave " + got.size() + " results");
          }
          for (int i = 0; i < count; i++) {
            values[from + i] = got.get(i);
          }
        } else {
          values = new Object[] {value};
        }
        progress.finished(count);
        if (--chunksLeft > 0) {
          return;
        }
      }
      finish();
    }

    @Override
    public void failed(Throwable error) {
      synchronized (TaskResult.this) {
        if (firstFailure == null) {
          firstFailure = error;
        }
        progress.finished(count);
        if (--chunksLeft > 0) {
          return;
        }
      }
      finish();
    }
  }

  @SuppressWarnings("unchecked")
  private void finish() {
    Throwable failure;
    T value;
    synchronized (this) {
      failure = firstFailure;
      value = failure != null ? null
          : fixed != null ? (T) fixed
          : list ? (T) Arrays.asList(values) : (T) (values == null ? null : values[0]);
    }
    if (failure == null) {
      if (callback != null) {
        try {
          callback.accept(value);
        } catch (RuntimeException | Error e) {
          LOG.error("a pool callback threw; the pool goes on", e);
        }
      }
      future.complete(value);
    } else {
      if (errorCallback != null && !(failure instanceof PoolCancellation)) {
        try {
          errorCallback.accept(failure);
        } catch (RuntimeException | Error e) {
          LOG.error("a pool error callback threw; the pool goes on", e);
        }
      }
      // A CancellationException the task threw is its failure, not a cancellation of the result.
      future.completeExceptionally(failure instanceof CancellationException && !(failure instanceof PoolCancellation)
          ? new java.util.concurrent.CompletionException(failure) : failure);
    }
  }

  @Override
  public boolean ready() {
    return future.isDone();
  }

  @Override
  public boolean successful() {
    if (!future.isDone()) {
      throw new IllegalStateException(this + " not ready");
    }
    return !future.isCompletedExceptionally();
  }

  @Override
  public void await() throws InterruptedException {
    try {
      future.get();
    } catch (ExecutionException | CancellationException e) {
      // finished
    }
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    try {
      future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CancellationException e) {
      // finished
    } catch (TimeoutException e) {
      return false;
    }
    return true;
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    return future.get();
  }

  @Override
  public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
    return future.get(timeout, unit);
  }

  @Override
  public T get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    return future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (future.isDone()) {
      return future.isCancelled();
    }
    if (!pool.cancel(tasks())) {
      return false;
    }
    return future.cancel(false);
  }

  /**
   * Cancels the result even if a worker is running its task, whose outcome is then dropped:
   * {@code FutureTask.cancel(false)}'s meaning, for {@code invokeAll} and {@code invokeAny}.
   */
  public void abandon() {
    if (!cancel(false)) {
      future.cancel(false);
    }
  }

  @Override
  public boolean isCancelled() {
    return future.isCancelled();
  }

  @Override
  public boolean isDone() {
    return future.isDone();
  }

  @Override
  public CompletableFuture<T> toCompletableFuture() {
    return future.thenApply(v -> v);
  }

  @Override
  public String toString() {
    return "AsyncResult@" + Integer.toHexString(System.identityHashCode(this))
        + (future.isDone() ? "[ready]" : "[pending]");
  }
}
