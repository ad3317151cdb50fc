package io.github.multiprocessing4j.managers;

import java.time.Duration;

/**
 * A managed lock or semaphore: CPython's {@code AcquirerProxy}, the proxy of a manager's
 * {@code Lock}, {@code RLock}, {@code Semaphore} and {@code BoundedSemaphore} (the
 * {@code threading} classes, living in the manager's process). Made by {@link SyncManager#lock()},
 * {@link SyncManager#rLock()}, {@link SyncManager#semaphore(int)} and
 * {@link SyncManager#boundedSemaphore(int)}; shaped like the library's own
 * {@link io.github.multiprocessing4j.sync.Lock}.
 *
 * <pre>{@code
 * AcquirerProxy lock = manager.lock();
 * try (AcquirerProxy.Hold h = lock.hold()) {
 *   counter.set(counter.get() + 1);   // one process at a time here
 * }
 * }</pre>
 *
 * <p><b>Owners.</b> A lock is held by a thread of a process: an {@code RLock} may be acquired
 * again by its owner, and released only by it; a {@code Lock} may be released by any thread of any
 * process, as CPython's. A lock held by a process that dies stays held (as CPython's manager locks
 * and unlike {@link io.github.multiprocessing4j.sync.Lock}, which is robust).
 *
 * <p><b>Waiting.</b> A blocking acquire waits in the manager's process, holding one of this
 * process's connections to it. A thread interrupted while it waits gets a
 * {@link io.github.multiprocessing4j.connection.ConnectionException} ({@code "interrupted ..."},
 * its interrupt flag kept), and the manager gives back what the call then takes for it (it
 * finds the connection closed before it replies). Waits never use a core.
 *
 * <p>Thread-safe. A failure of the manager is a
 * {@link io.github.multiprocessing4j.connection.ConnectionException}, as for every proxy.
 */
public interface AcquirerProxy {

  /**
   * Acquires, waiting as long as it takes: CPython's {@code acquire()}.
   *
   * @return true
   */
  boolean acquire();

  /**
   * Acquires, waiting at most {@code timeout}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether it was acquired
   */
  boolean acquire(Duration timeout);

  /**
   * Acquires: CPython's {@code acquire(blocking, timeout)}.
   *
   * @param block whether to wait; if false the timeout is ignored and the call returns at once
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether it was acquired
   */
  boolean acquire(boolean block, Duration timeout);

  /**
   * Releases one level (a lock, an RLock's level, a semaphore's unit).
   *
   * @throws IllegalStateException a {@code Lock} not held: {@code "release unlocked lock"}; a
   *     {@code BoundedSemaphore} above its initial value: {@code "Semaphore released too many
   *     times"} (CPython's {@code RuntimeError} and {@code ValueError})
   * @throws IllegalMonitorStateException an {@code RLock} (or a {@code Condition}'s) that the
   *     calling thread does not own: {@code "cannot release un-acquired lock"}
   */
  void release();

  /**
   * Acquires, waiting as long as it takes, for try-with-resources: the hold releases once when
   * closed. Runs in this process, as an {@link #acquire()} then a {@link #release()}.
   *
   * @return the hold
   */
  default Hold hold() {
    acquire();
    return new Hold(this);
  }

  /**
   * Acquires, waiting at most {@code timeout}, for try-with-resources.
   *
   * @param timeout the longest wait; negative means 0
   * @return the hold, or null if it was not acquired in time
   * @throws NullPointerException if {@code timeout} is null
   */
  default Hold hold(Duration timeout) {
    java.util.Objects.requireNonNull(timeout, "timeout");
    return acquire(true, timeout) ? new Hold(this) : null;
  }

  /**
   * A managed lock or semaphore held, for try-with-resources: {@link #close()} releases it once.
   * Not thread-safe: meant for the thread that took it.
   */
  final class Hold implements AutoCloseable {
    private final AcquirerProxy acquirer;
    private boolean closed;

    private Hold(AcquirerProxy acquirer) {
      this.acquirer = acquirer;
    }

    /**
     * Releases the lock or semaphore, the first time only.
     *
     * @throws IllegalStateException or {@link IllegalMonitorStateException} as
     *     {@link AcquirerProxy#release()}
     */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        acquirer.release();
      }
    }
  }
}
