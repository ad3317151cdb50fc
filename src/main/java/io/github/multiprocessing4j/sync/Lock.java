package io.github.multiprocessing4j.sync;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import org.slf4j.Logger;
import io.github.multiprocessing4j.internal.runtime.Log;

/**
 * A non-recursive lock shared by processes and threads: CPython's
 * {@code multiprocessing.Lock}. Once a process or thread has acquired it, any later attempt to
 * acquire it blocks until it is released; any thread of any process may release it.
 *
 * <pre>{@code
 * Lock lock = new Lock();
 * Process p = Process.builder().target(args -> {
 *   Lock l = args.get(0, Lock.class);
 *   try (Held held = l.hold()) {
 *     // one process at a time here
 *   }
 * }).args(lock).build();
 * }</pre>
 *
 * <p><b>Sharing.</b> Pass it to children as a {@link io.github.multiprocessing4j.Process} argument
 * (to several children, to grandchildren); every process then uses the same lock, which lives in
 * shared memory as long as some process that has it runs.
 *
 * <p><b>Lifetime.</b> A process has the lock while it has a reachable {@code Lock} object for it:
 * once the object is unreachable, the process gives its shared memory up (the file is deleted when
 * no process has it), so making one lock per request does not leak. Except after serializing it
 * (a {@code Process} argument, a queue item, a pipe message): the process that serialized it then
 * keeps it until it exits, since the reader attaches it by name, maybe minutes later. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p><b>Robust.</b> Unlike CPython's, a lock held by a process that died (even by {@code SIGKILL})
 * is not held for ever: a waiting acquirer checks the owner's liveness about every 100 ms, and takes
 * the lock over; {@link #ownerDied()} (and {@link Held#ownerDied()}) then tell it so, until it
 * releases the lock. A holder that releases without having asked is logged at WARN, so the event
 * is not lost silently.
 *
 * <p><b>Waiting.</b> Uncontended acquire and release are one compare-and-set each. A waiter spins
 * for a few tens of microseconds and then parks without using a core; a release wakes it through
 * the library's parking lot. Waits can be interrupted.
 *
 * <p>It also is a {@link java.util.concurrent.locks.Lock}: {@link #lock()}, {@link #tryLock()},
 * {@link #unlock()} etc. map to {@link #acquire} and {@link #release}; not reentrant (a thread that
 * locks it twice waits for ever, as in CPython), and {@link #newCondition()} is not supported (use
 * {@link Condition#Condition(Lock)}).
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}.
 */
public final class Lock extends LockBase {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Log.get(Lock.class);

  private transient volatile Thread ownerThread; // in the owning JVM
  private transient volatile boolean ownerDied;

  /** Creates an unlocked lock. */
  public Lock() {
    super(CellRegistry.create(null, "Lock"));
    CellRegistry.register(cell, this);
  }

  Lock(SyncCell cell) {
    super(cell);
  }

  // ---- CPython

  @Override
  boolean take(long nanos) throws InterruptedException {
    long me = ProcessToken.self();
    if (cell.casLong(OWNER, 0, me)) { // uncontended: no lambda, no waiting machinery
      if (ownerDied) {
        ownerDied = false;
      }
    } else if (!cell.await(slow -> tryTake(me, slow), nanos, true)) {
      return false;
    }
    ownerThread = Thread.currentThread();
    return true;
  }

  private boolean tryTake(long me, boolean slow) {
    long v = cell.getLong(OWNER);
    if (v == 0) {
      if (cell.casLong(OWNER, 0, me)) {
        if (ownerDied) {
          ownerDied = false;
        }
        return true;
      }
      return false;
    }
    if (takeOver(v, me, slow)) {
      ownerDied = true;
      return true;
    }
    return false;
  }

  /**
   * Releases the lock; any thread of any process may: {@code release()}.
   *
   * @throws IllegalStateException {@code "semaphore or lock released too many times"} if it is not
   *     held (CPython's {@code ValueError})
   */
  @Override
  public void release() {
    while (true) {
      long v = cell.getLong(OWNER);
      if (v == 0) {
        throw new IllegalStateException("semaphore or lock released too many times");
      }
      boolean mine = v == ProcessToken.self();
      boolean died = mine && ownerDied;
      if (mine) {
        ownerThread = null;
        if (died) {
          ownerDied = false;
        }
      }
      if (cell.casLong(OWNER, v, 0)) {
        if (died) {
          warnIfUnasked(LOG);
        }
        cell.wakeAll();
        return;
      }
    }
  }

  @Override
  Held heldNow() {
    return held(ownerDied);
  }

  /**
   * Tells whether this process holds the lock by having taken it over from a process that died
   * holding it (see the class comment); false once it is released. Calling it counts as having
   * been told.
   *
   * @return whether the previous owner died holding it
   */
  public boolean ownerDied() {
    if (cell.getLong(OWNER) != ProcessToken.self()) {
      return false;
    }
    ownerDiedSeen = true;
    return ownerDied;
  }

  /** Whether the current thread holds it (as CPython's {@code _is_mine()}). */
  boolean isMine() {
    return cell.getLong(OWNER) == ProcessToken.self() && ownerThread == Thread.currentThread();
  }

  // ---- java.util.concurrent.locks.Lock

  /** Acquires the lock, waiting uninterruptibly as long as it takes. */
  @Override
  public void lock() {
    lockUninterruptibly();
  }

  /**
   * Acquires the lock if it is free now.
   *
   * @return whether it was acquired
   */
  @Override
  public boolean tryLock() {
    return takeNow();
  }

  /**
   * Releases the lock, as {@link #release()}.
   *
   * @throws IllegalStateException if it is not held
   */
  @Override
  public void unlock() {
    release();
  }

  /**
   * Not supported: use {@link Condition#Condition(Lock)}, which works across processes.
   *
   * @return never
   * @throws UnsupportedOperationException always
   */
  @Override
  public java.util.concurrent.locks.Condition newCondition() {
    throw new UnsupportedOperationException("use new io.github.multiprocessing4j.sync.Condition(lock)");
  }

  /**
   * CPython's repr: {@code <Lock(owner=None)>}, {@code <Lock(owner=MainProcess)>},
   * {@code <Lock(owner=MainProcess|Thread-1)>}, {@code <Lock(owner=SomeOtherThread)>} or
   * {@code <Lock(owner=SomeOtherProcess)>}.
   */
  @Override
  public String toString() {
    String owner = holder(ownerThread);
    return "<Lock(owner=" + (owner == null ? "None" : owner) + ")>";
  }

  // ---- serialization

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Lock is deserialized through its reference only");
  }
}
