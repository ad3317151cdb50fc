package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.runtime.Log;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * The results of {@code imap}, {@code imapUnordered} and the executor's {@code map}, in input or
 * arrival order, as a {@link ChunkFeeder} thread submits the input's chunks.
 *
 * <p>Unlike CPython, whose task handler reads the whole input as fast as it can, the feeder keeps
 * at most a window of chunks in the pool ahead of the results ({@link #nextPart}), so an endless
 * input does not exhaust memory; results not yet taken by the consumer are kept.
 *
 * @param <T> the result type
 */
final class ResultStream<T> implements ResultIterator<T> {

  /** Also the feeder's, whose failures are this stream's. */
  static final Logger LOG = Log.get(ResultStream.class);

  /** A failed item (or chunk), kept in place of its results. */
  private static final class Failure {
    final Throwable error;

    Failure(Throwable error) {
      this.error = error;
    }
  }

  /** Stands for a null result in {@link #arrived}, which cannot hold null. */
  private static final Object NULL = new Object();

  private final boolean ordered;
  private final long deadline;
  private final int window;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Ordered: chunk results by chunk index (a list, or a Failure). */
  private final Map<Integer, Object> chunks = new HashMap<>();
  /** Unordered: results in arrival order (values, or Failures). */
  private final ArrayDeque<Object> arrived = new ArrayDeque<>();
  private List<?> current = List.of();
  private int currentPos;
  private int nextChunk;
  private int submitted;
  private int completed;
  /** Chunks in all, once the input is exhausted; -1 before. */
  private int total = -1;
  /** The input's own exception, reported after the chunks before it. */
  private Throwable inputFailure;
  private final ProgressReporter progress;

  private ResultStream(boolean ordered, long deadline, int window, ProgressReporter progress) {
    this.ordered = ordered;
    this.deadline = deadline;
    this.window = window;
    this.progress = progress;
  }

  /**
   * Starts feeding {@code items} to the pool in a background thread.
   *
   * @param <T> the result type
   * @param pool the pool
   * @param fn the function
   * @param kind {@code map} or {@code starmap}
   * @param items the input, read in the feeder thread
   * @param chunksize items per task
   * @param ordered whether results come in input order
   * @param timeout for the executor's {@code map}: the time from now after which {@code next}
   *     gives up; null for none
   * @param what names the call in error messages
   * @param listener told of each finished chunk, or null
   * @return the results; null if the pool does not accept work
   * @throws io.github.multiprocessing4j.pool.BrokenProcessPoolException if the pool is broken
   */
  public static <T> ResultStream<T> start(WorkerPool pool, PoolFunction fn, TaskKind kind,
      Iterable<?> items, int chunksize, boolean ordered, Duration timeout, String what, ProgressListener listener) {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    ResultStream<T> s = new ResultStream<>(ordered, deadline, Math.max(4, 4 * pool.size()),
        ProgressReporter.of(listener, ProgressReporter.expected(items)));
    if (!pool.openFeed()) {
      return null; // not an exception: the input's own, from iterator(), may be one too
    }
    Iterator<?> it;
    try {
      it = items.iterator();
    } catch (RuntimeException | Error e) {
      pool.closeFeed(); // else a closed pool would wait for this feed forever
      throw e;
    }
    Thread feeder = new Thread(new ChunkFeeder(s, pool, fn, kind, it, chunksize, what), "pool-feeder-" + what);
    feeder.setDaemon(true);
    feeder.start();
    return s;
  }

  /**
   * Waits until the window has room for one more chunk, and counts it as submitted.
   *
   * @param index the chunk's index
   * @param items the chunk's items
   * @return where the chunk's outcome goes
   * @throws InterruptedException if interrupted while waiting; nothing is counted then
   */
  TaskSink nextPart(int index, int items) throws InterruptedException {
    lock.lock();
    try {
      while (submitted - completed >= window) {
        changed.await();
      }
      submitted++;
    } finally {
      lock.unlock();
    }
    return new Part(index, items);
  }

  /**
   * Ends the input: {@code chunkCount} chunks in all, then {@code failure}, if any.
   *
   * @param chunkCount the chunks submitted (or failed in their place)
   * @param items the items in those chunks
   * @param failure the input's own exception, or a cancellation, reported after those chunks
   */
  void endInput(int chunkCount, long items, Throwable failure) {
    progress.inputEnded(items);
    lock.lock();
    try {
      total = chunkCount;
      inputFailure = failure;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One chunk's results. */
  private final class Part implements TaskSink {
    private final int index;
    private final int items;

    Part(int index, int items) {
      this.index = index;
      this.items = items;
    }

    @Override
    public void succeeded(Object value) {
      progress.finished(items);
      deliver(index, value);
    }

    @Override
    public void failed(Throwable error) {
      progress.finished(items);
      deliver(index, new Failure(error));
    }
  }

  private void deliver(int index, Object result) {
    lock.lock();
    try {
      completed++;
      if (ordered) {
        chunks.put(index, result);
      } else if (result instanceof Failure) {
        arrived.add(result);
      } else {
        for (Object v : (List<?>) result) {
          arrived.add(v == null ? NULL : v);
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasNext() {
    lock.lock();
    try {
      while (true) {
        if (currentPos < current.size() || (ordered ? chunks.containsKey(nextChunk) : !arrived.isEmpty())) {
          return true;
        }
        if (total >= 0 && (ordered ? nextChunk >= total : completed >= total)) {
          return inputFailure != null;
        }
        if (deadline == Long.MAX_VALUE) {
          try {
            changed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // next() reports the interrupt
          }
          continue;
        }
        // The executor's map(timeout=): past the deadline there is a next element, the
        // TimeoutException that next() throws, so a for-each loop ends instead of hanging.
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          changed.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true; // next() reports the interrupt
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public T next() {
    try {
      return next(deadline == Long.MAX_VALUE ? null : deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public T next(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    long d = System.nanoTime() + Math.max(0, timeout.toNanos());
    return next(Math.min(d, deadline));
  }

  @SuppressWarnings("unchecked")
  private T next(Long until) throws InterruptedException, ExecutionException, TimeoutException {
    lock.lock();
    try {
      while (true) {
        if (currentPos < current.size()) {
          return (T) current.get(currentPos++);
        }
        Object r = ordered ? chunks.remove(nextChunk) : arrived.poll();
        if (r != null) {
          if (ordered) {
            nextChunk++;
          }
          changed.signalAll();
          if (r instanceof Failure) {
            Throwable e = ((Failure) r).error;
            if (e instanceof PoolCancellation) {
              throw (CancellationException) e;
            }
            throw new ExecutionException(e);
          }
          if (ordered) {
            current = (List<?>) r;
            currentPos = 0;
            continue;
          }
          return r == NULL ? null : (T) r;
        }
        if (total >= 0 && (ordered ? nextChunk >= total : completed >= total)) {
          Throwable e = inputFailure;
          inputFailure = null;
          if (e instanceof PoolCancellation) {
            throw (CancellationException) e;
          }
          if (e != null) {
            throw new ExecutionException(e);
          }
          throw new NoSuchElementException();
        }
        if (until == null) {
          changed.await();
        } else {
          long left = until - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException();
          }
          changed.awaitNanos(left);
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
