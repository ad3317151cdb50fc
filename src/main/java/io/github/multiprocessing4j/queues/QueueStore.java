package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.runtime.Backoff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The items of one queue, held by the process that created it, and everyone waiting on them: local
 * threads and, through {@link QueueServer}, other processes. Items are serialized messages; an item
 * goes straight to the longest-waiting getter when there is one, else joins the queue.
 *
 * <p>Waiting is a {@link Waiter} in a first-come, first-served line: a local thread parks on it,
 * a remote request gets its reply from whoever completes it. Thread-safe.
 */
final class QueueStore {

  /** The result of an operation refused at once: no item, or no room. */
  public static final Waiter REFUSED = new Waiter(null, null);

  private final int maxsize; // 0: unbounded
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<byte[]> items = new ArrayDeque<>(); // guarded by lock
  private final ArrayDeque<Waiter> getters = new ArrayDeque<>(); // guarded by lock
  private final ArrayDeque<Waiter> putters = new ArrayDeque<>(); // guarded by lock
  private final List<Waiter> joiners = new ArrayList<>(); // guarded by lock
  private long unfinished; // guarded by lock

  /**
   * Creates an empty store.
   *
   * @param maxsize the most items it holds; zero or negative for no limit
   */
  public QueueStore(int maxsize) {
    this.maxsize = Math.max(0, maxsize);
  }

  /**
   * Adds an item.
   *
   * @param item the serialized item
   * @param wait whether to wait for room if the queue is full
   * @param onDone for a remote caller: called when a pending put completes; null for a local thread
   * @return null if the item was added; {@link #REFUSED} if full and not waiting; else a pending
   *     waiter, completed once there is room
   */
  public Waiter put(byte[] item, boolean wait, Consumer<Waiter> onDone) {
    Waiter wake;
    lock.lock();
    try {
      if (maxsize != 0 && items.size() >= maxsize && getters.isEmpty()) {
        if (!wait) {
          return REFUSED;
        }
        Waiter w = new Waiter(onDone == null ? Thread.currentThread() : null, onDone);
        w.item = item;
        putters.add(w);
        return w;
      }
      unfinished++;
      wake = handOver(item);
    } finally {
      lock.unlock();
    }
    if (wake != null) {
      wake.fire();
    }
    return null;
  }

  /** Gives an item to the first getter, or queues it; returns the getter to wake. */
  private Waiter handOver(byte[] item) {
    Waiter g = getters.poll();
    if (g != null) {
      g.item = item;
      g.done = true;
      return g;
    }
    items.add(item);
    return null;
  }

  /**
   * Takes the oldest item.
   *
   * @param wait whether to wait for one
   * @param onDone for a remote caller: called when a pending get completes; null for a local thread
   * @return a completed waiter holding the item; {@link #REFUSED} if empty and not waiting; else a
   *     pending waiter, completed with the next item
   */
  public Waiter take(boolean wait, Consumer<Waiter> onDone) {
    Waiter wake = null;
    Waiter result;
    lock.lock();
    try {
      byte[] item = items.poll();
      if (item != null) {
        result = new Waiter(null, null);
        result.item = item;
        result.done = true;
        Waiter p = putters.poll();
        if (p != null) {
          unfinished++;
          items.add(p.item);
          p.item = null;
          p.done = true;
          wake = p;
        }
      } else if (!wait) {
        return REFUSED;
      } else {
        result = new Waiter(onDone == null ? Thread.currentThread() : null, onDone);
        getters.add(result);
      }
    } finally {
      lock.unlock();
    }
    if (wake != null) {
      wake.fire();
    }
    return result;
  }

  /**
   * Withdraws a pending waiter (its time is up, or its thread was interrupted).
   *
   * @param w the waiter
   * @return true if withdrawn; false if it had completed meanwhile, and its result stands
   */
  public boolean cancel(Waiter w) {
    lock.lock();
    try {
      if (w.done) {
        return false;
      }
      w.cancelled = true;
      getters.remove(w);
      putters.remove(w);
      joiners.remove(w);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks one task done: CPython's {@code JoinableQueue.task_done()}.
   *
   * @throws IllegalStateException {@code "task_done() called too many times"}
   */
  public void taskDone() {
    List<Waiter> wake;
    lock.lock();
    try {
      if (unfinished <= 0) {
        throw new IllegalStateException("task_done() called too many times");
      }
      if (--unfinished != 0) {
        return;
      }
      wake = new ArrayList<>(joiners);
      joiners.clear();
      for (Waiter w : wake) {
        w.done = true;
      }
    } finally {
      lock.unlock();
    }
    for (Waiter w : wake) {
      w.fire();
    }
  }

  /**
   * Waits until every item put has been marked done.
   *
   * @param onDone for a remote caller; null for a local thread
   * @return null if nothing is unfinished; else a pending waiter
   */
  public Waiter join(Consumer<Waiter> onDone) {
    lock.lock();
    try {
      if (unfinished == 0) {
        return null;
      }
      Waiter w = new Waiter(onDone == null ? Thread.currentThread() : null, onDone);
      joiners.add(w);
      return w;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the number of items held.
   *
   * @return the count
   */
  public int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the queue holds its maximum.
   *
   * @return true if full
   */
  public boolean full() {
    lock.lock();
    try {
      return maxsize != 0 && items.size() >= maxsize;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits, in the calling thread, for a pending waiter made for a local thread.
   *
   * @param w the waiter
   * @param timeoutNanos how long; {@link Long#MAX_VALUE} for ever
   * @return true if it completed; false if the time ran out and it was withdrawn
   * @throws InterruptedException if interrupted before it completed (it is withdrawn)
   */
  public boolean await(Waiter w, long timeoutNanos) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = timeoutNanos == Long.MAX_VALUE ? 0 : start + timeoutNanos;
    long spin = Math.min(Backoff.SPIN_NANOS, timeoutNanos);
    for (int i = 0; !w.done && System.nanoTime() - start < spin; i++) {
      Backoff.pause(i); // an item usually follows soon: parking and unparking cost more
    }
    while (!w.done) {
      if (Thread.interrupted()) {
        if (cancel(w)) {
          throw new InterruptedException();
        }
        Thread.currentThread().interrupt(); // completed meanwhile: keep the result, keep the flag
        return true;
      }
      if (timeoutNanos == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return !cancel(w);
        }
        LockSupport.parkNanos(this, left);
      }
    }
    return true;
  }

  /** A pending (or completed) get, put or join. */
  public static final class Waiter {
    private final Thread thread;
    private final Consumer<Waiter> onDone;
    private volatile boolean done;
    private boolean cancelled; // guarded by the store's lock
    private byte[] item; // for a get: set before done; for a put: the item waiting for room

    Waiter(Thread thread, Consumer<Waiter> onDone) {
      this.thread = thread;
      this.onDone = onDone;
    }

    /**
     * Returns the item a completed get received.
     *
     * @return the serialized item
     */
    public byte[] item() {
      return item;
    }

    /**
     * Whether it completed.
     *
     * @return true once completed
     */
    public boolean isDone() {
      return done;
    }

    private void fire() {
      if (thread != null) {
        LockSupport.unpark(thread);
      } else if (onDone != null) {
        onDone.accept(this);
      }
    }
  }
}
