package io.github.multiprocessing4j.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.queues.QueueEmptyException;
import io.github.multiprocessing4j.queues.QueueFullException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A FIFO queue shared by every JVM of a cluster (a Hazelcast {@code IQueue} by name), with the
 * surface of the local {@link io.github.multiprocessing4j.queues.Queue}: producers and consumers on
 * different machines exchange items through it. Obtained from {@link Cluster#queue(String)} (or
 * {@link Cluster#queue(String, int)} for a bounded one); the same name gives the same queue on
 * every member and client, with the bound and kind it was first made with.
 *
 * <p>Items travel as this library's messages in byte arrays: serialized in the caller's thread
 * by {@code put} (what cannot be serialized fails there) and deserialized by {@code get} through
 * the library's deserialization filter, never by Hazelcast. An item is held by the cluster's
 * members (one copy, plus Hazelcast's backup on another member), so it survives the JVM that put
 * it.
 *
 * <p>A cluster queue passed to a child {@link io.github.multiprocessing4j.Process} (as an argument,
 * or inside one) arrives there as a handle on the same queue: the child connects to the cluster
 * as a Hazelcast client, by the cluster's name and its members' addresses, which the handle
 * carries (nothing secret: open-source Hazelcast has none); the child's client ends with the
 * child.
 *
 * <p>Thread-safe. {@link #close()} ends this handle's use, not the queue: others keep using it.
 *
 * @param <E> the item type
 */
@SuppressWarnings("exports")
public class ClusterQueue<E> implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;

  private final transient HazelcastInstance hz;
  private final transient IQueue<byte[]> queue;
  /** The unfinished tasks of joinable queues, by name; null for a queue that is not one. */
  final transient IMap<String, Long> unfinished;
  // All transient: a queue travels as a ClusterQueueRef (writeReplace).
  final transient String name;
  private final transient int maxsize;
  private transient volatile boolean closed;

  ClusterQueue(HazelcastInstance hz, IQueue<byte[]> queue, IMap<String, Long> unfinished, String name, int maxsize) {
    this.hz = hz;
    this.queue = queue;
    this.unfinished = unfinished;
    this.name = name;
    this.maxsize = maxsize;
  }

  /**
   * Puts an item at the end, waiting for room in a bounded queue.
   *
   * @param item the item; may be null
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while putting
   */
  public void put(E item) throws InterruptedException {
    byte[] m = encode(item);
    counted(() -> {
      queue.put(m);
      return true;
    });
  }

  /**
   * Puts an item, waiting up to {@code timeout} for room in a bounded queue.
   *
   * @param item the item; may be null
   * @param timeout how long to wait for room; zero or negative does not wait
   * @throws QueueFullException if the queue stayed full; nothing is put
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while putting
   */
  public void put(E item, Duration timeout) throws InterruptedException {
    long nanos = Math.max(0, timeout.toNanos());
    byte[] m = encode(item);
    if (!counted(() -> queue.offer(m, nanos, TimeUnit.NANOSECONDS))) {
      throw new QueueFullException("cluster queue '" + name + "' stayed full for " + timeout);
    }
  }

  /**
   * Puts an item if there is room: CPython's {@code put_nowait}.
   *
   * @param item the item; may be null
   * @throws QueueFullException if the queue is full; nothing is put
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   */
  public void putNowait(E item) {
    if (!offer(item)) {
      throw new QueueFullException("cluster queue '" + name + "' is full");
    }
  }

  /**
   * Puts an item if there is room.
   *
   * @param item the item; may be null
   * @return whether it was put (always, in an unbounded queue)
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   */
  public boolean offer(E item) {
    byte[] m = encode(item);
    try {
      return counted(() -> queue.offer(m));
    } catch (InterruptedException e) {
      throw new IllegalStateException("never: offer does not wait", e);
    }
  }

  /** A put that may fail or not happen, with a joinable queue's task counted around it. */
  private interface Put {
    boolean run() throws InterruptedException;
  }

  /**
   * Runs a put; in a joinable queue, counts its task first (so that a consumer's taskDone for
   * the item never comes before the count) and takes it back if nothing was put.
   */
  private boolean counted(Put put) throws InterruptedException {
    if (unfinished == null) {
      return put.run();
    }
    addUnfinished(1);
    boolean done = false;
    try {
      done = put.run();
      return done;
    } finally {
      if (!done) {
        addUnfinished(-1);
      }
    }
  }

  /**
   * Adds to the joinable queue's count of unfinished tasks (a compare-and-set on the cluster's
   * map, so that callers on any member agree).
   *
   * @return the new count
   * @throws IllegalStateException if it would go below zero
   */
  long addUnfinished(long delta) {
    for (;;) {
      Long old = unfinished.get(name);
      long now = (old == null ? 0 : old) + delta;
      if (now < 0) {
        throw new IllegalStateException("task_done() called too many times");
      }
      if (old == null ? unfinished.putIfAbsent(name, now) == null : unfinished.replace(name, old, now)) {
        return now;
      }
    }
  }

  /**
   * Removes and returns the oldest item, waiting for one.
   *
   * @return the item
   * @throws IllegalStateException if this handle is closed
   * @throws MultiprocessingException if the item cannot be deserialized here (its class is
   *     missing, or refused by the filter)
   * @throws InterruptedException if interrupted while waiting
   */
  public E get() throws InterruptedException {
    checkOpen();
    return decode(queue.take());
  }

  /**
   * Removes and returns the oldest item, waiting up to {@code timeout}.
   *
   * @param timeout how long to wait; zero or negative does not wait
   * @return the item
   * @throws QueueEmptyException if none came in time
   * @throws IllegalStateException if this handle is closed
   * @throws MultiprocessingException as {@link #get()}
   * @throws InterruptedException if interrupted while waiting
   */
  public E get(Duration timeout) throws InterruptedException {
    checkOpen();
    byte[] m = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    if (m == null) {
      throw new QueueEmptyException("no item came within " + timeout);
    }
    return decode(m);
  }

  /**
   * Removes and returns the oldest item if there is one: CPython's {@code get_nowait}.
   *
   * @return the item
   * @throws QueueEmptyException if the queue is empty
   * @throws IllegalStateException if this handle is closed
   * @throws MultiprocessingException as {@link #get()}
   */
  public E getNowait() {
    checkOpen();
    byte[] m = queue.poll();
    if (m == null) {
      throw new QueueEmptyException("the queue is empty");
    }
    return decode(m);
  }

  /**
   * Removes and returns the oldest item if there is one. A null item also gives an empty
   * {@code Optional}: use {@link #getNowait()} on a queue that may hold nulls.
   *
   * @return the item, or empty
   * @throws IllegalStateException if this handle is closed
   * @throws MultiprocessingException as {@link #get()}
   */
  public Optional<E> poll() {
    checkOpen();
    byte[] m = queue.poll();
    return m == null ? Optional.empty() : Optional.ofNullable(decode(m));
  }

  /**
   * Removes and returns the oldest item, waiting up to {@code timeout}; as {@link #poll()}.
   *
   * @param timeout how long to wait
   * @return the item, or empty
   * @throws IllegalStateException if this handle is closed
   * @throws MultiprocessingException as {@link #get()}
   * @throws InterruptedException if interrupted while waiting
   */
  public Optional<E> poll(Duration timeout) throws InterruptedException {
    checkOpen();
    byte[] m = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    return m == null ? Optional.empty() : Optional.ofNullable(decode(m));
  }

  /**
   * The number of items now; others may change it at once (CPython: approximate).
   *
   * @return zero or more
   */
  public int qsize() {
    return queue.size();
  }

  /**
   * Tells whether the queue is empty now.
   *
   * @return whether it holds no item
   */
  public boolean empty() {
    return queue.isEmpty();
  }

  /**
   * Tells whether the queue is full now; never for an unbounded one.
   *
   * @return whether it holds {@link #maxsize()} items
   */
  public boolean full() {
    return maxsize > 0 && queue.size() >= maxsize;
  }

  /**
   * The queue's bound, as it was first made: 0 for none.
   *
   * @return the most items it holds, or 0
   */
  public int maxsize() {
    return maxsize;
  }

  /** Ends this handle's use: its later puts and gets throw. The queue stays for others. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  /**
   * Tells whether {@link #close()} was called.
   *
   * @return whether this handle is closed
   */
  public boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cluster queue '" + name + "' is closed");
    }
  }

  private byte[] encode(E item) {
    checkOpen();
    return Messages.encode(item, "an item put on cluster queue '" + name + "'");
  }

  @SuppressWarnings("unchecked") // the queue's items are the E its users put
  private E decode(byte[] m) {
    try {
      return (E) Messages.decode(m, null);
    } catch (IOException | RuntimeException e) {
      throw new MultiprocessingException("an item of cluster queue '" + name + "' cannot be deserialized here: " + e, e);
    }
  }

  /**
   * Serializes a reference to this queue instead of this object: the cluster's name and its
   * members' addresses now, by which a child JVM connects to it.
   *
   * @return the reference
   */
  Object writeReplace() {
    List<String> members = new ArrayList<>();
    for (Member m : hz.getCluster().getMembers()) {
      members.add(m.getAddress().getHost() + ":" + m.getAddress().getPort());
    }
    return new ClusterQueueRef(ClusterWorkers.clusterName(hz), members, name, maxsize, unfinished != null);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + (maxsize > 0 ? ", maxsize " + maxsize : "")
        + (closed ? ", closed" : "") + "]";
  }
}
