package io.github.multiprocessing4j.managers;

import java.time.Duration;

/**
 * The object behind a managed {@code Lock} or {@code RLock}, in the manager's process: a monitor
 * whose owner is a {@link Caller} (a thread of a client process), since the server thread that
 * carries out a call does not identify its caller. A plain lock may be released by anyone, as
 * CPython's; an RLock only by its owner.
 */
final class ManagedLock implements AcquirerProxy, Undoable {

  private final boolean reentrant;
  private String owner; // guarded by this; null: free
  private int count; // guarded by this
  private int waiting; // guarded by this; shown by toString, for diagnostics

  ManagedLock(boolean reentrant) {
    this.reentrant = reentrant;
  }

  @Override
  public boolean acquire() {
    return acquire(true, null);
  }

  @Override
  public boolean acquire(Duration timeout) {
    return acquire(true, timeout);
  }

  @Override
  public boolean acquire(boolean block, Duration timeout) {
    return acquireAs(Caller.current(), block, timeout);
  }

  synchronized boolean acquireAs(String caller, boolean block, Duration timeout) {
    if (reentrant && caller.equals(owner)) {
      count++;
      return true;
    }
    if (owner != null) {
      waiting++;
      boolean free;
      try {
        free = ServerWaits.until(this, () -> owner == null, block, timeout);
      } finally {
        waiting--;
      }
      if (!free) {
        return false;
      }
    }
    owner = caller;
    count = 1;
    return true;
  }

  @Override
  public synchronized void release() {
    String caller = Caller.current();
    if (reentrant) {
      if (!caller.equals(owner)) {
        throw new IllegalMonitorStateException("cannot release un-acquired lock");
      }
      if (--count == 0) {
        free();
      }
    } else {
      if (owner == null) {
        throw new IllegalStateException("release unlocked lock");
      }
      free();
    }
  }

  private void free() {
    owner = null;
    count = 0;
    notifyAll();
  }

  synchronized boolean isOwnedBy(String caller) {
    return caller.equals(owner);
  }

  /** For a condition's wait: releases every level the caller holds; returns how many. */
  synchronized int releaseAll(String caller) {
    int levels = count;
    free();
    return levels;
  }

  /** For a condition's wait: takes the lock back, with its levels, however long that takes. */
  synchronized void reacquire(String caller, int levels) {
    acquireAs(caller, true, null);
    count = Math.max(1, levels); // 0 if another thread released a plain lock while its owner began to wait
  }

  @Override
  public boolean takes(String method) {
    return method.equals("acquire");
  }

  @Override
  public synchronized void undo(String caller, String method, Object[] args, Object result) {
    if (method.equals("acquire") && Boolean.TRUE.equals(result) && caller.equals(owner)) {
      if (--count == 0) {
        free();
      }
    }
  }

  @Override
  public synchronized String toString() {
    String o = owner == null ? "None" : owner;
    String w = waiting == 0 ? "" : ", waiting=" + waiting;
    return reentrant ? "<RLock(" + o + ", " + count + w + ")>" : "<Lock(owner=" + o + w + ")>";
  }
}
