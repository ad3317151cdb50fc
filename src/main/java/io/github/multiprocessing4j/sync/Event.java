package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;

/**
 * A flag shared by processes and threads that waiters wait for: CPython's
 * {@code multiprocessing.Event}. {@link #set()} sets it and wakes every waiter; {@link #clear()}
 * resets it; {@link #await()} waits until it is set (CPython's {@code wait()}, renamed because
 * {@link Object#wait()} is final).
 *
 * <p>Shared with children as a {@link io.github.multiprocessing4j.Process} argument, like
 * {@link Lock}. A waiter spins briefly, then parks without using a core; waits can be interrupted.
 * {@link #isSet()} is one volatile read, {@link #set()} one write plus a wake when someone waits.
 *
 * <p><b>Lifetime.</b> Its shared memory stays while a process has a reachable object for it;
 * this process gives it up once its object is unreachable, except after serializing it (sending it
 * to another process): then this process keeps it until it exits. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p>Thread-safe.
 */
public final class Event implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int FLAG = 0;
  /**
   * Moved by every {@link #set()}: a waiter that sees it move was woken by a set, even if a
   * {@link #clear()} came before it could look at the flag (CPython's set wakes every thread
   * waiting at that time; without this, {@code set(); clear();} lost the wake).
   */
  private static final int SETS = 4;

  private final transient SyncCell cell;

  /** Creates an event that is not set. */
  public Event() {
    this.cell = CellRegistry.create(this, "Event");
    CellRegistry.register(cell, this);
  }

  Event(SyncCell cell) {
    this.cell = cell;
  }

  /**
   * Tells whether the flag is set: CPython's {@code is_set()}.
   *
   * @return whether it is set
   */
  public boolean isSet() {
    return cell.getInt(FLAG) != 0;
  }

  /** Sets the flag and wakes every waiter, in every process. */
  public void set() {
    cell.setInt(FLAG, 1);
    cell.getAndAddInt(SETS, 1); // after the flag: a waiter that sees the count move returns
    cell.wakeAll();
  }

  /** Resets the flag. */
  public void clear() {
    cell.setInt(FLAG, 0);
  }

  /**
   * Waits until the flag is set: CPython's {@code wait()}.
   *
   * @return true
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean await() throws InterruptedException {
    return await(null);
  }

  /**
   * Waits until the flag is set, at most {@code timeout}: CPython's {@code wait(timeout)}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return true if it is set (also when it already was, or when it was set while this thread
   *     waited and cleared again before it woke), false on timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean await(Duration timeout) throws InterruptedException {
    int sets = cell.getInt(SETS); // read before the flag: a set after this read is seen either way
    return cell.await(slow -> cell.getInt(FLAG) != 0 || cell.getInt(SETS) != sets, PythonForms.nanos(true, timeout));
  }

  /** CPython's repr: {@code <Event at 0x... set>} or {@code <Event at 0x... unset>}. */
  @Override
  public String toString() {
    return "<Event at " + PythonForms.hex(this) + (isSet() ? " set>" : " unset>");
  }

  SyncCell cell() {
    return cell;
  }

  /**
   * Serializes a reference to the shared memory (with what else the object needs) instead of this
   * object, so that the process that reads it uses the same one.
   *
   * @return the reference
   */
  private Object writeReplace() {
    return SyncRefs.of(ObjectRef.Kind.EVENT, cell, this);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("an Event is deserialized through its reference only");
  }
}
