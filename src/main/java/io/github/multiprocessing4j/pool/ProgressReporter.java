package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.runtime.Log;

import org.slf4j.Logger;

/**
 * Counts the finished items of one map and tells its {@link ProgressListener}: the calls are
 * serialized here, so they never overlap and {@code done} only grows, whichever reader finishes a
 * chunk. A map without a listener has {@link #NONE}, whose methods return before taking a lock.
 */
final class ProgressReporter {

  private static final Logger LOG = Log.get(ProgressReporter.class);

  /** For a map without a listener. */
  static final ProgressReporter NONE = new ProgressReporter(null, ProgressListener.UNKNOWN);

  private final ProgressListener listener;
  /** Guarded by {@code this}. */
  private long done;
  private long total;
  private boolean complained;

  private ProgressReporter(ProgressListener listener, long total) {
    this.listener = listener;
    this.total = total;
  }

  /**
   * A reporter for a listener, or {@link #NONE} for none.
   *
   * @param listener the listener, or null
   * @param total the items in all, or {@link ProgressListener#UNKNOWN}
   * @return the reporter
   */
  static ProgressReporter of(ProgressListener listener, long total) {
    return listener == null ? NONE : new ProgressReporter(listener, total);
  }

  /** The total an input promises before it is read: a collection's size, else unknown. */
  static long expected(Iterable<?> items) {
    return items instanceof java.util.Collection ? ((java.util.Collection<?>) items).size() : ProgressListener.UNKNOWN;
  }

  /** A chunk of {@code items} items finished, whatever its outcome. */
  void finished(int items) {
    if (listener != null) {
      advance(items);
    }
  }

  /** The input ended after {@code items} items; tells the listener if they have all finished. */
  void inputEnded(long items) {
    if (listener != null) {
      end(items);
    }
  }

  private synchronized void advance(int items) {
    done += items;
    tell();
  }

  private synchronized void end(long items) {
    boolean first = total != items || done == 0;
    total = items;
    // Else the chunk that finished last already reported (total, total).
    if (done == total && first) {
      tell();
    }
  }

  private void tell() {
    try {
      listener.progress(done, total);
    } catch (RuntimeException | Error e) {
      if (!complained) {
        complained = true;
        LOG.warn("a map's progress listener threw at {} of {}; the map goes on, and later failures of this "
            + "listener are not logged", done, total, e);
      }
    }
  }
}
