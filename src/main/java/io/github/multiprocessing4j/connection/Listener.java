package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.internal.transport.Handshake;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.transport.SocketTransport;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening socket that hands out authenticated {@link Connection}s: CPython's
 * {@code multiprocessing.connection.Listener}. Processes that are not related, or not even Java
 * (CPython's {@code Client} speaks the same protocol), connect to it with {@link Client}.
 *
 * <pre>{@code
 * try (Listener listener = Listener.open()) {           // a Unix socket in the private runtime directory
 *   startWorker(listener.address());                     // e.g. as a Process argument
 *   try (Connection c = listener.accept()) {             // authenticated with the authkey
 *     c.send("hello");
 *   }
 * }
 * // in the worker:
 * try (Connection c = Client.connect(address)) {
 *   System.out.println(c.recv());
 * }
 * }</pre>
 *
 * <p><b>Address.</b> A Unix-domain socket ({@link UnixDomainSocketAddress} or a {@link Path}) or a
 * TCP {@link InetSocketAddress} (port 0 lets the system choose; {@link #address()} tells the one
 * chosen). Without one, a Unix socket named {@code listener-<random>} in this JVM's private runtime
 * directory (mode {@code 0700}, so only this user can connect), as CPython's
 * {@code pymp-xxx/listener-xxx}, or, where that path would be too long for a socket (a long
 * {@code java.io.tmpdir}), in a private directory of the same kind under {@code /dev/shm} or
 * {@code /tmp}; only where Unix sockets are not supported, a loopback TCP port (logged once). The socket file of a Unix address is deleted by
 * {@link #close()} (and at exit), as CPython does.
 *
 * <p><b>Authentication.</b> {@link #accept()} runs CPython's mutual HMAC challenge with the
 * authkey before it returns: each side proves it knows the key without sending it. By default the
 * key is {@link Multiprocessing#currentProcess()}{@code .authkey()} (read when the listener is
 * opened), which children inherit, so a child can connect with
 * {@link Client#connect(SocketAddress)} and no further setup; unrelated processes (another JVM,
 * CPython) must be given a key with {@link Builder#authkey(byte[])}. <em>This differs from
 * CPython</em>, where {@code Listener(authkey=None)}, the default, authenticates nobody;
 * {@link Builder#noAuthentication()} asks for that explicitly. A client that does not complete the
 * challenge within the {@linkplain Builder#handshakeTimeout handshake timeout} (20 seconds by
 * default, for the whole exchange) is dropped, so a silent client cannot block {@code accept()} for
 * ever.
 *
 * <p><b>Deserialization.</b> {@link Connection#recv()} on an accepted connection deserializes
 * through the same filters as a pipe (the library's limits and deny-list, the JVM-wide filter, the
 * process-wide one of {@link Multiprocessing#setSerialFilter}) and then the one given to
 * {@link Builder#serialFilter}: authentication tells that the peer knows the key, not that
 * everything it sends is safe to deserialize.
 *
 * <p><b>Threads.</b> Thread-safe. Several threads may call {@code accept} at once: each gets a
 * different client, and their handshakes run in parallel, so a slow client holds up only the
 * thread that accepted it. {@link #close()} may be called from any thread; {@code accept} calls
 * waiting in other threads then fail with {@code "listener is closed"}.
 *
 * <p>Unless otherwise noted, passing {@code null} to a method of this class throws
 * {@link NullPointerException}.
 */
public final class Listener implements AutoCloseable {

  /** The default handshake timeout: 20 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(20);

  /**
   * The default backlog: 50, the JDK's. CPython's default of 1 makes a client that comes while
   * another is being authenticated wait (Linux) or be refused (macOS, Windows).
   */
  public static final int DEFAULT_BACKLOG = 50;

  /** A Unix socket's path must fit in {@code sun_path}: 108 bytes on Linux, 104 on macOS. */
  private static final int MAX_UNIX_PATH = 100;

  private final ServerSocketChannel server;
  private final SocketAddress address;
  private final Path socketFile; // deleted on close; null for TCP
  private final byte[] authkey; // null: no authentication
  private final long handshakeNanos;
  private final ObjectInputFilter filter;
  /** Held while waiting for a socket: one thread at a time uses the selector. */
  private final ReentrantLock acceptLock = new ReentrantLock();
  private final Selector selector; // guarded by acceptLock
  private final Set<SocketTransport> handshaking = ConcurrentHashMap.newKeySet();
  /** Selectors of threads waiting for a client in {@link #awaitClient}, woken by close(). */
  private final Set<Selector> readinessWaits = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile SocketAddress lastAccepted;

  private Listener(ServerSocketChannel server, Path socketFile, Builder b) throws IOException {
    this.server = server;
    this.socketFile = socketFile;
    this.authkey = b.noAuthentication ? null
        : b.authkey != null ? b.authkey.clone() : Multiprocessing.currentProcess().authkey();
    this.handshakeNanos = toNanos(b.handshakeTimeout);
    this.filter = b.filter;
    this.selector = Selector.open();
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    this.address = server.getLocalAddress();
  }

  /**
   * Opens a listener at the default address (see above), authenticating clients with this
   * process's authkey.
   *
   * @return the listener
   * @throws ConnectionException if no socket can be bound
   */
  public static Listener open() {
    return builder().open();
  }

  /**
   * Opens a listener at {@code address}, authenticating clients with this process's authkey.
   *
   * @param address a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}
   * @return the listener
   * @throws IllegalArgumentException if the address is of another kind
   * @throws ConnectionException if it cannot be bound; the message names the address (for
   *     example, it is already in use)
   */
  public static Listener open(SocketAddress address) {
    return builder().address(address).open();
  }

  /**
   * Opens a listener on a Unix-domain socket at {@code path}, authenticating clients with this
   * process's authkey. The path must not exist; the socket file is deleted by {@link #close()}.
   *
   * @param path where to create the socket
   * @return the listener
   * @throws ConnectionException if it cannot be bound; the message names the path
   */
  public static Listener open(Path path) {
    return builder().address(path).open();
  }

  /**
   * Returns a builder for a listener with options: address, backlog, authkey, handshake timeout
   * and deserialization filter.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Waits for a client, authenticates it and returns the connection to it: CPython's
   * {@code accept()}.
   *
   * <p>A client that fails the challenge (wrong key, something else than the protocol, silence
   * past the handshake timeout, or hanging up half-way) is disconnected and this call throws
   * {@link AuthenticationException}; the listener is unaffected, and the next {@code accept()}
   * serves the next client.
   *
   * @return the connection, authenticated unless the listener was built with
   *     {@link Builder#noAuthentication()}
   * @throws AuthenticationException if the client that connected failed the challenge; the
   *     message is CPython's where there is one ({@code "digest received was wrong"})
   * @throws ConnectionException {@code "listener is closed"}, before or during the wait, or if
   *     accepting fails
   * @throws InterruptedException if interrupted while waiting or authenticating
   */
  public Connection accept() throws InterruptedException {
    return acceptUntil(Long.MAX_VALUE).orElseThrow();
  }

  /**
   * Waits at most {@code timeout} for a client to connect, then authenticates it as
   * {@link #accept()} does. The handshake with a client that connected in time is bounded by the
   * handshake timeout, not by {@code timeout}.
   *
   * @param timeout how long to wait for a client; zero or negative only takes one already waiting
   * @return the connection, or empty if no client connected in time
   * @throws AuthenticationException as {@link #accept()}
   * @throws ConnectionException as {@link #accept()}
   * @throws InterruptedException if interrupted while waiting or authenticating
   */
  public Optional<Connection> accept(Duration timeout) throws InterruptedException {
    long nanos = toNanos(timeout);
    long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, nanos);
    return acceptUntil(deadline);
  }

  private Optional<Connection> acceptUntil(long deadline) throws InterruptedException {
    SocketChannel s = waitForClient(deadline);
    if (s == null) {
      return Optional.empty();
    }
    SocketAddress peer = null;
    SocketTransport t;
    try {
      peer = s.getRemoteAddress();
      lastAccepted = peer;
      if (!(address instanceof UnixDomainSocketAddress)) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      t = new SocketTransport(s);
    } catch (IOException e) {
      closeQuietly(s);
      checkOpen();
      throw new ConnectionException("cannot set up the connection accepted on " + describe(address)
          + ": " + e.getMessage(), e);
    }
    String label = "accepted by " + describe(address) + (peer == null ? "" : " from " + describe(peer));
    if (authkey != null) {
      authenticate(t, label);
    }
    Connection c = Connection.overSocket(t, label);
    c.setSerialFilter(filter);
    OpenChannels.add(t);
    if (closed.get()) { // closed while this one was set up: it leaves with the listener
      c.close();
      throw closedException();
    }
    return Optional.of(c);
  }

  private void authenticate(SocketTransport t, String label) throws InterruptedException {
    handshaking.add(t);
    try {
      checkOpen(); // close() closes what it finds in handshaking: this one is there, or it is too late
      Handshake.accept(t, authkey, handshakeNanos);
    } catch (AuthenticationException e) {
      t.close();
      checkOpen();
      throw e;
    } catch (IOException | ConnectionException e) {
      t.close();
      checkOpen();
      throw new AuthenticationException("the client (" + label + ") did not complete the authkey "
          + "challenge: " + e.getMessage(), e);
    } catch (InterruptedException | RuntimeException | Error e) {
      t.close();
      throw e;
    } finally {
      handshaking.remove(t);
    }
  }

  /** The next connected socket, or null at the deadline. */
  private SocketChannel waitForClient(long deadline) throws InterruptedException {
    if (deadline == Long.MAX_VALUE) {
      acceptLock.lockInterruptibly();
    } else if (!acceptLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      checkOpen();
      return null;
    }
    try {
      while (true) {
        checkOpen();
        SocketChannel s;
        try {
          s = server.accept();
        } catch (ClosedChannelException e) {
          checkOpen();
          throw new ConnectionException("listener is closed", e);
        } catch (IOException e) {
          checkOpen();
          throw new ConnectionException("cannot accept on " + describe(address) + ": " + e.getMessage(), e);
        }
        if (s != null) {
          return s;
        }
        long ms = 0;
        if (deadline != Long.MAX_VALUE) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
        }
        try {
          selector.select(ms);
        } catch (IOException e) {
          throw new ConnectionException("cannot wait for a client on " + describe(address) + ": " + e, e);
        }
        selector.selectedKeys().clear();
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } finally {
      acceptLock.unlock();
    }
  }

  /**
   * For {@link Readiness}: whether a client is waiting to be accepted, without accepting it; waits
   * for one up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: for ever; zero or less: not at
   * all). Its own selector, so it never holds up {@code accept} in another thread.
   *
   * @throws ConnectionException {@code "listener is closed"}, also when closed while waiting
   * @throws InterruptedException if interrupted while waiting
   */
  boolean awaitClient(long timeoutNanos) throws InterruptedException {
    checkOpen();
    long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
    try (Selector s = Selector.open()) {
      readinessWaits.add(s);
      try {
        server.register(s, SelectionKey.OP_ACCEPT);
        while (true) {
          checkOpen();
          long ms = 0;
          if (timeoutNanos != Long.MAX_VALUE) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return s.selectNow() > 0;
            }
            ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
          }
          if (s.select(ms) > 0) {
            return true;
          }
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      } finally {
        readinessWaits.remove(s);
      }
    } catch (ClosedChannelException e) {
      checkOpen();
      throw new ConnectionException("listener is closed", e);
    } catch (IOException e) {
      checkOpen();
      throw new ConnectionException("cannot wait for a client on " + describe(address) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the address clients connect to: the bound one, with the port the system chose for
   * port 0, or the path of the default Unix socket. CPython's {@code address}.
   *
   * @return a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}
   */
  public SocketAddress address() {
    return address;
  }

  /**
   * Returns the address of the last client accepted, authenticated or not: CPython's
   * {@code last_accepted}. For a Unix socket it usually has an empty path (clients do not bind).
   *
   * @return the peer's address, or empty before the first client
   */
  public Optional<SocketAddress> lastAccepted() {
    return Optional.ofNullable(lastAccepted);
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Stops listening and deletes the socket file of a Unix address. Idempotent. Connections already
   * accepted stay open; {@code accept} calls waiting or authenticating in other threads fail with
   * {@code "listener is closed"}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    selector.wakeup();
    readinessWaits.forEach(Selector::wakeup);
    for (SocketTransport t : handshaking) {
      t.close();
    }
    acceptLock.lock(); // the thread waiting in select, if any, was just woken and leaves at once
    try {
      server.close();
      selector.close();
    } catch (IOException e) {
      // best effort: the descriptors are released either way
    } finally {
      acceptLock.unlock();
    }
    if (socketFile != null) {
      try {
        Files.deleteIfExists(socketFile);
      } catch (IOException e) {
        // as CPython's unlink at close, best effort
      }
    }
    OpenChannels.remove(this);
  }

  @Override
  public String toString() {
    return "Listener[" + describe(address) + (authkey == null ? ", no authentication" : "")
        + (closed.get() ? ", closed" : "") + "]";
  }

  private void checkOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  private static ConnectionException closedException() {
    return new ConnectionException("listener is closed");
  }

  private static void closeQuietly(SocketChannel s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** A path for a Unix address, host:port for TCP. */
  static String describe(SocketAddress a) {
    if (a instanceof UnixDomainSocketAddress) {
      String p = ((UnixDomainSocketAddress) a).getPath().toString();
      return p.isEmpty() ? "an unnamed Unix socket" : p;
    }
    if (a instanceof InetSocketAddress) {
      InetSocketAddress i = (InetSocketAddress) a;
      String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
    }
    return String.valueOf(a);
  }

  /** Checks that an address is one of the two kinds supported, resolving a host name. */
  static SocketAddress checkAddress(SocketAddress address) {
    Objects.requireNonNull(address, "address");
    if (address instanceof InetSocketAddress) {
      InetSocketAddress i = (InetSocketAddress) address;
      if (i.isUnresolved()) {
        InetSocketAddress r = new InetSocketAddress(i.getHostString(), i.getPort());
        if (r.isUnresolved()) {
          throw new ConnectionException("cannot resolve the host name " + i.getHostString());
        }
        return r;
      }
      return i;
    }
    if (address instanceof UnixDomainSocketAddress) {
      return address;
    }
    throw new IllegalArgumentException("a " + address.getClass().getName() + " is not an address a "
        + "Listener or Client supports; use a UnixDomainSocketAddress (or a Path) or an InetSocketAddress");
  }

  static long toNanos(Duration d) {
    Objects.requireNonNull(d, "timeout");
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Builds a {@link Listener} with options. Every setter validates its argument at once; none is
   * required. Not thread-safe; a builder may be reused, each {@link #open()} snapshots it.
   */
  public static final class Builder {

    private SocketAddress address;
    private int backlog = DEFAULT_BACKLOG;
    private byte[] authkey;
    private boolean noAuthentication;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private ObjectInputFilter filter;

    private Builder() {}

    /**
     * Sets the address to listen on. Default: a Unix socket in the private runtime directory (see
     * {@link Listener}).
     *
     * @param address a {@link UnixDomainSocketAddress}, or an {@link InetSocketAddress} (port 0:
     *     the system chooses; the wildcard address listens on every interface)
     * @return this builder
     * @throws IllegalArgumentException if the address is of another kind
     * @throws ConnectionException if a host name cannot be resolved
     */
    public Builder address(SocketAddress address) {
      this.address = checkAddress(address);
      return this;
    }

    /**
     * Sets the address to a Unix-domain socket at {@code path}, which must not exist.
     *
     * @param path where to create the socket
     * @return this builder
     */
    public Builder address(Path path) {
      return address(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * Sets how many connections the system queues before {@code accept} takes them. Default
     * {@value Listener#DEFAULT_BACKLOG}; CPython's is 1.
     *
     * @param backlog at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code backlog} is less than 1
     */
    public Builder backlog(int backlog) {
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
      }
      this.backlog = backlog;
      return this;
    }

    /**
     * Sets the key clients must prove they know. Default: this process's authkey. An empty key is
     * a key like any other, as in CPython 3.13 (3.12 authenticates nobody with it).
     *
     * @param authkey the key; copied
     * @return this builder
     */
    public Builder authkey(byte[] authkey) {
      this.authkey = Objects.requireNonNull(authkey, "authkey").clone();
      this.noAuthentication = false;
      return this;
    }

    /**
     * Accepts clients without the challenge: CPython's {@code Listener(authkey=None)}. Anyone who
     * can reach the address can then send this process objects to deserialize; use it only for
     * a peer that does not authenticate (a CPython {@code Client} without an authkey), on an
     * address only trusted processes can reach.
     *
     * @return this builder
     */
    public Builder noAuthentication() {
      this.noAuthentication = true;
      this.authkey = null;
      return this;
    }

    /**
     * Sets how long a client may take to complete the challenge once it connected; one that does
     * not is dropped and {@code accept} throws {@link AuthenticationException}. Default 20 s. Until
     * then the client holds the thread that accepted it: where untrusted clients can connect, keep
     * it short, or accept in several threads.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder handshakeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("handshake timeout must be positive, not " + timeout);
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * Sets the filter that every accepted connection gets (see
     * {@link Connection#setSerialFilter}): {@link Connection#recv()} refuses a class for which it
     * returns {@link ObjectInputFilter.Status#REJECTED}. To allow only some classes, reject the
     * rest, e.g. {@code ObjectInputFilter.Config.createFilter("com.example.msg.*;java.base/*;!*")}.
     *
     * @param filter the filter, or null for none (the default)
     * @return this builder
     */
    public Builder serialFilter(ObjectInputFilter filter) {
      this.filter = filter;
      return this;
    }

    /**
     * Binds the socket and returns the listener.
     *
     * @return the listener, listening
     * @throws ConnectionException if the socket cannot be bound; the message names the address
     *     (for example, it is already in use)
     * @throws MultiprocessingException if the private runtime directory cannot be created
     */
    public Listener open() {
      if (address == null) {
        return openDefault();
      }
      ServerSocketChannel ss = null;
      Path file = address instanceof UnixDomainSocketAddress ? ((UnixDomainSocketAddress) address).getPath() : null;
      boolean bound = false;
      try {
        ss = file != null ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
        ss.bind(address, backlog);
        bound = true;
        return register(new Listener(ss, file, this));
      } catch (IOException | UnsupportedOperationException e) {
        closeQuietly(ss);
        if (bound && file != null) {
          deleteQuietly(file);
        }
        String why = e instanceof BindException && address instanceof InetSocketAddress
            && ((InetSocketAddress) address).getPort() != 0 ? e.getMessage() + " (another socket is bound to this port)"
            : e instanceof BindException && address instanceof UnixDomainSocketAddress
                && Files.exists(((UnixDomainSocketAddress) address).getPath())
                ? e.getMessage() + " (the file exists: a socket's path must not exist before it is bound)"
                : e.getMessage() != null ? e.getMessage() : e.toString();
        throw new ConnectionException("cannot listen on " + describe(address) + ": " + why, e);
      }
    }

    /** A Unix socket in the runtime directory, else loopback TCP. */
    private Listener openDefault() {
      Path dir = RuntimeDir.sockets(); // the runtime directory, or a shorter one of the same kind
      String whyTcp = "no private directory has a path short enough for a Unix socket";
      for (int attempt = 0; dir != null && attempt < 5; attempt++) {
        Path p = dir.resolve("listener-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000));
        if (p.toString().getBytes(StandardCharsets.UTF_8).length >= MAX_UNIX_PATH) {
          break;
        }
        ServerSocketChannel ss = null;
        boolean bound = false;
        try {
          ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          ss.bind(UnixDomainSocketAddress.of(p), backlog);
          bound = true;
          return register(new Listener(ss, p, this));
        } catch (BindException e) {
          closeQuietly(ss);
          if (!Files.exists(p)) {
            whyTcp = "cannot bind a Unix socket in " + dir + ": " + e.getMessage();
            break; // not a name clash: this file system or system cannot do it
          }
        } catch (IOException | UnsupportedOperationException e) {
          closeQuietly(ss);
          if (bound) {
            deleteQuietly(p);
          }
          whyTcp = "cannot use a Unix socket: " + e;
          break; // no Unix sockets here: loopback TCP, authenticated the same way
        }
      }
      RuntimeDir.warnTcp("a Listener at its default address", whyTcp);
      ServerSocketChannel ss = null;
      try {
        ss = ServerSocketChannel.open();
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
        return register(new Listener(ss, null, this));
      } catch (IOException e) {
        closeQuietly(ss);
        throw new ConnectionException("cannot listen on a loopback port: " + e.getMessage(), e);
      }
    }

    private static Listener register(Listener l) {
      OpenChannels.add(l);
      return l;
    }

    private static void deleteQuietly(Path p) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // nothing more to do
      }
    }

    private static void closeQuietly(ServerSocketChannel ss) {
      if (ss != null) {
        try {
          ss.close();
        } catch (IOException e) {
          // nothing more to do
        }
      }
    }
  }
}
