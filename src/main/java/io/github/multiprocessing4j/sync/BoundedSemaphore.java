package io.github.multiprocessing4j.sync;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;

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
 * <p><b>Lifetime.</b> Its shared memory stays while a process has a reachable object for it;
 * this process gives it up once its object is unreachable, except after serializing it (sending it
 * to another process): then this process keeps it until it exits. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}.
 */
public final class BoundedSemaphore extends SemaphoreBase {

  private static final long serialVersionUID = 1L;

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
    super(SemaphoreCore.create(value, true, "BoundedSemaphore"));
    CellRegistry.register(core.cell, this);
  }

  BoundedSemaphore(SyncCell cell) {
    super(new SemaphoreCore(cell));
  }

  /** CPython's repr, e.g. {@code <BoundedSemaphore(value=1, maxvalue=1)>}. */
  @Override
  public String toString() {
    return "<BoundedSemaphore(value=" + core.value() + ", maxvalue=" + core.max() + ")>";
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
}
