package io.github.multiprocessing4j.managers;

import java.time.Duration;

/**
 * A managed event: CPython's {@code EventProxy}, the proxy of a manager's
 * {@code threading.Event}, made by {@link SyncManager#event()}; named as the library's
 * {@link io.github.multiprocessing4j.sync.Event} ({@code await} is CPython's {@code wait}). A flag
 * that any process sets or clears, and for which any thread of any process waits (in the manager's
 * process: an interrupted waiter gets a
 * {@link io.github.multiprocessing4j.connection.ConnectionException}). Thread-safe.
 */
public interface EventProxy {

  /**
   * Returns whether the flag is set: CPython's {@code is_set()}.
   *
   * @return whether it is set
   */
  boolean isSet();

  /** Sets the flag and wakes every waiter. */
  void set();

  /** Resets the flag. */
  void clear();

  /**
   * Waits until the flag is set.
   *
   * @return true
   */
  boolean await();

  /**
   * Waits until the flag is set or the timeout passes: CPython's {@code wait(timeout)}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return true if it is set (also when it already was), false on timeout
   */
  boolean await(Duration timeout);
}
