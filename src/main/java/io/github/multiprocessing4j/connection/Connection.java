package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.launch.Handoffs;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.transport.Transport;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * One end of a two-way (or one-way) channel of messages between processes: CPython's
 * {@code multiprocessing.connection.Connection}. Get them from {@link Pipe#open()} or from
 * {@link Listener#accept()} and {@link Client#connect(java.net.SocketAddress)}.
 *
 * <p>{@link #send(Object)} sends a serializable object, {@link #sendBytes(byte[])} raw bytes; the
 * receiving end gets exactly the messages sent, one by one: boundaries are kept and an empty
 * message is a real one. When the other end is closed, or its process ends, the receiver still
 * gets every message sent before, and then {@link PeerClosedException}; a sender gets
 * {@link BrokenPipeException} at once.
 *
 * <p><b>Passing an end to another process.</b> An end of a {@link Pipe} may be passed to a child as
 * a {@link io.github.multiprocessing4j.Process} argument (to a grandchild, through a queue or
 * another pipe too). It belongs to the first process that uses it: two processes that hold the
 * two ends talk directly, through a shared-memory ring, and the process that created the pipe
 * relays nothing. An end already used in one process cannot be used in another (CPython would
 * duplicate the descriptor; this is refused with a {@link ConnectionException} naming the first
 * user), and a Connection from a {@link Listener} or {@link Client} cannot be passed at all.
 *
 * <p><b>Threads.</b> Safe for use by several threads: whole messages never interleave (CPython's
 * Connection has no lock and would corrupt them). {@link #close()} may be called from any thread.
 *
 * <p><b>Blocking.</b> {@code recv*} wait for a message, {@code send*} wait while the ring is full,
 * {@link #poll(Duration)} waits up to its timeout; all wait without using a core (after spinning
 * for some microseconds, which is what makes a round trip fast) and throw
 * {@link InterruptedException} if interrupted. A message longer than the room in the ring that
 * is already partly sent (or received) when the interrupt comes is finished first, so that the
 * stream stays whole; the call then returns with the thread's interrupt flag set.
 *
 * <p><b>Deserialization.</b> {@link #recv()} deserializes through an {@link java.io.ObjectInputFilter}:
 * the library's limits and deny-list, then the JVM-wide filter ({@code jdk.serialFilter}), then the
 * process-wide one ({@link io.github.multiprocessing4j.Multiprocessing#setSerialFilter}), then the
 * one set with {@link #setSerialFilter}; any of them rejecting a class fails that receive.
 */
public final class Connection implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;
  /** The end objects of this JVM, by pipe and side: an end received twice is one object. */
  private static final ConcurrentHashMap<String, WeakReference<Connection>> ENDS = new ConcurrentHashMap<>();
  /**
   * Ends handed to a child as a start argument, kept reachable: their peer here must find them to
   * learn whether those children still live, even after the program dropped its copy (as one
   * does once the child has it). An end not used here holds no mapping, only this object. Pruned
   * once the pipe's state file is gone, when no end can connect any more.
   */
  private static final ConcurrentHashMap<String, Connection> HANDED_OFF = new ConcurrentHashMap<>();
  /** Held while a reference resolves, so that an end received twice at once is one object. */
  private static final Object RESOLVING = new Object();

  private final transient Path state; // null for a connection from Listener/Client
  private final transient Path ring;
  private final transient int side;
  private final transient boolean readable;
  private final transient boolean writable;
  private final transient String label;
  private final transient Object attachLock = new Object();
  private final transient List<BooleanSupplier> handedTo = new CopyOnWriteArrayList<>();
  private transient volatile Transport transport;
  private transient volatile boolean closed;
  private transient volatile boolean unreadable;
  private transient volatile boolean sentElsewhere;
  private transient volatile boolean fromParent;
  private transient volatile java.io.ObjectInputFilter filter;

  private Connection(Path state, Path ring, int side, boolean readable, boolean writable, String label) {
    this.state = state;
    this.ring = ring;
    this.side = side;
    this.readable = readable;
    this.writable = writable;
    this.label = label;
  }

  /** An end of a new pipe. */
  static Connection pipeEnd(Path state, Path ring, int side, boolean readable, boolean writable) {
    Connection c = new Connection(state, ring, side, readable, writable, state.getFileName() + " end " + side);
    register(key(state, side), c);
    return c;
  }

  private static void register(String key, Connection c) {
    ENDS.put(key, new WeakReference<>(c));
    int n = ENDS.size();
    if ((n & (n - 1)) == 0 && n >= 64) {
      ENDS.values().removeIf(r -> r.get() == null); // forget collected ends now and then
    }
  }

  /** A connection over a socket from a Listener or Client. */
  static Connection overSocket(Transport t, String label) {
    Connection c = new Connection(null, null, 0, true, true, label);
    c.transport = t;
    return c;
  }

  private static String key(Path state, int side) {
    return state + "#" + side;
  }

  // ---- sending

  /**
   * Sends a serializable object. It is serialized here, in the caller's thread, so an object that
   * cannot be serialized fails this call (and nothing is sent), and later changes to it are not seen
   * by the receiver.
   *
   * @param obj the object; may be null
   * @throws IllegalArgumentException if it cannot be serialized (the message names the class), or
   *     is longer once encoded than {@code -Dmultiprocessing4j.maxMessageBytes} (100,000,000 by default)
   * @throws BrokenPipeException if the other end was closed or its process ended
   * @throws ConnectionException {@code "handle is closed"} after {@link #close()};
   *     {@code "connection is read-only"} for the receiving end of a one-way pipe
   * @throws InterruptedException if interrupted while the ring is full
   */
  public void send(Object obj) throws InterruptedException {
    checkWritable();
    byte[] m = Messages.encode(obj, "the object sent");
    sendRaw(m, 0, m.length);
  }

  /**
   * Sends a whole byte array as one message.
   *
   * @param buf the bytes; not kept
   * @throws BrokenPipeException if the other end was closed or its process ended
   * @throws ConnectionException as {@link #send(Object)}
   * @throws InterruptedException if interrupted while the ring is full
   */
  public void sendBytes(byte[] buf) throws InterruptedException {
    sendBytes(buf, 0);
  }

  /**
   * Sends {@code buf[offset..]} as one message.
   *
   * @param buf the bytes
   * @param offset where the message starts; {@code buf.length} sends an empty message
   * @throws IllegalArgumentException {@code "offset is negative"}, {@code "buffer length < offset"}
   * @throws BrokenPipeException if the other end was closed or its process ended
   * @throws ConnectionException as {@link #send(Object)}
   * @throws InterruptedException if interrupted while the ring is full
   */
  public void sendBytes(byte[] buf, int offset) throws InterruptedException {
    Objects.requireNonNull(buf, "buf");
    checkOffset(buf, offset);
    sendBytes(buf, offset, buf.length - offset);
  }

  /**
   * Sends {@code size} bytes of {@code buf} from {@code offset} as one message: CPython's
   * {@code send_bytes(buf, offset, size)}, with its checks and messages.
   *
   * @param buf the bytes
   * @param offset where the message starts
   * @param size its length
   * @throws IllegalArgumentException {@code "offset is negative"}, {@code "buffer length < offset"},
   *     {@code "size is negative"}, {@code "buffer length < offset + size"}
   * @throws BrokenPipeException if the other end was closed or its process ended
   * @throws ConnectionException as {@link #send(Object)}
   * @throws InterruptedException if interrupted while the ring is full
   */
  public void sendBytes(byte[] buf, int offset, int size) throws InterruptedException {
    Objects.requireNonNull(buf, "buf");
    checkOffset(buf, offset);
    if (size < 0) {
      throw new IllegalArgumentException("size is negative");
    }
    if ((long) offset + size > buf.length) {
      throw new IllegalArgumentException("buffer length < offset + size");
    }
    checkWritable();
    sendRaw(buf, offset, size);
  }

  private static void checkOffset(byte[] buf, int offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset is negative");
    }
    if (buf.length < offset) {
      throw new IllegalArgumentException("buffer length < offset");
    }
  }

  private void sendRaw(byte[] b, int off, int len) throws InterruptedException {
    io.github.multiprocessing4j.internal.transport.PutFence.await(); // what this process put first
    try {
      transport().send(b, off, len);
    } catch (IOException e) {
      throw failure("send", e);
    }
  }

  // ---- receiving

  /**
   * Receives the next object, waiting for it.
   *
   * @return the object
   * @throws PeerClosedException if the other end was closed or ended and nothing is left (EOFError)
   * @throws ConnectionException {@code "handle is closed"}, {@code "connection is write-only"}, or
   *     if the message cannot be deserialized (its class is missing or refused by the filter)
   * @throws InterruptedException if interrupted while waiting
   */
  public Object recv() throws InterruptedException {
    byte[] m = recvBytes();
    try {
      return Messages.decode(m, filter);
    } catch (IOException e) {
      throw new ConnectionException("cannot deserialize the object received: " + e.getMessage(), e);
    }
  }

  /**
   * Receives the next object and checks its type.
   *
   * @param <T> the type expected
   * @param type its class
   * @return the object, or null if null was sent
   * @throws ClassCastException if the object is of another type (it is consumed)
   * @throws PeerClosedException as {@link #recv()}
   * @throws ConnectionException as {@link #recv()}
   * @throws InterruptedException if interrupted while waiting
   */
  public <T> T recv(Class<T> type) throws InterruptedException {
    Object o = recv();
    if (o != null && !type.isInstance(o)) {
      throw new ClassCastException("received a " + o.getClass().getName() + ", not a " + type.getName());
    }
    return type.cast(o);
  }

  /**
   * Receives the next message as bytes, of any length.
   *
   * @return the message
   * @throws PeerClosedException if the other end was closed or ended and nothing is left
   * @throws ConnectionException {@code "handle is closed"}, {@code "connection is write-only"}
   * @throws InterruptedException if interrupted while waiting
   */
  public byte[] recvBytes() throws InterruptedException {
    return recvBytes(Integer.MAX_VALUE);
  }

  /**
   * Receives the next message as bytes, refusing one longer than {@code maxLength}. As in CPython,
   * a longer message makes this end unreadable: later receives on a two-way end fail with
   * {@code "connection is write-only"}, and a receive-only end is closed.
   *
   * @param maxLength the longest message accepted
   * @return the message
   * @throws IllegalArgumentException {@code "negative maxlength"}
   * @throws ConnectionException {@code "bad message length"} for a longer message; as
   *     {@link #recvBytes()} otherwise
   * @throws PeerClosedException if the other end was closed or ended and nothing is left
   * @throws InterruptedException if interrupted while waiting
   */
  public byte[] recvBytes(int maxLength) throws InterruptedException {
    if (maxLength < 0) {
      throw new IllegalArgumentException("negative maxlength");
    }
    checkReadable();
    try {
      return transport().receive(maxLength);
    } catch (Transport.MessageTooLongException e) {
      unreadable = true;
      if (!writable) {
        close(); // as CPython: a read-only end that cannot read any more is closed
        throw new ConnectionException(e.getMessage() + "; this end is closed", e);
      }
      throw new ConnectionException(e.getMessage() + "; this end is no longer readable", e);
    } catch (IOException e) {
      throw failure("receive", e);
    }
  }

  /**
   * Receives the next message into {@code buf}.
   *
   * @param buf where to put it
   * @return the message's length
   * @throws BufferTooShortException if it does not fit; the message is consumed and in the exception
   * @throws PeerClosedException as {@link #recvBytes()}
   * @throws ConnectionException as {@link #recvBytes()}
   * @throws InterruptedException if interrupted while waiting
   */
  public int recvBytesInto(byte[] buf) throws InterruptedException {
    return recvBytesInto(buf, 0);
  }

  /**
   * Receives the next message into {@code buf} from {@code offset}: CPython's
   * {@code recv_bytes_into(buf, offset)}. Over a pipe the message is copied straight into
   * {@code buf}, so a loop that reuses one buffer allocates nothing per message; if the peer
   * ends in the middle of a message, part of it may have been written.
   *
   * @param buf where to put it
   * @param offset where in {@code buf}
   * @return the message's length
   * @throws IllegalArgumentException {@code "negative offset"}, {@code "offset too large"}
   * @throws BufferTooShortException if it does not fit; the message is consumed and in the exception
   * @throws PeerClosedException as {@link #recvBytes()}
   * @throws ConnectionException as {@link #recvBytes()}
   * @throws InterruptedException if interrupted while waiting
   */
  public int recvBytesInto(byte[] buf, int offset) throws InterruptedException {
    Objects.requireNonNull(buf, "buf");
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset");
    }
    if (offset > buf.length) {
      throw new IllegalArgumentException("offset too large");
    }
    checkReadable();
    try {
      return transport().receiveInto(buf, offset);
    } catch (Transport.MessageDoesNotFitException e) {
      throw new BufferTooShortException(e.message(), buf.length - offset);
    } catch (IOException e) {
      throw failure("receive", e);
    }
  }

  /**
   * Whether a message, or the end of the stream, is waiting: never waits.
   *
   * @return true if a receive would not block
   * @throws ConnectionException {@code "handle is closed"}, {@code "connection is write-only"}
   */
  public boolean poll() {
    try {
      return poll(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits up to {@code timeout} for a message, or the end of the stream. Repeated calls return
   * true without consuming anything.
   *
   * @param timeout how long to wait; zero or negative does not wait; a duration too long for a
   *     {@code long} of nanoseconds (such as {@code ChronoUnit.FOREVER.getDuration()}) waits for ever
   * @return true if a receive would not block
   * @throws ConnectionException {@code "handle is closed"}, {@code "connection is write-only"}
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean poll(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkReadable();
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE;
    }
    try {
      return transport().poll(nanos);
    } catch (IOException e) {
      throw failure("poll", e);
    }
  }

  // ---- state

  /**
   * Sets the filter that objects received by {@link #recv()} on this end must also pass, after the
   * library's limits and the JVM-wide filter.
   *
   * @param filter the filter, or null for none
   */
  public void setSerialFilter(java.io.ObjectInputFilter filter) {
    this.filter = filter;
  }

  /**
   * Whether this end was closed.
   *
   * @return true after {@link #close()}
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Whether this end can receive: false for the sending end of a one-way pipe.
   *
   * @return whether {@code recv*} are allowed
   */
  public boolean isReadable() {
    return readable && !unreadable;
  }

  /**
   * Whether this end can send: false for the receiving end of a one-way pipe.
   *
   * @return whether {@code send*} are allowed
   */
  public boolean isWritable() {
    return writable;
  }

  /**
   * Closes this end: the other end receives what was sent before, then sees the end of the stream.
   * Idempotent. Closing an end that was passed to a child process only drops this process's copy,
   * as CPython's {@code child_conn.close()} after {@code start()} does.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Transport t = transport;
    if (t != null) {
      t.close();
    }
    if (state != null) {
      // stays in ENDS: its peer, waiting here, must still find it to learn who it was handed to
      if (t != null || (handedTo.isEmpty() && !sentElsewhere)) {
        PipeEndpoint.markClosed(state, ring, side);
      }
      if (peerAbandoned()) {
        // Whoever held the peer end here or in the children it went to has ended, without
        // necessarily marking it closed (killed, say): nobody can use the pipe any more.
        PipeEndpoint.delete(state, ring);
        HANDED_OFF.remove(key(state, 1 - side));
      }
    }
  }

  @Override
  public String toString() {
    return "<Connection " + label + (closed ? " closed" : transport != null ? " connected" : "")
        + (readable && writable ? "" : readable ? " read-only" : " write-only") + ">";
  }

  // ---- internals

  private Transport transport() throws InterruptedException {
    Transport t = transport;
    if (t != null) {
      return t;
    }
    synchronized (attachLock) {
      checkOpen();
      if (transport == null) {
        byte[] key = Multiprocessing.currentProcess().authkey();
        Transport claimed;
        try {
          claimed = PipeEndpoint.claim(state, ring, side, key, new PeerAbandoned(this));
        } catch (IOException e) {
          throw new ConnectionException("cannot connect " + label + ": " + e, e);
        }
        transport = claimed;
        if (closed) {
          claimed.close(); // close() ran meanwhile and saw no channel to close
          throw new ConnectionException("handle is closed");
        }
      }
      return transport;
    }
  }

  /**
   * True once nobody who could still use the peer end is alive, as far as this process can tell:
   * the peer's copy here was closed or handed to children that have all ended, or this end came
   * from a parent that has ended.
   */
  private boolean peerAbandoned() {
    WeakReference<Connection> ref = ENDS.get(key(state, 1 - side));
    Connection peer = ref == null ? null : ref.get();
    if (peer != null && peer != this) {
      if (peer.transport != null || peer.sentElsewhere) {
        return false;
      }
      if (!peer.closed && peer.handedTo.isEmpty()) {
        return false;
      }
      for (BooleanSupplier alive : peer.handedTo) {
        if (alive.getAsBoolean()) {
          return false;
        }
      }
      return !(peer.fromParent && parentAlive());
    }
    return fromParent && !parentAlive();
  }

  /**
   * {@link #peerAbandoned()} for the transport: a class rather than a bound method reference,
   * whose first use costs a new JVM 1.5 ms and more on its first pipe operation.
   */
  private static final class PeerAbandoned implements BooleanSupplier {
    private final Connection end;

    PeerAbandoned(Connection end) {
      this.end = end;
    }

    @Override
    public boolean getAsBoolean() {
      return end.peerAbandoned();
    }
  }

  private static boolean parentAlive() {
    return Multiprocessing.parentProcess().map(p -> {
      try {
        return p.isAlive();
      } catch (IllegalStateException e) {
        return false;
      }
    }).orElse(false);
  }

  private void checkOpen() {
    if (closed) {
      throw new ConnectionException("handle is closed");
    }
  }

  private void checkWritable() {
    checkOpen();
    if (!writable) {
      throw new ConnectionException("connection is read-only");
    }
  }

  private void checkReadable() {
    checkOpen();
    if (!isReadable()) {
      throw new ConnectionException("connection is write-only");
    }
  }

  private ConnectionException failure(String what, IOException e) {
    if (closed) {
      return new ConnectionException("handle is closed", e);
    }
    return new ConnectionException("cannot " + what + " on " + label + ": " + e.getMessage(), e);
  }

  // ---- serialization: a proxy naming the end, so that the receiving process finds its peer

  /**
   * Serializes a reference naming this end of its pipe instead of this object.
   *
   * @return the reference
   * @throws NotSerializableException if this end cannot be passed: it is in use here, closed, or
   *     from a Listener or Client
   */
  private Object writeReplace() throws NotSerializableException {
    if (state == null) {
      throw new NotSerializableException("a Connection from a Listener or Client cannot be passed to "
          + "another process (" + label + "); pass the Listener's address and connect from there");
    }
    if (transport != null) {
      throw new NotSerializableException("this end of the pipe (" + label + ") is already in use in "
          + "this process and cannot be passed to another; pass an end before using it");
    }
    if (closed) {
      throw new NotSerializableException("this end of the pipe (" + label + ") is closed");
    }
    if (!Handoffs.record(handedTo::add)) {
      sentElsewhere = true; // to a process this one cannot watch: never assume the peer is abandoned
    } else {
      HANDED_OFF.put(key(state, side), this);
      int n = HANDED_OFF.size();
      if ((n & (n - 1)) == 0 && n >= 64) {
        HANDED_OFF.values().removeIf(c -> !java.nio.file.Files.exists(c.state));
      }
    }
    return ConnectionRefs.pipeEnd(state, ring, side, readable, writable);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a Connection is deserialized through its proxy only");
  }

  /**
   * The end of this JVM that a reference names: the one it already has, unless closed, else a new
   * one over the pipe's files.
   */
  static Connection resolve(Path state, Path ring, int side, boolean readable, boolean writable) {
    String k = key(state, side);
    boolean parent = Handoffs.fromParent();
    synchronized (RESOLVING) {
      WeakReference<Connection> ref = ENDS.get(k);
      Connection c = ref == null ? null : ref.get();
      if (c == null || c.closed) {
        c = new Connection(state, ring, side, readable, writable, state.getFileName() + " end " + side);
        register(k, c);
      }
      if (parent) {
        c.fromParent = true;
      }
      return c;
    }
  }
}
