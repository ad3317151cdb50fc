package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * What {@link Lock} and {@link RLock} share, as {@link SemaphoreBase} is for the semaphores: the
 * cell whose first long is the owning process's token, taking the lock over from an owner that
 * died, the hold handle, the {@link java.util.concurrent.locks.Lock} methods that are the same for
 * both, the owner part of their reprs and their serialized form. Package-private: its public
 * methods are documented as the two classes' own. What differs stays in each class: whether the
 * owner may acquire again, who may release, and the fields that say so, whose memory ordering
 * differs (any thread may release a {@code Lock}, only the owner an {@code RLock}).
 */
abstract class LockBase implements java.util.concurrent.locks.Lock, Serializable {

  private static final long serialVersionUID = 1L;
  static final int OWNER = 0; // long: 0 or the owner's ProcessToken

  final transient SyncCell cell;
  transient volatile boolean ownerDiedSeen;
  transient volatile long deadOwner;
  // Made once: a hold per increment of a locked Value must not allocate two lambdas.
  private final transient Runnable releaser = this::release;
  private final transient Runnable toldOwnerDied = () -> ownerDiedSeen = true;

  LockBase(SyncCell cell) {
    this.cell = cell;
  }

  /**
   * Acquires the lock, waiting as long as it takes: {@code acquire()} in CPython. The owner of an
   * {@link RLock} acquires it again at once; a {@link Lock} is not re-entrant.
   *
   * @return true
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire() throws InterruptedException {
    return acquire(true, null);
  }

  /**
   * Acquires the lock, waiting at most {@code timeout}: {@code acquire(timeout=...)}.
   *
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether it was acquired
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    return acquire(true, timeout);
  }

  /**
   * Acquires the lock as CPython's {@code acquire(block, timeout)}.
   *
   * @param block whether to wait; if false the timeout is ignored and the call returns at once
   * @param timeout the longest wait; null for ever; negative means 0
   * @return whether it was acquired
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean acquire(boolean block, Duration timeout) throws InterruptedException {
    return take(PythonForms.nanos(block, timeout));
  }

  /**
   * Acquires the lock and returns a handle that releases it (one level of an {@link RLock}), for
   * try-with-resources.
   *
   * @return the hold; {@link Held#ownerDied()} tells whether the previous owner died holding it
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold() throws InterruptedException {
    acquire();
    return heldNow();
  }

  /**
   * Tries to acquire the lock within {@code timeout}, returning a handle that releases it.
   *
   * @param timeout the longest wait; negative means 0
   * @return the hold, or null if the lock was not acquired in time
   * @throws NullPointerException if timeout is null
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return acquire(timeout) ? heldNow() : null;
  }

  /** The hold of the acquisition just made, telling whether it took over from a dead owner. */
  abstract Held heldNow();

  /**
   * Releases the lock, as the subclass's own documentation says.
   */
  public abstract void release();

  /** Acquires within {@code nanos} ({@code Long.MAX_VALUE} for ever); the owner of an RLock at once. */
  abstract boolean take(long nanos) throws InterruptedException;

  /**
   * Takes the lock from the owner {@code v} if it is another process that died: looked at on the
   * slow path only, as liveness costs a system call. Records whom it took it from, as not told yet.
   */
  final boolean takeOver(long v, long me, boolean slow) {
    if (slow && v != me && ProcessToken.isDead(v) && cell.casLong(OWNER, v, me)) {
      ownerDiedSeen = false;
      deadOwner = ProcessToken.pid(v);
      return true;
    }
    return false;
  }

  /** Logs a release of a lock taken over from a dead owner by a holder that never asked: not lost silently. */
  final void warnIfUnasked(Logger log) {
    if (!ownerDiedSeen) {
      log.warn("{}: took over from process {}, which died holding it; released without asking ownerDied()",
          this, deadOwner);
    }
  }

  /** The handle a hold returns: it releases, and tells whether the previous owner died holding it. */
  final Held held(boolean ownerDied) {
    return new Held(releaser, ownerDied, toldOwnerDied);
  }

  /** Acquires as long as it takes, uninterruptibly: an interrupt is kept for later. */
  final void lockUninterruptibly() {
    boolean interrupted = false;
    while (true) {
      try {
        take(Long.MAX_VALUE);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Acquires only if that needs no wait. */
  final boolean takeNow() {
    try {
      return take(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // a zero wait never parks; kept for the contract
      return false;
    }
  }

  /**
   * Acquires the lock unless interrupted.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public void lockInterruptibly() throws InterruptedException {
    take(Long.MAX_VALUE);
  }

  /**
   * Acquires the lock within the given time.
   *
   * @param time the longest wait; negative means 0
   * @param unit its unit
   * @return whether it was acquired
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
    return take(Math.max(0, unit.toNanos(time)));
  }

  /**
   * Who holds it, in CPython's words for reprs: null for nobody, this thread's owner name,
   * {@code SomeOtherThread} or {@code SomeOtherProcess}.
   */
  final String holder(Thread ownerThread) {
    long v = cell.getLong(OWNER);
    if (v == 0) {
      return null;
    }
    if (v != ProcessToken.self()) {
      return "SomeOtherProcess";
    }
    return ownerThread == Thread.currentThread() ? PythonForms.ownerName() : "SomeOtherThread";
  }

  SyncCell cell() {
    return cell;
  }

  /**
   * Serializes a reference to the shared memory instead of this object, so that the process that
   * reads it uses the same one. Package-private, not private, so that serialization finds it for
   * the two subclasses.
   *
   * @return the reference
   */
  Object writeReplace() {
    return SyncRefs.of(this instanceof RLock ? ObjectRef.Kind.RLOCK : ObjectRef.Kind.LOCK, cell, this);
  }
}
