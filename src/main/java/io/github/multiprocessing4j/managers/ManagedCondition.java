package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The object behind a managed {@code Condition}, in the manager's process: a {@link ManagedLock}
 * (a new RLock, or the managed lock it was made with) and a queue of waiters, each woken by its
 * own flag, as CPython's {@code threading.Condition}. A waiter joins the queue while it owns the
 * lock, and a notifier must own it too, so no wake-up is lost between the release and the wait.
 */
final class ManagedCondition implements ConditionProxy, Undoable {

  private final ManagedLock lock;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by itself

  private static final class Waiter {
    private boolean woken; // guarded by this
  }

  ManagedCondition(ManagedLock lock) {
    this.lock = lock;
  }

  /** The factory: no argument for a new RLock, or a proxy of a lock of this manager. */
  static ManagedCondition fromArgs(Object[] args) {
    if (args.length == 0 || args[0] == null) {
      return new ManagedCondition(new ManagedLock(true));
    }
    Object local = ManagerRefs.localObject(args[0]);
    if (!(local instanceof ManagedLock)) {
      throw new IllegalArgumentException("the lock of a managed condition must be a Lock or RLock proxy of the same"
          + " manager (SyncManager.lock() or rLock()), not " + args[0].getClass().getName());
    }
    return new ManagedCondition((ManagedLock) local);
  }

  @Override
  public boolean acquire() {
    return lock.acquire();
  }

  @Override
  public boolean acquire(Duration timeout) {
    return lock.acquire(timeout);
  }

  @Override
  public boolean acquire(boolean block, Duration timeout) {
    return lock.acquire(block, timeout);
  }

  @Override
  public void release() {
    lock.release();
  }

  @Override
  public boolean await() {
    return await(null);
  }

  @Override
  public boolean await(Duration timeout) {
    String me = Caller.current();
    if (!lock.isOwnedBy(me)) {
      throw new IllegalMonitorStateException("cannot wait on un-acquired lock");
    }
    Waiter w = new Waiter();
    synchronized (waiters) {
      waiters.addLast(w);
    }
    int levels = lock.releaseAll(me);
    boolean woken = false;
    try {
      synchronized (w) {
        woken = ServerWaits.until(w, () -> w.woken, true, timeout);
      }
    } finally {
      if (!woken) {
        synchronized (waiters) {
          woken = !waiters.remove(w); // a notifier took it off the queue: it was woken after all
        }
      }
      lock.reacquire(me, levels);
    }
    return woken;
  }

  @Override
  public void signal() {
    signal(1);
  }

  @Override
  public void signal(int n) {
    if (!lock.isOwnedBy(Caller.current())) {
      throw new IllegalMonitorStateException("cannot notify on un-acquired lock");
    }
    for (int i = 0; i < n; i++) {
      Waiter w;
      synchronized (waiters) {
        w = waiters.pollFirst();
      }
      if (w == null) {
        return;
      }
      synchronized (w) {
        w.woken = true;
        w.notifyAll();
      }
    }
  }

  @Override
  public void signalAll() {
    signal(Integer.MAX_VALUE);
  }

  @Override
  public boolean takes(String method) {
    return method.equals("acquire") || method.equals("await");
  }

  /** The caller gave up: what it took (the lock, or the lock again after a wait) goes back. */
  @Override
  public void undo(String caller, String method, Object[] args, Object result) {
    if (method.equals("await") && lock.isOwnedBy(caller)) {
      lock.releaseAll(caller);
    } else {
      lock.undo(caller, method, args, result);
    }
  }

  @Override
  public String toString() {
    int n;
    synchronized (waiters) {
      n = waiters.size();
    }
    return "<Condition(" + lock + ", " + n + ")>";
  }
}
