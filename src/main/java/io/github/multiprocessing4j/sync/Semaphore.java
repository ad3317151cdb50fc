package io.github.multiprocessing4j.sync;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;

/**
 * A counting semaphore shared by processes and threads: CPython's
 * {@code multiprocessing.Semaphore}. {@link #acquire} takes one unit, waiting while the value is 0;
 * {@link #release()} gives one back, without bound (see {@link BoundedSemaphore} for a bounded one).
 * Any thread of any process may release.
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
public final class Semaphore extends SemaphoreBase {

  private static final long serialVersionUID = 1L;

  /** Creates one with the value 1 (CPython's default). */
  public Semaphore() {
    this(1);
  }

  /**
   * Creates one with the given value.
   *
   * @param value the initial value
   * @throws IllegalArgumentException if it is negative (CPython raises {@code OSError(22)})
   */
  public Semaphore(int value) {
    super(SemaphoreCore.create(value, false, "Semaphore"));
    CellRegistry.register(core.cell, this);
  }

  Semaphore(SyncCell cell) {
    super(new SemaphoreCore(cell));
  }

  /** CPython's repr, e.g. {@code <Semaphore(value=2)>}. */
  @Override
  public String toString() {
    return "<Semaphore(value=" + core.value() + ")>";
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Semaphore is deserialized through its reference only");
  }
}
