package io.github.multiprocessing4j.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The feeder thread of a {@link ResultStream}: reads the input, cuts it into chunks, encodes and
 * submits them, never more than the stream's window ahead of its results. Apart from the stream,
 * which puts results together for the consumer, because it is the input's side: the only thread
 * that calls the input's iterator, whose failures take the place of the chunk they cut short.
 */
final class ChunkFeeder implements Runnable {

  private final ResultStream<?> results;
  private final WorkerPool pool;
  private final PoolFunction fn;
  private final TaskKind kind;
  private final Iterator<?> it;
  private final int chunksize;
  private final String what;

  /**
   * @param results where the chunks' outcomes go
   * @param pool the pool, with a feed opened for this feeder, which closes it when done
   * @param fn the function
   * @param kind {@code map} or {@code starmap}
   * @param it the input, read in this feeder's thread only
   * @param chunksize items per task
   * @param what names the call in error messages
   */
  ChunkFeeder(ResultStream<?> results, WorkerPool pool, PoolFunction fn, TaskKind kind, Iterator<?> it,
      int chunksize, String what) {
    this.results = results;
    this.pool = pool;
    this.fn = fn;
    this.kind = kind;
    this.it = it;
    this.chunksize = chunksize;
    this.what = what;
  }

  @Override
  public void run() {
    int index = 0;
    int item = 0;
    try {
      while (true) {
        List<Object> chunk = new ArrayList<>(Math.min(chunksize, 1024));
        try {
          while (chunk.size() < chunksize && it.hasNext()) {
            chunk.add(it.next());
          }
        } catch (RuntimeException | Error e) {
          // As CPython, whose chunk is a tuple of islice(): the items of the failing chunk read
          // before the failure are dropped, and the failure takes the chunk's place.
          results.endInput(index, item, e);
          return;
        }
        if (chunk.isEmpty()) {
          results.endInput(index, item, null);
          return;
        }
        TaskSink part = results.nextPart(index, chunk.size());
        index = submitChunk(part, chunk, item, index);
        item += chunk.size();
        if (index < 0) {
          return;
        }
      }
    } catch (InterruptedException e) {
      results.endInput(index, item, new PoolCancellation("the pool was terminated"));
    } catch (RuntimeException | Error e) {
      // Not the input's failure (that is above) but this thread's own: the consumer must hear of
      // it, or it would wait for ever for the chunks this thread will never submit.
      ResultStream.LOG.error("the feeder of {} failed; the iteration ends with its error", what, e);
      results.endInput(index, item, e);
    } finally {
      pool.closeFeed();
    }
  }

  /** Submits one chunk; returns the next chunk index, or -1 if the pool refused it. */
  private int submitChunk(TaskSink part, List<Object> chunk, int firstItem, int index) {
    PoolTask task;
    try {
      task = new PoolTask(fn, kind, Chunks.encode(chunk, 0, chunk.size(), firstItem, what), part, null);
    } catch (IllegalArgumentException e) {
      part.failed(e); // as CPython: that chunk fails, the iteration goes on
      return index + 1;
    }
    try {
      if (!pool.submit(List.of(task), true)) {
        part.failed(new PoolCancellation("the pool was terminated"));
        results.endInput(index + 1, firstItem + chunk.size(), null);
        return -1;
      }
    } catch (RuntimeException e) {
      part.failed(e);
      results.endInput(index + 1, firstItem + chunk.size(), null);
      return -1;
    }
    return index + 1;
  }
}
