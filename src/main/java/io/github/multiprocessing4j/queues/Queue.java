package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.transport.PutFence;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A first-in, first-out queue of serializable objects that several processes share: CPython's
 * {@code multiprocessing.Queue}.
 *
 * <pre>{@code
 * Queue<String> q = new Queue<>();
 * Process p = Process.builder().target(args -> args.get(0, Queue.class).put("hello")).args(q).build();
 * p.start();
 * System.out.println(q.get());   // hello
 * p.join();
 * }</pre>
 *
 * <p>Pass a queue to children as a {@link io.github.multiprocessing4j.Process} argument (to several
 * children, to grandchildren, or through another queue or pipe). The process that created it holds
 * the items; every other process talks to it over an authenticated shared-memory link.
 *
 * <p><b>Differences from CPython, for the better.</b> {@link #put(Object)} serializes the item in the
 * caller's thread, so an item that cannot be serialized fails that call (CPython's feeder thread
 * prints the error and drops the item), and changing the object after {@code put} does not change
 * what is received. What a process put is delivered even if it exits at once, and it never makes
 * that process's exit, or a {@code join()} of it, wait (CPython's "joining processes that use
 * queues" deadlock does not exist). A process that gets from a queue whose creator has ended gets
 * a {@link ConnectionException}, not a hang. {@link #joinThread()} and {@link #cancelJoinThread()}
 * exist for CPython code but have nothing to wait for.
 *
 * <p><b>Differences that remain.</b> The queue lives as long as the process that created it: other
 * processes can use it while that process runs (it waits for its non-daemonic children at exit, so
 * for them it always does); once shared with another process, it is kept by its creator until the
 * creator exits, even after {@link #close()}.
 *
 * <p><b>A returned put is visible everywhere.</b> Once {@link #put(Object)} returns, every operation
 * that happens after it in any process, through this library, sees the item: {@code get} order,
 * {@link #qsize()}, {@link #empty()}, {@link JoinableQueue#join()}. See {@link #put(Object)}.
 *
 * <p><b>Full and empty.</b> As CPython: {@link #put(Object, Duration)} and {@link #putNowait} throw
 * {@link QueueFullException}, {@link #get(Duration)} and {@link #getNowait()} throw
 * {@link QueueEmptyException}. As {@link java.util.concurrent.BlockingQueue}: {@link #offer} returns
 * false and {@link #poll} returns an empty {@link Optional}.
 *
 * <p>Thread-safe. Blocking methods wait without using a core and throw
 * {@link InterruptedException} when interrupted (a get withdrawn that way loses no item).
 *
 * @param <E> the type of the items
 */
public class Queue<E> implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;
  private static final AtomicLong IDS = new AtomicLong();
  /** The queues this process created and published, by id: what a reference sent home resolves to. */
  private static final Map<Long, Queue<?>> PUBLISHED = new ConcurrentHashMap<>();
  static final long FOREVER = Long.MAX_VALUE;

  private final transient long id;
  private final transient long ownerPid;
  private final transient int maxsize;
  private final transient QueueStore store; // in the creator; null elsewhere
  private transient volatile String address; // the creator's server; set once published
  private transient volatile QueueClient client;
  private transient volatile boolean closed;
  /** Whether this process put to it through this object: CPython's started feeder thread. */
  private transient volatile boolean used;
  private transient volatile ObjectInputFilter filter;

  /** Creates an unbounded queue. */
  public Queue() {
    this(0);
  }

  /**
   * Creates a queue that holds at most {@code maxsize} items.
   *
   * @param maxsize the limit; zero or negative for none (CPython's default)
   */
  public Queue(int maxsize) {
    this.id = IDS.incrementAndGet();
    this.ownerPid = CurrentProcess.pid();
    this.maxsize = Math.max(0, maxsize);
    this.store = new QueueStore(this.maxsize);
  }

  /** A queue that another process created, served at {@code address}. */
  Queue(String address, long id, long ownerPid, int maxsize) {
    this.id = id;
    this.ownerPid = ownerPid;
    this.maxsize = maxsize;
    this.store = null;
    this.address = address;
  }

  // ---- put

  /**
   * Puts an item, waiting for room if the queue is bounded and full.
   *
   * <p><b>Causal order.</b> Once this returns, every operation that happens after it in any process
   * sees the item: a later round of a {@code Barrier} gets it before the items put after that
   * round; an {@code Event} set after it, a message sent on a {@code Connection}, a lock released,
   * a child started or this process's exit all come after it, so {@code qsize}, {@code empty},
   * {@code get} and {@code JoinableQueue.join} in the process that learns of them count it. Items
   * of one producer keep its order. A put to another process's unbounded queue does not wait for an
   * answer: the next such operation of this process (a send, a change of a synchronisation object,
   * a queue operation, a start, the exit) first waits until the queue's creator has applied it.
   * Not covered: raw shared memory read without a lock, and anything outside this library.
   *
   * @param item the item; may be null
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   * @throws InterruptedException if interrupted while waiting for room
   */
  public void put(E item) throws InterruptedException {
    put(encode(item), FOREVER);
  }

  /**
   * Puts an item, waiting up to {@code timeout} for room.
   *
   * @param item the item; may be null
   * @param timeout how long to wait; zero or negative does not wait
   * @throws QueueFullException if the queue stayed full
   * @throws IllegalArgumentException if it cannot be serialized; nothing is put
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   * @throws InterruptedException if interrupted while waiting
   */
  public void put(E item, Duration timeout) throws InterruptedException {
    if (!put(encode(item), nanos(timeout))) {
      throw new QueueFullException("the queue stayed full for " + timeout);
    }
  }

  /**
   * Puts an item if there is room now: CPython's {@code put_nowait}.
   *
   * @param item the item; may be null
   * @throws QueueFullException if the queue is full
   * @throws IllegalArgumentException if it cannot be serialized
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   */
  public void putNowait(E item) {
    if (!offer(item)) {
      throw new QueueFullException("the queue is full");
    }
  }

  /**
   * Puts an item if there is room now.
   *
   * @param item the item; may be null
   * @return false if the queue is full
   * @throws IllegalArgumentException if it cannot be serialized
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   */
  public boolean offer(E item) {
    try {
      return put(encode(item), 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Puts an item, waiting up to {@code timeout} for room.
   *
   * @param item the item; may be null
   * @param timeout how long to wait
   * @return false if the queue stayed full
   * @throws IllegalArgumentException if it cannot be serialized
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean offer(E item, Duration timeout) throws InterruptedException {
    return put(encode(item), nanos(timeout));
  }

  private byte[] encode(E item) {
    checkOpen();
    return Messages.encode(item, "the item put on the queue");
  }

  private boolean put(byte[] item, long timeoutNanos) throws InterruptedException {
    if (!used) {
      used = true; // read before written: no fence on every put
    }
    if (store != null) {
      PutFence.await();
      QueueStore.Waiter w = store.put(item, timeoutNanos != 0, null);
      if (w == null) {
        return true;
      }
      if (w == QueueStore.REFUSED) {
        return false;
      }
      return store.await(w, timeoutNanos);
    }
    QueueClient c = client();
    if (maxsize == 0) {
      c.putNoReply(item);
      return true;
    }
    return c.put(item, timeoutNanos == FOREVER ? -1 : timeoutNanos);
  }

  // ---- get

  /**
   * Removes and returns the oldest item, waiting for one.
   *
   * @return the item
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended, or the item cannot
   *     be deserialized (its class is missing, or refused by the filter)
   * @throws InterruptedException if interrupted while waiting
   */
  public E get() throws InterruptedException {
    return decode(take(FOREVER));
  }

  /**
   * Removes and returns the oldest item, waiting up to {@code timeout}.
   *
   * @param timeout how long to wait; zero or negative does not wait
   * @return the item
   * @throws QueueEmptyException if none came in time
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException as {@link #get()}
   * @throws InterruptedException if interrupted while waiting
   */
  public E get(Duration timeout) throws InterruptedException {
    byte[] m = take(nanos(timeout));
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
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException as {@link #get()}
   */
  public E getNowait() {
    byte[] m = takeNow();
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
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException as {@link #get()}
   */
  public Optional<E> poll() {
    byte[] m = takeNow();
    return m == null ? Optional.empty() : Optional.ofNullable(decode(m));
  }

  /**
   * Removes and returns the oldest item, waiting up to {@code timeout}. A null item also gives an
   * empty {@code Optional}: use {@link #get(Duration)} on a queue that may hold nulls.
   *
   * @param timeout how long to wait
   * @return the item, or empty
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException as {@link #get()}
   * @throws InterruptedException if interrupted while waiting
   */
  public Optional<E> poll(Duration timeout) throws InterruptedException {
    byte[] m = take(nanos(timeout));
    return m == null ? Optional.empty() : Optional.ofNullable(decode(m));
  }

  private byte[] takeNow() {
    try {
      return take(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private byte[] take(long timeoutNanos) throws InterruptedException {
    checkOpen();
    if (store != null) {
      PutFence.await();
      QueueStore.Waiter w = store.take(timeoutNanos != 0, null);
      if (w == QueueStore.REFUSED) {
        return null;
      }
      return w.isDone() || store.await(w, timeoutNanos) ? w.item() : null;
    }
    return client().get(timeoutNanos == FOREVER ? -1 : timeoutNanos);
  }

  @SuppressWarnings("unchecked")
  private E decode(byte[] m) {
    try {
      return (E) Messages.decode(m, filter);
    } catch (IOException e) {
      throw new ConnectionException("cannot deserialize the item taken from the queue (it is lost): "
          + e.getMessage(), e);
    }
  }

  // ---- size

  /**
   * Returns the number of items the queue holds now (an estimate while other processes use it).
   *
   * @return the count
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   */
  public int qsize() {
    checkOpen();
    if (store != null) {
      return store.size();
    }
    return uninterruptibly(() -> client().size());
  }

  /**
   * Whether the queue holds no item now. After {@link #close()}, as CPython: a queue this process
   * never put to still answers (its close changed nothing), one it put to throws.
   *
   * @return true if empty
   * @throws ConnectionException {@code "handle is closed"} if closed after this process put to it;
   *     or if the process that created the queue has ended
   */
  public boolean empty() {
    if (!closed) {
      return qsize() == 0;
    }
    if (used) {
      throw new ConnectionException("handle is closed");
    }
    if (store != null) {
      return store.size() == 0;
    }
    return uninterruptibly(() -> {
      QueueClient c = QueueClient.of(address, id, ownerPid);
      try {
        return c.size() == 0;
      } finally {
        c.release();
      }
    });
  }

  /**
   * Whether a bounded queue holds its maximum now.
   *
   * @return true if full
   * @throws IllegalStateException {@code "Queue ... is closed"}
   * @throws ConnectionException if the process that created the queue has ended
   */
  public boolean full() {
    checkOpen();
    if (maxsize == 0) {
      return false;
    }
    if (store != null) {
      return store.full();
    }
    return uninterruptibly(() -> client().full());
  }

  /**
   * Returns the most items this queue holds.
   *
   * @return the limit, or 0 for none
   */
  public int maxsize() {
    return maxsize;
  }

  // ---- lifecycle

  /**
   * Closes the queue in this process: later calls here throw {@code "Queue ... is closed"}. Other
   * processes keep using it, and what this process put is still delivered. Idempotent.
   */
  @Override
  public void close() {
    QueueClient c;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      c = client;
      client = null;
    }
    if (c != null) {
      c.release(); // the link stays open while another Queue object of this process uses it
    }
  }

  /**
   * Whether {@link #close()} was called in this process.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * CPython's {@code join_thread()}: there is no feeder thread, so nothing to wait for; only its
   * check remains.
   *
   * @throws IllegalStateException {@code "Queue ... not closed"} if the queue is not closed
   */
  public void joinThread() {
    if (!closed) {
      throw new IllegalStateException("Queue " + this + " not closed");
    }
  }

  /** CPython's {@code cancel_join_thread()}: nothing to cancel; what was put is never lost. */
  public void cancelJoinThread() {
    // nothing is buffered in this process
  }

  /**
   * Sets the filter that items taken in this process must also pass, after the library's limits
   * and the JVM-wide filter.
   *
   * @param filter the filter, or null for none
   */
  public void setSerialFilter(ObjectInputFilter filter) {
    this.filter = filter;
  }

  @Override
  public String toString() {
    return "<" + getClass().getSimpleName() + " " + id + " of process " + ownerPid
        + (maxsize == 0 ? "" : " maxsize=" + maxsize) + (closed ? " closed" : "") + ">";
  }

  // ---- for subclasses

  /** The store, in the creating process; null elsewhere. */
  QueueStore store() {
    return store;
  }

  QueueClient client() throws InterruptedException {
    QueueClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      checkOpen();
      if (client == null) {
        client = QueueClient.of(address, id, ownerPid);
      }
      return client;
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Queue " + this + " is closed");
    }
  }

  static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return FOREVER;
    }
  }

  /** A request that does not wait for items: an interrupt is kept for later, not thrown. */
  interface Call<T> {
    T call() throws InterruptedException;
  }

  static <T> T uninterruptibly(Call<T> call) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return call.call();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- serialization: a reference to the creator's queue

  /** What kind of queue a reference resolves to. */
  ObjectRef.Kind kind() {
    return ObjectRef.Kind.QUEUE;
  }

  /**
   * Serializes a reference to this queue (publishing it to other processes first) instead of
   * this object.
   *
   * @return the reference
   */
  Object writeReplace() {
    return ref(kind());
  }

  /**
   * A reference of the given kind to this queue, published to other processes first: a
   * {@link SimpleQueue} serializes as its queue's, of its own kind.
   */
  ObjectRef ref(ObjectRef.Kind kind) {
    if (store != null && address == null) {
      try {
        QueueServer server = QueueServer.get();
        server.publish(id, store);
        PUBLISHED.put(id, this);
        address = server.address();
      } catch (IOException e) {
        throw new MultiprocessingException("cannot share " + this + " with another process: " + e, e);
      }
    }
    return QueueRefs.queue(kind, address, id, ownerPid, maxsize);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Queue is deserialized through its reference only");
  }

  /**
   * The queue a reference resolves to: this process's own if it created and published it, else a
   * new link to the creator's.
   */
  static Queue<?> resolve(boolean joinable, String address, long id, long ownerPid, int maxsize) {
    if (ownerPid == CurrentProcess.pid()) {
      Queue<?> mine = PUBLISHED.get(id);
      if (mine != null) {
        return mine;
      }
    }
    return joinable
        ? new JoinableQueue<>(address, id, ownerPid, maxsize)
        : new Queue<>(address, id, ownerPid, maxsize);
  }
}
