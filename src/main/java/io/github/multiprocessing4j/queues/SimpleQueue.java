package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.access.ObjectRef;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * The plain queue: CPython's {@code multiprocessing.SimpleQueue}. {@link #put} and {@link #get}
 * with no timeout, {@link #empty()}, {@link #close()}; it shares everything else with
 * {@link Queue}: passable to other processes, items serialized in the caller's thread.
 *
 * <p>As CPython's, after {@link #close()} every method throws {@link ConnectionException}
 * {@code "handle is closed"}. Thread-safe.
 *
 * @param <E> the type of the items
 */
public final class SimpleQueue<E> implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;

  private final transient Queue<E> queue;

  /** Creates an empty queue. */
  public SimpleQueue() {
    this(new Queue<>());
  }

  /** A simple queue over {@code queue}: what a reference received from another process makes. */
  SimpleQueue(Queue<E> queue) {
    this.queue = queue;
  }

  /**
   * Puts an item. Once this returns, every operation that happens after it in any process sees the
   * item, as after {@link Queue#put(Object)} (which says what "after" covers): items put before a
   * {@code Barrier} round are got before the items put after it.
   *
   * @param item the item; may be null
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws ConnectionException {@code "handle is closed"}, or if the process that created the
   *     queue has ended
   * @throws InterruptedException if interrupted
   */
  public void put(E item) throws InterruptedException {
    checkOpen();
    queue.put(item);
  }

  /**
   * Removes and returns the oldest item, waiting for one.
   *
   * @return the item
   * @throws ConnectionException {@code "handle is closed"}, or if the process that created the
   *     queue has ended
   * @throws InterruptedException if interrupted while waiting
   */
  public E get() throws InterruptedException {
    checkOpen();
    return queue.get();
  }

  /**
   * Whether the queue holds no item now.
   *
   * @return true if empty
   * @throws ConnectionException {@code "handle is closed"}
   */
  public boolean empty() {
    checkOpen();
    return queue.empty();
  }

  /** Closes the queue in this process; idempotent. Other processes keep using it. */
  @Override
  public void close() {
    queue.close();
  }

  private void checkOpen() {
    if (queue.isClosed()) {
      throw new ConnectionException("handle is closed");
    }
  }

  @Override
  public String toString() {
    return queue.toString().replace("<Queue", "<SimpleQueue");
  }

  /**
   * Serializes a reference to the queue underneath instead of this object.
   *
   * @return the reference
   */
  private Object writeReplace() {
    return queue.ref(ObjectRef.Kind.SIMPLE_QUEUE);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a SimpleQueue is deserialized through its reference only");
  }
}
