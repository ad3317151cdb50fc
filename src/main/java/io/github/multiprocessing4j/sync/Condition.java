package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A condition variable shared by processes and threads: CPython's
 * {@code multiprocessing.Condition}, with CPython's algorithm (a count of sleepers, a count of
 * woken ones, and a semaphore the sleepers wait on, all in shared memory). A thread that owns the
 * condition's lock {@linkplain #await() waits} (releasing the lock, at every recursion level, while
 * it waits) until another thread or process that owns the lock {@linkplain #signal() signals}.
 *
 * <p>Names: CPython's {@code wait}, {@code wait_for}, {@code notify} and {@code notify_all} are
 * {@link #await()}, {@link #waitFor}, {@link #signal()} and {@link #signalAll()} here, because
 * {@link Object#wait()}, {@link Object#notify()} and {@link Object#notifyAll()} are final.
 *
 * <pre>{@code
 * Condition cond = new Condition();
 * try (Held held = cond.hold()) {
 *   while (!ready()) {
 *     cond.await();
 *   }
 * }
 * }</pre>
 *
 * <p>As in CPython, {@link #signal(int)} returns only once the threads it woke have woken (they
 * then compete for the lock). Shared with children as a {@link io.github.multiprocessing4j.Process}
 * argument, like {@link Lock} (the lock goes with it). Waits park without using a core.
 *
 * <p><b>Lifetime.</b> Its shared memory stays while a process has a reachable object for it;
 * this process gives it up once its object is unreachable, except after serializing it (sending it
 * to another process): then this process keeps it until it exits. See the
 * {@linkplain io.github.multiprocessing4j.sync package documentation}.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}.
 */
public final class Condition implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int SLEEPING = 0;
  private static final int WOKEN = 4;
  private static final int WAIT_SEMAPHORE = 8;

  private final transient SyncCell cell;
  private final transient Lock lock; // one of lock and rlock is set
  private final transient RLock rlock;

  /** Creates a condition with a new {@link RLock} (CPython's default). */
  public Condition() {
    this(new RLock());
  }

  /**
   * Creates a condition that uses a {@link Lock}.
   *
   * @param lock the lock
   */
  public Condition(Lock lock) {
    this(Objects.requireNonNull(lock, "lock"), null, CellRegistry.create(null, "Condition"));
    CellRegistry.register(cell, this);
  }

  /**
   * Creates a condition that uses an {@link RLock}.
   *
   * @param lock the lock
   */
  public Condition(RLock lock) {
    this(null, Objects.requireNonNull(lock, "lock"), CellRegistry.create(null, "Condition"));
    CellRegistry.register(cell, this);
  }

  Condition(Lock lock, RLock rlock, SyncCell cell) {
    this.lock = lock;
    this.rlock = rlock;
    this.cell = cell;
  }

  // ---- the lock

  /**
   * Acquires the condition's lock, as its {@code acquire(block, timeout)}.
   *
   * @param block whether to wait
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether it was acquired
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire(boolean block, Duration timeout) throws InterruptedException {
    return lock != null ? lock.acquire(block, timeout) : rlock.acquire(block, timeout);
  }

  /**
   * Acquires the condition's lock, waiting as long as it takes.
   *
   * @return true
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire() throws InterruptedException {
    return acquire(true, null);
  }

  /** Releases the condition's lock, as its {@code release()}. */
  public void release() {
    if (lock != null) {
      lock.release();
    } else {
      rlock.release();
    }
  }

  /**
   * Acquires the condition's lock and returns a handle that releases it, for try-with-resources.
   *
   * @return the hold
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold() throws InterruptedException {
    return lock != null ? lock.hold() : rlock.hold();
  }

  /**
   * Returns the condition's lock: a {@link Lock} or an {@link RLock}.
   *
   * @return the lock
   */
  public java.util.concurrent.locks.Lock lock() {
    return lock != null ? lock : rlock;
  }

  private boolean owned() {
    return lock != null ? lock.isMine() : rlock.isMine();
  }

  // ---- waiting

  /**
   * Waits until signalled: CPython's {@code wait()}.
   *
   * @return true
   * @throws IllegalMonitorStateException {@code "must acquire() condition before using wait()"} if
   *     the current thread does not own the lock (CPython's {@code AssertionError})
   * @throws InterruptedException if interrupted while waiting; the lock is owned again first
   */
  public boolean await() throws InterruptedException {
    return await(null);
  }

  /**
   * Waits until signalled or until {@code timeout} passes: CPython's {@code wait(timeout)}. The
   * lock is released (every recursion level) meanwhile and owned again, as before, on return.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return true if signalled, false on timeout
   * @throws IllegalMonitorStateException {@code "must acquire() condition before using wait()"} if
   *     the current thread does not own the lock
   * @throws InterruptedException if interrupted while waiting; the lock is owned again first (a
   *     waiter signalled before the interrupt returns true instead, with its interrupt status set)
   */
  public boolean await(Duration timeout) throws InterruptedException {
    if (!owned()) {
      throw new IllegalMonitorStateException("must acquire() condition before using wait()");
    }
    long nanos = PythonForms.nanos(true, timeout);
    semRelease(SLEEPING);
    int count = lock != null ? 1 : rlock.releaseAll();
    if (lock != null) {
      lock.release();
    }
    boolean signalled = false;
    boolean interrupted = false;
    try {
      try {
        signalled = cell.await(slow -> semTry(WAIT_SEMAPHORE), nanos);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      // Leaving without a wake (timeout or interrupt). CPython counts such a leaver as woken, so a
      // notify(n) that raced with it could count it among the sleepers, release the wait semaphore
      // for it, take its "woken" for a real one and drain the semaphore: a sleeper that should have
      // been woken slept on. Instead the leaver takes itself off the sleepers; if it cannot
      // (sleepers is 0), a notifier has already counted it, and the wake it releases (at once,
      // under the lock it holds) is this thread's: take it and count as signalled.
      if (!signalled && !semTry(SLEEPING)) {
        takeCommittedWake();
        signalled = true;
      }
      if (signalled) {
        semRelease(WOKEN); // only a taken wake counts, so a notifier's count of woken ones is exact
      }
    } finally {
      if (lock != null) {
        lock.lock();
      } else {
        rlock.reacquire(count);
      }
    }
    if (interrupted) {
      if (!signalled) {
        throw new InterruptedException();
      }
      Thread.currentThread().interrupt(); // signalled first: return normally, as a JDK Condition
    }
    return signalled;
  }

  /** Takes a wake released for this thread, uninterruptibly: the notifier is releasing it now. */
  private void takeCommittedWake() {
    boolean interrupted = false;
    while (true) {
      try {
        cell.await(slow -> semTry(WAIT_SEMAPHORE), Long.MAX_VALUE);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until a predicate holds: CPython's {@code wait_for(predicate)}.
   *
   * @param predicate checked with the lock owned, first before any wait
   * @return true
   * @throws IllegalMonitorStateException if the current thread does not own the lock
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean waitFor(BooleanSupplier predicate) throws InterruptedException {
    return waitFor(predicate, null);
  }

  /**
   * Waits until a predicate holds, at most {@code timeout}: CPython's
   * {@code wait_for(predicate, timeout)}.
   *
   * @param predicate checked with the lock owned, first before any wait
   * @param timeout the longest wait; null for ever; negative means 0
   * @return the predicate's last value (false after a timeout)
   * @throws IllegalMonitorStateException if the current thread does not own the lock and must wait
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean waitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(predicate, "predicate");
    boolean result = predicate.getAsBoolean();
    long nanos = PythonForms.nanos(true, timeout);
    long end = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
    while (!result) {
      Duration wait = null;
      if (end != Long.MAX_VALUE) {
        long left = end - System.nanoTime();
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
   * Wakes one waiter: CPython's {@code notify()}.
   *
   * @throws IllegalMonitorStateException {@code "lock is not owned"} if the current thread does not
   *     own the lock (CPython's {@code AssertionError})
   */
  public void signal() {
    signal(1);
  }

  /**
   * Wakes up to {@code n} waiters, in any process, and returns once they have woken: CPython's
   * {@code notify(n)}. The wait for them to wake is not interruptible (an interrupt is kept for
   * later).
   *
   * @param n how many at most; 0 or less wakes none
   * @throws IllegalMonitorStateException {@code "lock is not owned"} if the current thread does not
   *     own the lock
   */
  public void signal(int n) {
    if (!owned()) {
      throw new IllegalMonitorStateException("lock is not owned");
    }
    // (CPython first takes the sleepers that timed out off the count here; in this port a leaver
    // takes itself off, see await, and "woken" counts only taken wakes, all collected below.)
    int sleepers = 0;
    while (sleepers < n && semTry(SLEEPING)) {
      semRelease(WAIT_SEMAPHORE); // wake one sleeper
      sleepers++;
    }
    if (sleepers > 0) {
      boolean interrupted = false;
      for (int i = 0; i < sleepers; i++) {
        while (true) {
          try {
            cell.await(slow -> semTry(WOKEN), Long.MAX_VALUE); // wait for a sleeper to wake
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      // Every wake released above was taken (one "woken" per taken wake): nothing to drain, and
      // draining here could take a wake from the sleeper it was released for.
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Wakes every waiter: CPython's {@code notify_all()}.
   *
   * @throws IllegalMonitorStateException {@code "lock is not owned"} if the current thread does not
   *     own the lock
   */
  public void signalAll() {
    signal(Integer.MAX_VALUE);
  }

  private boolean semTry(int offset) {
    while (true) {
      int v = cell.getInt(offset);
      if (v <= 0) {
        return false;
      }
      if (cell.casInt(offset, v, v - 1)) {
        return true;
      }
    }
  }

  private void semRelease(int offset) {
    cell.getAndAddInt(offset, 1);
    cell.wakeAll();
  }

  /** CPython's repr: {@code <Condition(<RLock(None, 0)>, 0)>}, the number of sleepers last. */
  @Override
  public String toString() {
    int waiters = cell.getInt(SLEEPING) - cell.getInt(WOKEN);
    return "<Condition(" + lock() + ", " + waiters + ")>";
  }

  /**
   * Serializes a reference to the shared memory (with what else the object needs) instead of this
   * object, so that the process that reads it uses the same one.
   *
   * @return the reference
   */
  private Object writeReplace() {
    return SyncRefs.of(ObjectRef.Kind.CONDITION, cell, this, lock, rlock);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Condition is deserialized through its reference only");
  }
}
