package io.github.multiprocessing4j.sync;


/** The counter of {@link Semaphore} and {@link BoundedSemaphore}: the value and the bound in shared memory. */
final class SemaphoreCore {

  static final int VALUE = 0; // int
  static final int MAX = 4; // int: the bound, or -1 for none

  final SyncCell cell;

  SemaphoreCore(SyncCell cell) {
    this.cell = cell;
  }

  static SemaphoreCore create(int value, boolean bounded, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " value must be >= 0, not " + value);
    }
    SyncCell c = CellRegistry.create(null, what);
    c.setInt(VALUE, value);
    c.setInt(MAX, bounded ? value : -1);
    return new SemaphoreCore(c);
  }

  boolean acquire(long nanos) throws InterruptedException {
    return cell.await(slow -> {
      int v = cell.getInt(VALUE);
      return v > 0 && cell.casInt(VALUE, v, v - 1);
    }, nanos); // not hot: a semaphore mostly signals, and its waiter wants the wake, not a poll
  }

  void release() {
    int max = cell.getInt(MAX);
    while (true) {
      int v = cell.getInt(VALUE);
      if ((max >= 0 && v >= max) || v == Integer.MAX_VALUE) {
        throw new IllegalStateException("semaphore or lock released too many times");
      }
      if (cell.casInt(VALUE, v, v + 1)) {
        break;
      }
    }
    cell.wakeAll();
  }

  int value() {
    return cell.getInt(VALUE);
  }

  int max() {
    return cell.getInt(MAX);
  }
}
