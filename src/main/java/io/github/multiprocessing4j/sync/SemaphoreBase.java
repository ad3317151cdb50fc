package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Semaphore} and {@link BoundedSemaphore} share: everything but how they are made and
 * their repr (the bound lives in {@link SemaphoreCore}), as CPython's {@code BoundedSemaphore} is
 * a {@code Semaphore} whose release checks the bound. Package-private: its public methods are
 * documented as the two classes' own.
 */
abstract class SemaphoreBase implements Serializable {

  private static final long serialVersionUID = 1L;

  final transient SemaphoreCore core;

  SemaphoreBase(SemaphoreCore core) {
    this.core = core;
  }

  /**
   * Takes a unit, waiting as long as it takes.
   *
   * @return true
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire() throws InterruptedException {
    return acquire(true, null);
  }

  /**
   * Takes a unit, waiting at most {@code timeout}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether a unit was taken
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(true, timeout);
  }

  /**
   * Takes a unit as CPython's {@code acquire(block, timeout)}.
   *
   * @param block whether to wait; if false the timeout is ignored
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether a unit was taken
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire(boolean block, Duration timeout) throws InterruptedException {
    return core.acquire(PythonForms.nanos(block, timeout));
  }

  /**
   * Gives a unit back, waking a waiter.
   *
   * @throws IllegalStateException {@code "semaphore or lock released too many times"} if a
   *     {@link BoundedSemaphore} is at its initial value (CPython's {@code ValueError}), or if the
   *     value would exceed {@link Integer#MAX_VALUE}
   */
  public void release() {
    core.release();
  }

  /**
   * Takes a unit and returns a handle that gives it back, for try-with-resources.
   *
   * @return the hold ({@link Held#ownerDied()} is always false)
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold() throws InterruptedException {
    acquire();
    return new Held(this::release);
  }

  /**
   * Tries to take a unit within {@code timeout}, returning a handle that gives it back.
   *
   * @param timeout the longest wait; negative means 0
   * @return the hold, or null if no unit was taken in time
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return acquire(timeout) ? new Held(this::release) : null;
  }

  /**
   * Returns the current value: CPython's {@code get_value()}.
   *
   * @return the value
   */
  public int getValue() {
    return core.value();
  }

  SyncCell cell() {
    return core.cell;
  }

  /**
   * Serializes a reference to the shared memory (with what else the object needs) instead of this
   * object, so that the process that reads it uses the same one. Package-private, not private, so
   * that serialization finds it for the two subclasses.
   *
   * @return the reference
   */
  Object writeReplace() {
    return SyncRefs.of(this instanceof BoundedSemaphore ? ObjectRef.Kind.BOUNDED_SEMAPHORE : ObjectRef.Kind.SEMAPHORE,
        core.cell, this);
  }
}
