package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.SyncCell;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A semaphore whose value may not exceed its initial value, shared by processes and threads:
 * CPython's {@code multiprocessing.BoundedSemaphore}. {@link #release()} beyond the initial
 * value fails. Any thread of any process may release.
 *
 * <p>Shared with children as a {@link io.github.multiprocessing4j.Process} argument, like
 * {@link Lock}. Not robust: a semaphore has no owner, so units taken by a process that died are
 * not given back. Uncontended acquire and release are one compare-and-set each; a waiter spins
 * briefly, then parks without using a core; waits can be interrupted.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}.
 */
public final class BoundedSemaphore implements Serializable {

  private static final long serialVersionUID = 1L;

  private final transient SemaphoreCore core;

  /** Creates one with the value 1 (CPython's default). */
  public BoundedSemaphore() {
    this(1);
  }

  /**
   * Creates one with the given value.
   *
   * @param value the initial value
   * @throws IllegalArgumentException if it is negative (CPython raises {@code OSError(22)})
   */
  public BoundedSemaphore(int value) {
    this.core = SemaphoreCore.create(value, true, "BoundedSemaphore");
    Cells.register(core.cell, this);
  }

  private BoundedSemaphore(SyncCell cell) {
    this.core = new SemaphoreCore(cell);
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
    return core.acquire(Cells.nanos(block, timeout));
  }

  /**
   * Gives a unit back, waking a waiter.
   *
   * @throws IllegalStateException {@code "semaphore or lock released too many times"} if the value
   *     is at its initial value (CPython's {@code ValueError})
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

  /** CPython's repr, e.g. {@code <BoundedSemaphore(value=1, maxvalue=1)>}. */
  @Override
  public String toString() {
    return "<BoundedSemaphore(value=" + core.value() + ", maxvalue=" + core.max() + ")>";
  }

  SyncCell cell() {
    return core.cell;
  }

  /**
   * Serializes a reference to the shared memory (with what else the object needs) instead of this
   * object, so that the process that reads it uses the same one.
   *
   * @return the reference
   */
  private Object writeReplace() {
    return new Ref(core.cell.name());
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a BoundedSemaphore is deserialized through its reference only");
  }

  /** The serialized form: the name of its shared memory. */
  private static final class Ref implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The name of the shared memory. */
    private final String name;

    Ref(String name) {
      this.name = name;
    }

    /**
     * Resolves to this process's object for the shared memory, attaching it on first use.
     *
     * @return the object
     * @throws InvalidObjectException if the shared memory no longer exists or is another kind
     */
    private Object readResolve() throws InvalidObjectException {
      return Cells.resolve(name, BoundedSemaphore.class, BoundedSemaphore::new);
    }
  }
}
