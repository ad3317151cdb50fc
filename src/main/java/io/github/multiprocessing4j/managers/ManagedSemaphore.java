package io.github.multiprocessing4j.managers;

import java.time.Duration;

/**
 * The object behind a managed {@code Semaphore} or {@code BoundedSemaphore}, in the manager's
 * process: a counter on a monitor. Anyone may release, as CPython's; a bounded one refuses to go
 * above its initial value.
 */
final class ManagedSemaphore implements AcquirerProxy, Undoable {

  private final boolean bounded;
  private final int initial;
  private int value; // guarded by this
  private int waiting; // guarded by this; shown by toString, for diagnostics

  ManagedSemaphore(int value, boolean bounded) {
    if (value < 0) {
      throw new IllegalArgumentException("semaphore initial value must be >= 0");
    }
    this.bounded = bounded;
    this.initial = value;
    this.value = value;
  }

  static ManagedSemaphore fromArgs(Object[] args, boolean bounded) {
    return new ManagedSemaphore(args.length == 0 ? 1 : (Integer) args[0], bounded);
  }

  @Override
  public boolean acquire() {
    return acquire(true, null);
  }

  @Override
  public boolean acquire(Duration timeout) {
    return acquire(true, timeout);
  }

  @Override
  public synchronized boolean acquire(boolean block, Duration timeout) {
    waiting++;
    boolean got;
    try {
      got = ServerWaits.until(this, () -> value > 0, block, timeout);
    } finally {
      waiting--;
    }
    if (!got) {
      return false;
    }
    value--;
    return true;
  }

  @Override
  public synchronized void release() {
    if (bounded && value >= initial) {
      throw new IllegalStateException("Semaphore released too many times");
    }
    value++;
    notifyAll();
  }

  @Override
  public boolean takes(String method) {
    return method.equals("acquire");
  }

  @Override
  public synchronized void undo(String caller, String method, Object[] args, Object result) {
    if (method.equals("acquire") && Boolean.TRUE.equals(result)) {
      value++;
      notifyAll();
    }
  }

  @Override
  public synchronized String toString() {
    String w = waiting == 0 ? "" : ", waiting=" + waiting;
    return bounded ? "<BoundedSemaphore(value=" + value + ", maxvalue=" + initial + w + ")>"
        : "<Semaphore(value=" + value + w + ")>";
  }
}
