package io.github.multiprocessing4j.cluster;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClusterQueue} that also counts unfinished tasks, as the local
 * {@link io.github.multiprocessing4j.queues.JoinableQueue} (CPython's {@code JoinableQueue}):
 * every {@code put} adds a task, a consumer calls {@link #taskDone()} once it has processed an
 * item, and {@link #join()} waits until every task put so far is done, in any JVM of the cluster.
 * Obtained from {@link Cluster#joinableQueue(String)}. The count is a number the cluster's members
 * hold beside the queue, changed atomically; a task is counted before its item is on the queue.
 *
 * <p>Thread-safe.
 *
 * @param <E> the item type
 */
public final class ClusterJoinableQueue<E> extends ClusterQueue<E> {

  private static final long serialVersionUID = 1L;

  /** The longest a {@link #join()} trusts the map's events before it looks again. */
  private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  ClusterJoinableQueue(HazelcastInstance hz, IQueue<byte[]> queue, IMap<String, Long> unfinished, String name,
      int maxsize) {
    super(hz, queue, unfinished, name, maxsize);
  }

  /**
   * Marks one task done: CPython's {@code task_done()}.
   *
   * @throws IllegalStateException {@code "task_done() called too many times"} (CPython's
   *     {@code ValueError}), as the local queue; or if this handle is closed
   */
  public void taskDone() {
    checkOpen();
    addUnfinished(-1);
  }

  /**
   * The number of tasks put and not yet marked done, in the whole cluster.
   *
   * @return zero or more
   */
  public long unfinishedTasks() {
    Long n = unfinished.get(name);
    return n == null ? 0 : n;
  }

  /**
   * Waits until every task put so far, by any JVM, has been marked done; returns at once if none
   * is unfinished.
   *
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while waiting
   */
  public void join() throws InterruptedException {
    await(Long.MAX_VALUE);
  }

  /**
   * Waits up to {@code timeout} until every task put so far has been marked done.
   *
   * @param timeout how long to wait
   * @return false if tasks were still unfinished when the time ran out
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean join(Duration timeout) throws InterruptedException {
    return await(Math.max(0, timeout.toNanos()));
  }

  private boolean await(long timeoutNanos) throws InterruptedException {
    checkOpen();
    Object changed = new Object();
    // Woken by the count's changes; looks again at least every second in case an event is lost.
    Runnable wake = () -> {
      synchronized (changed) {
        changed.notifyAll();
      }
    };
    UUID registration = unfinished.addEntryListener(new CountListener(wake), name, false);
    try {
      long deadline = System.nanoTime() + timeoutNanos;
      synchronized (changed) {
        while (unfinishedTasks() > 0) {
          long left = timeoutNanos == Long.MAX_VALUE ? RECHECK_NANOS : deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, RECHECK_NANOS));
        }
      }
      return true;
    } finally {
      unfinished.removeEntryListener(registration);
    }
  }

  /** Calls back on every change of a count. */
  private static final class CountListener implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long> {
    private final Runnable wake;

    CountListener(Runnable wake) {
      this.wake = wake;
    }

    @Override
    public void entryAdded(com.hazelcast.core.EntryEvent<String, Long> event) {
      wake.run();
    }

    @Override
    public void entryUpdated(com.hazelcast.core.EntryEvent<String, Long> event) {
      wake.run();
    }
  }
}
