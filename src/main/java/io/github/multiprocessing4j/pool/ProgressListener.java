package io.github.multiprocessing4j.pool;

/**
 * Hears how far a {@code map} has got: the items whose results have arrived, of how many. Pass one
 * to the overloads of {@link Pool#map(SerializableFunction, Iterable, ProgressListener) map},
 * {@link Pool#starmap(SerializableFunction, Iterable, ProgressListener) starmap},
 * {@link Pool#mapAsync(SerializableFunction, Iterable, int, java.util.function.Consumer,
 * java.util.function.Consumer, ProgressListener) mapAsync},
 * {@link Pool#imap(SerializableFunction, Iterable, int, ProgressListener) imap},
 * {@link Pool#imapUnordered(SerializableFunction, Iterable, int, ProgressListener) imapUnordered}
 * and {@link ProcessPoolExecutor#map(SerializableFunction, Iterable, java.time.Duration, int,
 * ProgressListener) ProcessPoolExecutor.map}, e.g. to drive a progress bar:
 *
 * <pre>{@code
 * pool.map(x -> work(x), items, (done, total) -> System.err.print("\r" + done + "/" + total));
 * }</pre>
 *
 * <p><b>How often.</b> Once per chunk whose outcome is known, a result or a failure (the task
 * threw, its worker died, the pool was terminated: its items are finished either way), so the
 * granularity is the chunk size: a {@code map} of 1000 items in chunks of 10 makes 100 calls.
 * {@code done} grows with every call, by the size of that chunk, and the last call has
 * {@code done == total} (not for an endless input, nor for a map that throws in the caller's thread
 * because an item cannot be serialized; a map cut short by {@code terminate()} does get there, its
 * unfinished chunks counting as finished); for no items there is exactly one call,
 * {@code (0, 0)}. The calls of one map never overlap and come in that order.
 *
 * <p><b>The total.</b> For {@code map}, {@code starmap} and {@code mapAsync} the input is read at
 * once, so {@code total} is its size from the first call on. For {@code imap},
 * {@code imapUnordered} and the executor's {@code map}, which read their input as they go, it is
 * the collection's {@code size()} when the input is a {@link java.util.Collection}, and
 * {@link #UNKNOWN} (-1) otherwise, until the input is exhausted: from then on it is the number of
 * items read, so a last call reports {@code (n, n)} even when the input's end was found after the
 * last chunk had finished. An endless input never reaches a total. {@code done} counts results that
 * have arrived, not those the caller has taken from the iterator.
 *
 * <p><b>Which thread.</b> A pool thread: the reader of the worker that finished the chunk (or the
 * thread that terminated the pool; for an iterator, its feeder thread when it finds the input's
 * end). Every call for a {@code map}, {@code starmap} or {@code mapAsync} happens before its result
 * is ready, and every call for an iterator before {@code hasNext()} answers false. Keep the
 * listener short: it delays the next result of that worker, as a callback does; a
 * {@code System.err.print} is fine, blocking work is not.
 *
 * <p><b>Failures.</b> An exception the listener throws does not break the map: the first one of a
 * map is logged at WARN (by a logger under {@code io.github.multiprocessing4j.pool}), later ones
 * of the same map are dropped silently, and the listener keeps being called.
 */
@FunctionalInterface
public interface ProgressListener {

  /** The {@code total} of an input whose size is not known yet. */
  long UNKNOWN = -1;

  /**
   * Reports progress.
   *
   * @param done the items whose outcome is known so far, at least 1 except in the single call for
   *     no items
   * @param total the items in all, or {@link #UNKNOWN} while the input is still being read
   */
  void progress(long done, long total);
}
