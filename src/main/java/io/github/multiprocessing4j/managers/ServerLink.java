package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.connection.AuthenticationException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.launch.Handoffs;
import io.github.multiprocessing4j.internal.transport.Handshake;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.SocketTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This process's link to one manager's server: a session connection, opened first and kept open
 * without traffic, whose end (this process closing the link, or ending) makes the server drop
 * every reference the process held; and connections for calls, each used by one thread at a time
 * and kept for the next call (as many as threads called at once: CPython's per-thread
 * connections, without one per thread that ever called).
 *
 * <p>A link fails for good when the server closes a connection or cannot be reached: every call
 * then fails at once with the same message, which names the manager and, where this process
 * started it, how its process ended. One link per address in a process, shared by its proxies.
 * Thread-safe.
 */
final class ServerLink {

  private static final ConcurrentHashMap<String, ServerLink> LINKS = new ConcurrentHashMap<>();
  /** How long connecting and the authkey exchange may take. */
  private static final long CONNECT_NANOS = TimeUnit.SECONDS.toNanos(20);

  final String address;
  private final byte[] key;
  private final String session = newSession();
  private final ConcurrentLinkedDeque<Frames> idle = new ConcurrentLinkedDeque<>();
  private final Set<Frames> open = ConcurrentHashMap.newKeySet();
  private Frames sessionChannel; // guarded by this
  /** Why the link can no longer be used, or null. */
  private volatile String ended;
  /** Says how the server's process ended; set where this process started it. */
  private volatile Supplier<String> endReason;
  /** What the manager is called in messages. */
  private volatile String name;

  private ServerLink(String address, byte[] key) {
    this.address = address;
    this.key = key.clone();
    this.name = "the manager at " + address;
  }

  /**
   * The link of a manager this process starts, connects to or serves, with its key: proxies read
   * here from now on use it. An older link to the address stays open for the proxies made on it.
   */
  static ServerLink open(String address, byte[] key) {
    ServerLink l = new ServerLink(address, key);
    LINKS.put(address, l);
    return l;
  }

  /** The link to the server at {@code address}, made with this process's authkey if there is none. */
  static ServerLink forAddress(String address) {
    return forAddress(address, null);
  }

  /** The link to the server at {@code address}, made with {@code key} (null: this process's) if there is none. */
  static ServerLink forAddress(String address, byte[] key) {
    return LINKS.computeIfAbsent(address, a -> new ServerLink(a, key != null ? key
        : Multiprocessing.currentProcess().authkey()));
  }

  /**
   * The key a child must be given with a proxy in its start arguments: this link's, if it is not
   * the process's own (which children inherit), and only while a child's bootstrap is being
   * written (CPython sends a proxy's authkey only when spawning, too); null otherwise.
   */
  byte[] keyForChild() {
    if (Arrays.equals(key, Multiprocessing.currentProcess().authkey())) {
      return null;
    }
    return key.clone();
  }

  /**
   * Takes a reference for a child whose start arguments are being written, which the child
   * adopts as it reads them: the object then lives even if every proxy here is closed before the
   * child reads its arguments. Null if no child's arguments are being written.
   */
  String referenceForChild(long id) {
    if (!Handoffs.record(recipient -> { })) {
      return null;
    }
    incref(id);
    return session;
  }

  /** Takes over the reference a parent took for this child (see {@link #referenceForChild}). */
  void adopt(long id, String fromSession) {
    Object[] r = request("a reference", ManagerProtocol.ADOPT, id, fromSession);
    if (ManagerProtocol.op(r) != ManagerProtocol.OK) {
      throw new IllegalStateException(name + " no longer has object " + id + ": "
          + ManagerProtocol.field(r, 1, String.class));
    }
  }

