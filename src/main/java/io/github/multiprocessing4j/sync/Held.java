package io.github.multiprocessing4j.sync;

/**
 * A lock or semaphore held by the current thread, for try-with-resources: {@link #close()}
 * releases it once.
 *
 * <pre>{@code
 * try (Held held = lock.hold()) {
 *   if (held.ownerDied()) {
 *     repairSharedState();   // the previous owner died holding the lock
 *   }
 *   ...
 * }
 * }</pre>
 *
 * <p>Not thread-safe: meant for the thread that took it (a {@link Lock} may still be released by
 * another thread or process, as in CPython; {@code close()} then releases it again, which fails).
 */
public final class Held implements AutoCloseable {

  private final Runnable release;
  private final boolean ownerDied;
  private final Runnable told;
  private boolean closed;

  Held(Runnable release, boolean ownerDied, Runnable told) {
    this.release = release;
    this.ownerDied = ownerDied;
    this.told = told;
  }

  Held(Runnable release) {
    this(release, false, null);
  }

  /**
   * Tells whether this hold was taken over from a process that died holding the lock (as a robust
   * mutex's {@code EOWNERDEAD}): the state the lock protects may be half-updated, and this holder
   * should repair it. Always false for semaphores. A holder that took the lock over and releases
   * it without having called this (or the lock's {@code ownerDied()}) is logged at WARN.
   *
   * @return whether the previous owner died holding it
   */
  public boolean ownerDied() {
    if (ownerDied && told != null) {
      told.run();
    }
    return ownerDied;
  }

  /**
   * Releases the lock or semaphore; later calls do nothing.
   *
   * @throws IllegalStateException or {@link IllegalMonitorStateException} as the object's
   *     {@code release()} does, if it was released meanwhile by other means
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.run();
    }
  }
}
