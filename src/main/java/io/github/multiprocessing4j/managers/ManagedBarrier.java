package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;

/**
 * The object behind a managed {@code Barrier}, in the manager's process: CPython's
 * {@code threading.Barrier} on a monitor, with its states (filling, draining, resetting, broken).
 */
final class ManagedBarrier implements BarrierProxy {

  private static final int FILLING = 0;
  private static final int DRAINING = 1;
  private static final int RESETTING = -1;
  private static final int BROKEN = -2;

  private final int parties;
  private final Runnable action; // null: none
  private final Duration timeout; // null: none
  private int state = FILLING; // guarded by this
  private int count; // guarded by this

  ManagedBarrier(int parties, Runnable action, Duration timeout) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be at least 1, not " + parties);
    }
    this.parties = parties;
    this.action = action;
    this.timeout = timeout;
  }

  static ManagedBarrier fromArgs(Object[] args) {
    return new ManagedBarrier((Integer) args[0], args.length > 1 ? (Runnable) args[1] : null,
        args.length > 2 ? (Duration) args[2] : null);
  }

  @Override
  public int await() throws BrokenBarrierException {
    return await(null);
  }

  @Override
  public synchronized int await(Duration t) throws BrokenBarrierException {
    Duration wait = t != null ? t : timeout;
    ServerWaits.until(this, () -> state != DRAINING && state != RESETTING, true, null);
    if (state < 0) {
      throw new BrokenBarrierException();
    }
    int index = count++;
    try {
      if (index + 1 == parties) {
        trip();
      } else if (!ServerWaits.until(this, () -> state != FILLING, true, wait)) {
        breakIt();
        throw new BrokenBarrierException();
      } else if (state < 0) {
        throw new BrokenBarrierException();
      }
      return index;
    } finally {
      count--;
      if (count == 0 && (state == RESETTING || state == DRAINING)) {
        state = FILLING;
        notifyAll();
      }
    }
  }

  private void trip() {
    try {
      if (action != null) {
        action.run();
      }
    } catch (RuntimeException | Error e) {
      breakIt();
      throw e;
    }
    state = DRAINING;
    notifyAll();
  }

  private void breakIt() {
    state = BROKEN;
    notifyAll();
  }

  @Override
  public synchronized void abort() {
    breakIt();
  }

  @Override
  public synchronized void reset() {
    if (count > 0) {
      if (state == FILLING || state == BROKEN) {
        state = RESETTING;
      }
    } else {
      state = FILLING;
    }
    notifyAll();
  }

  @Override
  public int parties() {
    return parties;
  }

  @Override
  public synchronized int nWaiting() {
    return state == FILLING ? count : 0;
  }

  @Override
  public synchronized boolean isBroken() {
    return state == BROKEN;
  }

  @Override
  public synchronized String toString() {
    return state == BROKEN ? "<Barrier: broken>" : "<Barrier: waiters=" + nWaiting() + "/" + parties + ">";
  }
}