  /**
   * A session id, unique among a server's clients: 128 random bits from the kernel, as a UUID's,
   * without {@code UUID.randomUUID()}'s SecureRandom, whose start every client process would pay.
   */
  private static String newSession() {
    byte[] b = new byte[16];
    Handshake.randomBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  /** Names the manager in messages, and says how its process ended when the server is gone. */
  void describe(String managerName, Supplier<String> howItEnded) {
    this.name = managerName + " at " + address;
    this.endReason = howItEnded;
  }

  String name() {
    return name;
  }

  /**
   * Sends a request and returns the reply.
   *
   * @param what names the arguments in the error if they cannot be serialized
   * @throws IllegalArgumentException if an argument cannot be serialized (nothing is sent)
   * @throws ConnectionException if the server is gone or was shut down, or this thread was
   *     interrupted (its flag is kept)
   */
  Object[] request(String what, Object... frame) {
    checkUsable();
    byte[] m = Messages.encode(frame, what);
    ensureSession();
    Frames t = idle.poll();
    byte[] r;
    try {
      if (t == null) {
        t = connect(false);
      }
      t.send(m);
      r = t.receive();
    } catch (InterruptedException | ClosedByInterruptException e) {
      discard(t); // a reply may still come on it
      Thread.currentThread().interrupt();
      throw new ConnectionException("interrupted while waiting for " + name);
    } catch (IOException | ConnectionException e) {
      discard(t);
      throw broken(e);
    }
    idle.push(t); // the whole reply is in: the connection serves the next call, however it reads
    try {
      return ManagerProtocol.decode(r);
    } catch (ManagerProtocol.UnreadableFrame e) {
      throw new ConnectionException("cannot read the reply of " + name + ": " + e.getMessage(), e.getCause());
    }
  }

  /** Takes one more reference to an object, for a proxy read in this process. */
  void incref(long id) {
    Object[] r = request("a reference", ManagerProtocol.INCREF, id);
    if (ManagerProtocol.op(r) != ManagerProtocol.OK) {
      throw new IllegalStateException(name + " no longer has object " + id + ": "
          + ManagerProtocol.field(r, 1, String.class));
    }
  }

  /** Drops a reference, quietly: for a proxy closed or collected, maybe at exit. */
  void decrefQuietly(long id) {
    if (ended != null) {
      return;
    }
    try {
      request("a reference", ManagerProtocol.DECREF, id);
    } catch (RuntimeException e) {
      // the server is gone, and with it the reference
    }
  }

  /** Ends the link, saying why to later calls: the server drops the session's references. */
  void close(String why) {
    synchronized (this) {
      if (ended == null) {
        ended = why;
      }
    }
    LINKS.remove(address, this);
    for (Frames t : open) {
      t.close();
      OpenChannels.remove(t);
    }
  }

  boolean isEnded() {
    return ended != null;
  }

  private void checkUsable() {
    String why = ended;
    if (why != null) {
      throw new ConnectionException(why);
    }
  }

  private synchronized void ensureSession() {
    if (sessionChannel != null) {
      return;
    }
    try {
      sessionChannel = connect(true);
    } catch (IOException | ConnectionException e) {
      throw broken(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionException("interrupted while connecting to " + name);
    }
  }

  private Frames connect(boolean isSession) throws IOException, InterruptedException {
    SocketAddress a = ManagerProtocol.parse(address);
    SocketChannel ch;
    try {
      ch = SocketChannel.open(a);
    } catch (IOException e) {
      throw new ConnectionException("cannot connect to " + name + ": " + e.getMessage()
          + " (is the manager running, and is this its address?)", e);
    }
    if (a instanceof InetSocketAddress) {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }
    SocketTransport handshake = new SocketTransport(ch);
    Frames t;
    try {
      Handshake.connect(handshake, key, CONNECT_NANOS);
      t = new Frames(handshake.detach());
    } catch (AuthenticationException e) {
      handshake.close();
      throw new AuthenticationException(name + " did not accept this process's authkey: " + e.getMessage()
          + " (give the manager's authkey to connect to it)", e);
    } catch (IOException | RuntimeException | InterruptedException e) {
      handshake.close();
      throw e;
    }
    open.add(t);
    OpenChannels.add(t);
    Object[] r;
    try {
      ManagerProtocol.send(t, "hello", ManagerProtocol.HELLO, session, isSession);
      r = ManagerProtocol.receive(t);
    } catch (IOException | RuntimeException e) {
      discard(t);
      throw e;
    }
    if (ManagerProtocol.op(r) != ManagerProtocol.OK) {
      discard(t);
      throw new ConnectionException(name + " refused the connection: " + r[1]);
    }
    if (ended != null) { // closed while connecting
      discard(t);
      checkUsable();
    }
    return t;
  }

  private void discard(Frames t) {
    if (t != null) {
      t.close();
      open.remove(t);
      OpenChannels.remove(t);
    }
  }

  /** The server is gone: the link fails for good, naming the manager and how it ended. */
  private ConnectionException broken(Exception cause) {
    if (cause instanceof AuthenticationException) {
      throw (AuthenticationException) cause;
    }
    String why = ended;
    if (why == null) {
      Supplier<String> r = endReason;
      String how = r == null ? null : r.get();
      why = how != null ? how
          : name + " closed the connection (" + cause.getMessage() + "): it ended or was shut down";
      synchronized (this) {
        if (ended == null) {
          ended = why;
        }
        why = ended;
      }
      close(why);
    }
    return new ConnectionException(why, cause);
  }
}
