package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;

/**
 * A managed barrier: CPython's {@code BarrierProxy}, the proxy of a manager's
 * {@code threading.Barrier}, made by {@link SyncManager#barrier(int)}; named as the library's
 * {@link io.github.multiprocessing4j.sync.Barrier} ({@code await} is CPython's {@code wait}). Each
 * party, a thread of any process, calls {@link #await()}; when the last arrives, the barrier's
 * action (if any) runs once in the manager's process, and all go on; the barrier then serves the
 * next round.
 *
 * <p>A timeout (per call or the barrier's default), {@link #abort()} or an action that throws
 * breaks it: every waiter, and every later {@code await} until {@link #reset()}, gets a
 * {@link BrokenBarrierException} (CPython's {@code BrokenBarrierError}). Waits happen in the
 * manager's process: an interrupted waiter gets a
 * {@link io.github.multiprocessing4j.connection.ConnectionException}, and the barrier is not
 * broken by it (it waits on for the others, as CPython's manager barrier). Thread-safe.
 */
public interface BarrierProxy {

  /**
   * Waits for every party, with the barrier's default timeout if it has one.
   *
   * @return the arrival index, as CPython's: 0 for the first to arrive, {@code parties() - 1} for
   *     the last
   * @throws BrokenBarrierException if the barrier is or gets broken, or the timeout passes (which
   *     breaks it)
   */
  int await() throws BrokenBarrierException;

  /**
   * Waits for every party, at most {@code timeout}.
   *
   * @param timeout the longest wait; null for the barrier's default; negative means 0
   * @return the arrival index: 0 for the first to arrive, {@code parties() - 1} for the last
   * @throws BrokenBarrierException if the barrier is or gets broken, or the timeout passes (which
   *     breaks it)
   */
  int await(Duration timeout) throws BrokenBarrierException;

  /** Breaks the barrier: current and later waiters get a {@link BrokenBarrierException}. */
  void abort();

  /**
   * Makes the barrier usable again: current waiters get a {@link BrokenBarrierException}, later
   * ones wait for a new round.
   */
  void reset();

  /**
   * Returns how many parties must arrive.
   *
   * @return the parties
   */
  int parties();

  /**
   * Returns how many parties wait now: CPython's {@code n_waiting}.
   *
   * @return how many wait (0 while the barrier drains or is broken)
   */
  int nWaiting();

  /**
   * Returns whether the barrier is broken: CPython's {@code broken}.
   *
   * @return whether it is broken
   */
  boolean isBroken();
}
