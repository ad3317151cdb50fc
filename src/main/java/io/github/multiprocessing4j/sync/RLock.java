package io.github.multiprocessing4j.sync;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import org.slf4j.Logger;
import io.github.multiprocessing4j.internal.runtime.Log;

/**
 * A recursive lock shared by processes and threads: CPython's {@code multiprocessing.RLock}. It is
 * owned by one thread of one process, which may acquire it again (each acquire needs its release);
 * only the owner may release it.
 *
 * <p>Shared with children as {@link Lock} is (a {@link io.github.multiprocessing4j.Process}
 * argument), robust as {@link Lock} is (a process that died holding it does not keep it:
 * {@link #ownerDied()}), and waits as {@link Lock} does (spin briefly, then park, interruptibly).
 *
 * <p>It also is a {@link java.util.concurrent.locks.Lock} with the contract of
 * {@link java.util.concurrent.locks.ReentrantLock} ({@link #unlock()} by a non-owner throws
 * {@link IllegalMonitorStateException}); {@link #newCondition()} is not supported (use
 * {@link Condition#Condition(RLock)}).
 *
 * <p><b>Lifetime.</b> Its shared memory stays while a process has a reachable object for it;
 * this process gives it up once its object is unreachable, except after serializing it (sending it
 * to another process): then this process keeps it until it exits. While a thread of this process
 * holds it, the object is kept too (it records which thread holds it, and how often), so a
 * reference read meanwhile resolves to it. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}.
 */
public final class RLock extends LockBase {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Log.get(RLock.class);

  // Plain fields, written only by the owning thread: a thread can see itself as the owner only
  // through its own write, which nothing but its own release undoes, so no fence is needed, and
  // re-entry and release touch no shared memory (the cost of CPython's `v.value += 1` under the lock).
  private transient Thread ownerThread; // in the owning JVM
  private transient int count; // guarded by ownership
  private transient boolean ownerDied; // guarded by ownership

  /** Creates an unlocked recursive lock. */
  public RLock() {
    super(CellRegistry.create(null, "RLock"));
    CellRegistry.register(cell, this);
  }

  RLock(SyncCell cell) {
    super(cell);
  }

  @Override
  boolean take(long nanos) throws InterruptedException {
    Thread t = Thread.currentThread();
    if (ownerThread == t) {
      count++;
      return true;
    }
    long me = ProcessToken.self();
    if (!cell.casLong(OWNER, 0, me) && !cell.await(slow -> tryTake(me, slow), nanos, true)) {
      return false;
    }
    ownerThread = t;
    count = 1;
    // Kept while held: the registry holds this object weakly, and one collected while held left
    // this JVM owning the lock with a fresh object (read again from a reference) that did not know
    // it: release() threw, acquire() waited for ever, other processes until this one exited.
    cell.anchor(this);
    return true;
  }

  private boolean tryTake(long me, boolean slow) {
    long v = cell.getLong(OWNER);
    if (v == 0) {
      return cell.casLong(OWNER, 0, me);
    }
    if (takeOver(v, me, slow)) {
      ownerDied = true;
      return true;
    }
    return false;
  }

  /**
   * Releases one level of the lock; the last release unlocks it.
   *
   * @throws IllegalMonitorStateException {@code "attempt to release recursive lock not owned by
   *     thread"} if the current thread does not own it (CPython's {@code AssertionError})
   */
  @Override
  public void release() {
    if (ownerThread != Thread.currentThread()) {
      throw new IllegalMonitorStateException("attempt to release recursive lock not owned by thread");
    }
    if (--count > 0) {
      return;
    }
    ownerThread = null;
    cell.anchor(null); // before the release: the next owner's anchor comes after it
    if (ownerDied) {
      ownerDied = false;
      warnIfUnasked(LOG);
    }
    cell.setLong(OWNER, 0);
    cell.wakeAll();
  }

  @Override
  Held heldNow() {
    return held(count == 1 && ownerDied);
  }

  /**
   * Tells whether the current thread owns the lock by having taken it over from a process that
   * died holding it; false once it is fully released. Calling it counts as having been told.
   *
   * @return whether the previous owner died holding it
   */
  public boolean ownerDied() {
    if (!isMine()) {
      return false;
    }
    ownerDiedSeen = true;
    return ownerDied;
  }

  /** Whether the current thread owns it. */
  boolean isMine() {
    return ownerThread == Thread.currentThread();
  }

  /** Releases every level; returns how many (the owner only). */
  int releaseAll() {
    int n = count;
    count = 1;
    release();
    return n;
  }

  /** Acquires {@code n} levels, uninterruptibly. */
  void reacquire(int n) {
    lock();
    count = n;
  }

  /** Acquires the lock, waiting uninterruptibly. */
  @Override
  public void lock() {
    if (ownerThread == Thread.currentThread()) { // re-entry: kept small enough to inline
      count++;
      return;
    }
    lockUninterruptibly();
  }

  /**
   * Acquires the lock if it is free now or owned by the current thread.
   *
   * @return whether it was acquired
   */
  @Override
  public boolean tryLock() {
    return takeNow();
  }

  /**
   * Releases one level, as {@link #release()}.
   *
   * @throws IllegalMonitorStateException if the current thread does not own it
   */
  @Override
  public void unlock() {
    release();
  }

  /**
   * Not supported: use {@link Condition#Condition(RLock)}, which works across processes.
   *
   * @return never
   * @throws UnsupportedOperationException always
   */
  @Override
  public java.util.concurrent.locks.Condition newCondition() {
    throw new UnsupportedOperationException("use new io.github.multiprocessing4j.sync.Condition(rlock)");
  }

  /**
   * CPython's repr: {@code <RLock(None, 0)>}, {@code <RLock(MainProcess, 2)>},
   * {@code <RLock(SomeOtherThread, nonzero)>} or {@code <RLock(SomeOtherProcess, nonzero)>}.
   */
  @Override
  public String toString() {
    Thread owner = ownerThread;
    String holder = holder(owner);
    if (holder == null) {
      return "<RLock(None, 0)>";
    }
    return "<RLock(" + holder + ", " + (owner == Thread.currentThread() ? String.valueOf(count) : "nonzero") + ")>";
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("an RLock is deserialized through its reference only");
  }
}
