package io.github.multiprocessing4j.cluster;

import com.hazelcast.collection.IQueue;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.queues.QueueEmptyException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A FIFO queue shared by every JVM of a cluster (a Hazelcast {@code IQueue} by name), with the
 * surface of the local {@link io.github.multiprocessing4j.queues.Queue}: producers and consumers on
 * different machines exchange items through it. Obtained from {@link Cluster#queue(String)}; the
 * same name gives the same queue on every member and client.
 *
 * <p>Items travel as this library's messages in byte arrays: serialized in the caller's thread
 * by {@code put} (what cannot be serialized fails there) and deserialized by {@code get} through
 * the library's deserialization filter, never by Hazelcast. Unbounded: {@link #full()} is always
 * false and {@link #maxsize()} 0. An item is held by the cluster's members (one copy, plus
 * Hazelcast's backup on another member), so it survives the JVM that put it.
 *
 * <p>Thread-safe. {@link #close()} ends this handle's use, not the queue: others keep using it.
 *
 * @param <E> the item type
 */
@SuppressWarnings("exports")
public final class ClusterQueue<E> implements AutoCloseable {

  private final IQueue<byte[]> queue;
  private final String name;
  private volatile boolean closed;

  ClusterQueue(IQueue<byte[]> queue, String name) {
    this.queue = queue;
    this.name = name;
  }

  /**
   * Puts an item at the end.
   *
   * @param item the item; may be null
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while putting
   */
  public void put(E item) throws InterruptedException {
    queue.put(encode(item));
  }

  /**
   * Puts an item; the queue is unbounded, so this never waits for room.
   *
   * @param item the item; may be null
   * @param timeout ignored but for null: an unbounded queue always has room
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   * @throws InterruptedException if interrupted while putting
   */
  public void put(E item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    put(item);
  }

  /**
   * Puts an item: CPython's {@code put_nowait}; an unbounded queue always has room.
   *
   * @param item the item; may be null
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   */
  public void putNowait(E item) {
    offer(item);
  }

  /**
   * Puts an item.
   *
   * @param item the item; may be null
   * @return true: an unbounded queue always has room
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException if this handle is closed
   */
  public boolean offer(E item) {
    return queue.offer(encode(item));
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
   * Tells whether the queue is full: never, it is unbounded.
   *
   * @return false
   */
  public boolean full() {
    return false;
  }

  /**
   * The queue's bound: 0, unbounded.
   *
   * @return 0
   */
  public int maxsize() {
    return 0;
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

  private void checkOpen() {
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

  @Override
  public String toString() {
    return "ClusterQueue[" + name + (closed ? ", closed" : "") + "]";
  }
}
