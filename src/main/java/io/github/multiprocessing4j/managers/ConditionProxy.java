package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A managed condition variable: CPython's {@code ConditionProxy}, the proxy of a manager's
 * {@code threading.Condition}. Made by {@link SyncManager#condition()} (with a new managed RLock)
 * or {@link SyncManager#condition(AcquirerProxy)} (with a managed {@code Lock} or {@code RLock} of
 * the same manager). Named as the library's {@link io.github.multiprocessing4j.sync.Condition}:
 * {@code await} is CPython's {@code wait}, {@code signal} its {@code notify} ({@code wait} and
 * {@code notify} are {@link Object}'s in Java).
 *
 * <pre>{@code
 * try (AcquirerProxy.Hold h = cond.hold()) {
 *   cond.waitFor(() -> ready.get());   // a predicate on managed state, checked here
 * }
 * }</pre>
 *
 * <p>Its {@link #acquire()} and {@link #release()} are those of its lock; its waiters are threads
 * of any process. Waits happen in the manager's process, as {@link AcquirerProxy}'s (an
 * interrupted waiter gets a {@link io.github.multiprocessing4j.connection.ConnectionException}).
 * Thread-safe.
 */
public interface ConditionProxy extends AcquirerProxy {

  /**
   * Releases the lock, waits until signalled, then acquires the lock again: CPython's
   * {@code wait()}.
   *
   * @return true
   * @throws IllegalMonitorStateException {@code "cannot wait on un-acquired lock"} if the calling
   *     thread does not own the lock
   */
  boolean await();

  /**
   * Releases the lock, waits until signalled or the timeout passes, then acquires the lock again
   * (however long that takes): CPython's {@code wait(timeout)}.
   *
   * @param timeout the longest wait for a signal; null for ever; negative means 0
   * @return true if signalled, false on timeout
   * @throws IllegalMonitorStateException {@code "cannot wait on un-acquired lock"} if the calling
   *     thread does not own the lock
   */
  boolean await(Duration timeout);

  /**
   * Waits until {@code predicate} is true: CPython's {@code wait_for(predicate)}. The predicate
   * runs in this process, with the lock owned, first before any wait (CPython's proxy does the
   * same).
   *
   * @param predicate checked with the lock owned
   * @return true
   * @throws IllegalMonitorStateException if the calling thread does not own the lock and must wait
   */
  default boolean waitFor(BooleanSupplier predicate) {
    return waitFor(predicate, null);
  }

  /**
   * Waits until {@code predicate} is true or the timeout passes: CPython's
   * {@code wait_for(predicate, timeout)}.
   *
   * @param predicate checked in this process with the lock owned, first before any wait
   * @param timeout the longest wait; null for ever; negative means 0
   * @return the predicate's last value (false after a timeout)
   * @throws IllegalMonitorStateException if the calling thread does not own the lock and must wait
   */
  default boolean waitFor(BooleanSupplier predicate, Duration timeout) {
    java.util.Objects.requireNonNull(predicate, "predicate");
    boolean result = predicate.getAsBoolean();
    long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(0, timeout.toNanos());
    while (!result) {
      Duration wait = null;
      if (timeout != null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        wait = Duration.ofNanos(left);
      }
      await(wait);
      result = predicate.getAsBoolean();
    }
    return result;
  }

  /**
   * Wakes one waiter, if any: CPython's {@code notify()}.
   *
   * @throws IllegalMonitorStateException {@code "cannot notify on un-acquired lock"} if the calling
   *     thread does not own the lock
   */
  void signal();

  /**
   * Wakes up to {@code n} waiters: CPython's {@code notify(n)}.
   *
   * @param n how many at most; 0 or less wakes none
   * @throws IllegalMonitorStateException {@code "cannot notify on un-acquired lock"} if the calling
   *     thread does not own the lock
   */
  void signal(int n);

  /**
   * Wakes every waiter: CPython's {@code notify_all()}.
   *
   * @throws IllegalMonitorStateException {@code "cannot notify on un-acquired lock"} if the calling
   *     thread does not own the lock
   */
  void signalAll();
}
