package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;

/**
 * A barrier for a fixed number of parties, threads or processes: CPython's
 * {@code multiprocessing.Barrier} (a {@code threading.Barrier} whose state lives in shared
 * memory). Each party calls {@link #await()} (CPython's {@code wait()}); when the last one arrives,
 * the optional action runs once, in that party, and all of them go on. The barrier then serves the
 * next round.
 *
 * <p>A timeout (per call, or the barrier's default) breaks the barrier, as does {@link #abort()}, an
 * action that throws, or an interrupted waiter: every waiter then gets a
 * {@link BrokenBarrierException}, and so does every later {@code await} until {@link #reset()}.
 *
 * <p>Shared with children as a {@link io.github.multiprocessing4j.Process} argument, like
 * {@link Lock}; the action goes with it, so it must then be {@link Serializable} (e.g. a
 * {@code (Runnable & Serializable)} lambda). Waits park without using a core.
 *
 * <p><b>Lifetime.</b> Its shared memory stays while a process has a reachable object for it;
 * this process gives it up once its object is unreachable, except after serializing it (sending it
 * to another process): then this process keeps it until it exits. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p>Thread-safe.
 */
public final class Barrier implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int STATE = 0; // 0 filling, 1 draining, -1 resetting, -2 broken
  private static final int COUNT = 4;
  private static final int PARTIES = 8;

  private final transient SyncCell cell;
  private final transient Condition cond;
  private final transient Runnable action;
  private final transient Duration timeout;

  /**
   * Creates a barrier without action or default timeout.
   *
   * @param parties how many parties must arrive, at least 1
   * @throws IllegalArgumentException if {@code parties} is less than 1 (CPython accepts 0 and
   *     makes a barrier that never releases)
   */
  public Barrier(int parties) {
    this(parties, null, null);
  }

  /**
   * Creates a barrier.
   *
   * @param parties how many parties must arrive, at least 1
   * @param action run once per round by the last party to arrive, before any is released; null
   *     for none
   * @param timeout the default timeout of {@link #await()}; null for none; negative means 0
   * @throws IllegalArgumentException if {@code parties} is less than 1
   */
  public Barrier(int parties, Runnable action, Duration timeout) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be at least 1, not " + parties);
    }
    this.cond = new Condition(new Lock());
    this.action = action;
    this.timeout = timeout;
    this.cell = CellRegistry.create(null, "Barrier");
    cell.setInt(PARTIES, parties);
    CellRegistry.register(cell, this);
  }

  Barrier(SyncCell cell, Condition cond, Runnable action, Duration timeout) {
    this.cell = cell;
    this.cond = cond;
    this.action = action;
    this.timeout = timeout;
  }

  /**
   * Waits until every party has arrived, at most the barrier's default timeout.
   *
   * @return the arrival index, as in CPython: 0 for the first to arrive, {@code parties() - 1}
   *     for the last
   * @throws BrokenBarrierException if the barrier is or gets broken, or the timeout passes
   * @throws InterruptedException if interrupted while waiting; the barrier is broken for the others
   */
  public int await() throws BrokenBarrierException, InterruptedException {
    return await(timeout);
  }

  /**
   * Waits until every party has arrived, at most {@code timeout}: CPython's
   * {@code wait(timeout)}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return the arrival index: 0 for the first to arrive, {@code parties() - 1} for the last
   * @throws BrokenBarrierException if the barrier is or gets broken, or the timeout passes (which
   *     breaks it for every party)
   * @throws InterruptedException if interrupted while waiting; the barrier is broken for the others
   */
  public int await(Duration timeout) throws BrokenBarrierException, InterruptedException {
    long nanos = PythonForms.nanos(true, timeout);
    cond.acquire();
    try {
      enter();
      int index = cell.getInt(COUNT);
      cell.setInt(COUNT, index + 1);
      try {
        if (index + 1 == parties()) {
          releaseAll();
        } else {
          waitForRelease(nanos);
        }
        return index;
      } finally {
        cell.setInt(COUNT, cell.getInt(COUNT) - 1);
        exit();
      }
    } finally {
      cond.release();
    }
  }

  private void enter() throws BrokenBarrierException, InterruptedException {
    while (true) {
      int s = cell.getInt(STATE);
      if (s != -1 && s != 1) {
        break;
      }
      cond.await(); // draining or resetting: wait until it is done
    }
    if (cell.getInt(STATE) < 0) {
      throw new BrokenBarrierException();
    }
  }

  private void releaseAll() {
    try {
      if (action != null) {
        action.run();
      }
      cell.setInt(STATE, 1);
      cond.signalAll();
    } catch (RuntimeException | Error e) {
      breakIt();
      throw e;
    }
  }

  private void waitForRelease(long nanos) throws BrokenBarrierException, InterruptedException {
    boolean released;
    try {
      released = cond.waitFor(() -> cell.getInt(STATE) != 0,
          nanos == Long.MAX_VALUE ? null : Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      if (cell.getInt(STATE) == 0) { // (the lock is owned again here) still filling: break it
        breakIt();
        throw e;
      }
      // The round was released (or broken, or reset) before this thread could leave: as
      // CyclicBarrier, the interrupt is kept for later and the round's outcome stands. Breaking the
      // barrier here broke the next round for parties that had all arrived.
      Thread.currentThread().interrupt();
      released = true;
    }
    if (!released) {
      breakIt();
      throw new BrokenBarrierException();
    }
    if (cell.getInt(STATE) < 0) {
      throw new BrokenBarrierException();
    }
  }

  private void exit() {
    if (cell.getInt(COUNT) == 0) {
      int s = cell.getInt(STATE);
      if (s == -1 || s == 1) {
        cell.setInt(STATE, 0);
        cond.signalAll();
      }
    }
  }

  private void breakIt() {
    cell.setInt(STATE, -2);
    cond.signalAll();
  }

  /**
   * Puts the barrier back to its initial state; parties waiting now get a
   * {@link BrokenBarrierException}.
   *
   * @throws InterruptedException if interrupted while waiting for the barrier's lock
   */
  public void reset() throws InterruptedException {
    cond.acquire();
    try {
      if (cell.getInt(COUNT) > 0) {
        int s = cell.getInt(STATE);
        if (s == 0 || s == -2) {
          cell.setInt(STATE, -1); // cleared when the last waiter leaves
        }
      } else {
        cell.setInt(STATE, 0);
      }
      cond.signalAll();
    } finally {
      cond.release();
    }
  }

  /**
   * Breaks the barrier: parties waiting now and later get a {@link BrokenBarrierException} until
   * {@link #reset()}.
   *
   * @throws InterruptedException if interrupted while waiting for the barrier's lock
   */
  public void abort() throws InterruptedException {
    cond.acquire();
    try {
      breakIt();
    } finally {
      cond.release();
    }
  }

  /**
   * Returns the number of parties needed.
   *
   * @return the parties
   */
  public int parties() {
    return cell.getInt(PARTIES);
  }

  /**
   * Returns the number of parties waiting now: CPython's {@code n_waiting}.
   *
   * @return how many wait (0 while the barrier drains or is broken)
   */
  public int nWaiting() {
    return cell.getInt(STATE) == 0 ? cell.getInt(COUNT) : 0;
  }

  /**
   * Tells whether the barrier is broken: CPython's {@code broken}.
   *
   * @return whether it is broken
   */
  public boolean isBroken() {
    return cell.getInt(STATE) == -2;
  }

  /** CPython's repr: {@code <Barrier at 0x...: waiters=0/3>}, or {@code <Barrier at 0x...: broken>}. */
  @Override
  public String toString() {
    String at = "<Barrier at " + PythonForms.hex(this) + ": ";
    return isBroken() ? at + "broken>" : at + "waiters=" + nWaiting() + "/" + parties() + ">";
  }

  /**
   * Serializes a reference to the shared memory (with what else the object needs) instead of this
   * object, so that the process that reads it uses the same one.
   *
   * @return the reference
   */
  private Object writeReplace() {
    return SyncRefs.of(ObjectRef.Kind.BARRIER, cell, this, cond, action, timeout);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Barrier is deserialized through its reference only");
  }
}
