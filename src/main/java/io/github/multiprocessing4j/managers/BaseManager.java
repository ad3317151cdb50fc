package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.LaunchOptions;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.PeerClosedException;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.codec.JavaSerialization;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A manager: a server that owns objects, and the proxies through which every process that holds
 * one uses them. CPython's {@code multiprocessing.managers.BaseManager}, for user types registered
 * Java-style with a factory and the interface the proxies implement.
 *
 * <pre>{@code
 * try (BaseManager manager = new BaseManager()) {
 *   manager.register("Counter", CounterApi.class, args -> new Counter());
 *   manager.start();                                        // a child process: BaseManager-1
 *   CounterApi counter = manager.get("Counter", CounterApi.class);
 *   counter.increment();                                    // a call in the manager's process
 *   new Process(Worker.class, counter).start();             // the child gets a proxy of the same counter
 * }
 * }</pre>
 *
 * <p><b>Starting.</b> {@link #start()} runs the server in a new, non-daemonic child process, named
 * {@code BaseManager-N} as CPython names it, started as a {@link Process} with this manager's
 * launch options and start method, and returns once the server listens. {@link #connect()} uses a
 * server started elsewhere (by another JVM, even on another machine); {@link #getServer()} makes
 * this JVM the server. The default address is a Unix socket in this JVM's private runtime
 * directory (mode {@code 0700}), or a loopback TCP port where Unix sockets cannot be had; a TCP
 * address given to the builder is bound as given (to reach the manager from other machines, bind
 * a non-loopback address). Every connection is authenticated with the authkey, by default this
 * process's ({@link Multiprocessing#currentProcess()}{@code .authkey()}), which children inherit.
 *
 * <p><b>Shutting down.</b> {@link #shutdown()} (and {@link #close()}) asks the server to stop,
 * waits a second for its process, then terminates it, then kills it, as CPython does; it also runs
 * at exit of this JVM, before the exit rules wait for non-daemonic children. Proxies used
 * afterwards fail saying the manager has shut down.
 *
 * <p><b>Errors.</b> {@code start()} twice: {@code IllegalStateException("Already started server")};
 * {@code start()} after {@code shutdown()}: {@code IllegalStateException("Manager has shut down")};
 * {@link #get} before {@code start()}/{@code connect()} or after {@code shutdown()}:
 * {@code IllegalStateException("server not yet started")} (CPython's texts).
 *
 * <p>Thread-safe: {@link #get} may be called from any number of threads at once.
 */
public class BaseManager implements AutoCloseable {

  /** How long the server's process may take to listen. */
  private static final long START_NANOS = TimeUnit.SECONDS.toNanos(120);
  /** How often a starting server is asked whether it accepts connections yet. */
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private enum State { INITIAL, STARTED, CONNECTED, SHUT_DOWN }

  private final SocketAddress requestedAddress;
  private final byte[] authkey; // null: the current process's, read when used
  private final LaunchOptions launchOptions;
  private final String startMethod;
  private final Map<String, Registration> registry = new LinkedHashMap<>(); // guarded by this
  private State state = State.INITIAL; // guarded by this
  private Process process; // guarded by this
  private ServerLink link; // guarded by this
  private String address; // guarded by this

  /** Creates a manager with the defaults: a private Unix socket, this process's authkey. */
  public BaseManager() {
    this(builder());
  }

  /**
   * Creates a manager at an address with an authkey: CPython's
   * {@code BaseManager(address, authkey)}.
   *
   * @param address where the server listens, or where to {@link #connect()}; null for the default
   * @param authkey the authkey; null for this process's
   */
  public BaseManager(SocketAddress address, byte[] authkey) {
    this(builder().address(address).authkey(authkey));
  }

  /**
   * Creates a manager from a builder: for a subclass (as CPython's {@code SyncManager}).
   *
   * @param b the builder
   */
  protected BaseManager(Builder b) {
    this.requestedAddress = b.address;
    this.authkey = b.authkey == null ? null : b.authkey.clone();
    this.launchOptions = b.launchOptions;
    this.startMethod = b.startMethod;
    for (Registration r : b.registrations) {
      add(r); // not register(): a subclass's override must not run on a manager not yet made
    }
  }

  /**
   * Returns a builder, with every option at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a type, every method of its interface exposed: see
   * {@link Registration#of(String, Class, ManagedFactory)}.
   *
   * @param typeId the type id
   * @param exposedInterface the interface the proxies implement
   * @param factory makes the objects in the server's process; serializable
   * @return this manager
   * @throws IllegalArgumentException as {@link Registration#of} and {@link #register(Registration)}
   * @throws IllegalStateException as {@link #register(Registration)}
   */
  public BaseManager register(String typeId, Class<?> exposedInterface, ManagedFactory factory) {
    return register(Registration.of(typeId, exposedInterface, factory));
  }

  /**
   * Registers a type, as {@link #register(String, Class, ManagedFactory)}, with the arguments in
   * CPython's order ({@code register(typeid, callable)}, then the proxy's interface):
   * {@code register("Counter", Counter::fromArgs, CounterApi.class)}.
   *
   * @param typeId the type id
   * @param factory makes the objects in the server's process; serializable
   * @param exposedInterface the interface the proxies implement
   * @return this manager
   * @throws IllegalArgumentException as {@link Registration#of} and {@link #register(Registration)}
   * @throws IllegalStateException as {@link #register(Registration)}
   */
  public BaseManager register(String typeId, ManagedFactory factory, Class<?> exposedInterface) {
    return register(typeId, exposedInterface, factory);
  }

  /**
   * Registers a type. A type id registered again replaces the former registration.
   *
   * @param registration the type
   * @return this manager
   * @throws IllegalArgumentException if its factory cannot be serialized (the message names the
   *     culprit, such as a captured object that is not serializable)
   * @throws IllegalStateException if the manager was started or connected: the server already has
   *     its registry
   */
  public synchronized BaseManager register(Registration registration) {
    Objects.requireNonNull(registration, "registration");
    if (state != State.INITIAL) {
      throw new IllegalStateException("register types before start(): the server already has its registry");
    }
    add(registration);
    return this;
  }

  private void add(Registration registration) {
    try {
      JavaSerialization.serialize(registration, "the factory of type id '" + registration.typeId() + "'");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type id '" + registration.typeId() + "' cannot be registered: its factory"
          + " must be serializable, to be sent to the manager's process (a lambda assigned to ManagedFactory is,"
          + " if what it captures is): " + e.getMessage(), e);
    }
    synchronized (this) {
      registry.put(registration.typeId(), registration);
    }
  }

  /**
   * Starts the server in a new child process and returns when it listens.
   *
   * @throws IllegalStateException {@code "Already started server"} if started or connected before;
   *     {@code "Manager has shut down"} after {@link #shutdown()}
   * @throws MultiprocessingException if the process cannot be started, or ends (or cannot listen
   *     at the address) before it listens
   */
  public void start() {
    startServer(null);
  }

  /**
   * Starts the server as {@link #start()} does, after running {@code initializer} in the server's
   * process with {@code initargs} as its positional arguments: CPython's
   * {@code start(initializer, initargs)}. It runs before the server listens, so no proxy call
   * comes before it; typical uses are setting up what the registered factories use, or ignoring
   * a signal. If it throws, the process ends and this method throws, with its message.
   *
   * @param initializer a serializable lambda, method reference or named class
   * @param initargs its arguments, which must be serializable
   * @throws NullPointerException if {@code initializer} or {@code initargs} is null
   * @throws IllegalArgumentException naming the initializer or the argument that cannot be serialized
   * @throws IllegalStateException as {@link #start()}
   * @throws MultiprocessingException as {@link #start()}, and if the initializer throws
   */
  public void start(Target initializer, Object... initargs) {
    Objects.requireNonNull(initializer, "initializer");
    Objects.requireNonNull(initargs, "initargs");
    startServer(Messages.encode(List.of(initializer, new ArrayList<>(Arrays.asList(initargs))),
        "the manager's initializer and its arguments, to be sent to the manager's process,"));
  }

  @SuppressWarnings("try") // the end sent to the child is held only to be closed here after the start
  private synchronized void startServer(byte[] initializer) {
    checkInitial();
    String requested = requestedAddress == null ? ServerCore.defaultAddress() : ManagerProtocol.format(requestedAddress);
    // At a fresh path of this process's private directory the server is known to be listening as
    // soon as a connection is accepted there; anywhere else (a TCP port it chooses, a path that may
    // hold another's socket) it says where it listens through a pipe. The pipe costs the server's
    // JVM the start of Java serialization, a good part of its start.
    boolean probe = requestedAddress == null && requested.startsWith("unix:");
    Pipe pipe = probe ? null : Pipe.open();
    boolean standard = hasStandardTypes();
    ArrayList<Registration> shipped = new ArrayList<>();
    for (Registration r : registry.values()) {
      if (!standard || !SyncManager.standardTypes().contains(r)) { // the server makes those itself
        shipped.add(r);
      }
    }
    Process.Builder b = Process.builder().target(ServerMain.class)
        // arguments of scalars only spare the server's JVM the start of Java serialization
        .args(probe ? null : pipe.conn2(), requested, shipped.isEmpty() ? null : shipped, key(), standard, initializer)
        .daemon(false); // on stdin only
    if (launchOptions != null) {
      b.launchOptions(launchOptions);
    }
    // A forkserver spare for this command line then warms up a server's paths while it waits.
    String warmUps = launchOptions == null ? null : launchOptions.systemProperties().get(Tunable.SPARE_WARM_UP_KEY);
    b.systemProperty(Tunable.SPARE_WARM_UP_KEY,
        (warmUps == null ? "" : warmUps + ",") + SpareServerWarmUp.class.getName());
    if (startMethod != null) {
      b.startMethod(startMethod);
    }
    Process p = b.build();
    String n = p.name();
    p.setName(getClass().getSimpleName() + n.substring(n.lastIndexOf('-')));
    String listening;
    try {
      if (probe) {
        p.start();
        awaitAccepting(p, requested);
        listening = requested;
      } else {
        try (Connection reports = pipe.conn1(); Connection sent = pipe.conn2()) {
          p.start(); // sent travels to the child as an argument; this process's end closes with the try
          listening = awaitListening(p, reports);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopProcess(p);
      throw new MultiprocessingException("interrupted while starting " + p.name());
    } catch (RuntimeException e) {
      stopProcess(p);
      throw e;
    }
    process = p;
    address = listening;
    link = ServerLink.open(listening, key());
    link.describe(p.name(), () -> howItEnded(p));
    state = State.STARTED;
    onExit();
  }

  /**
   * Waits until the server accepts connections at {@code address}, a path in this process's
   * private directory that no one else can bind, by connecting to it every millisecond or so; the
   * connection is closed at once (the server drops it as it would a client that said nothing).
   */
  private static void awaitAccepting(Process p, String address) throws InterruptedException {
    SocketAddress a = ManagerProtocol.parse(address);
    long deadline = System.nanoTime() + START_NANOS;
    while (true) {
      try {
        SocketChannel.open(a).close();
        return;
      } catch (IOException e) {
        // not yet bound
      }
      if (!p.isAlive()) {
        p.join();
        throw notListening(p);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new MultiprocessingException("the manager process " + p.name() + " did not listen within "
            + TimeUnit.NANOSECONDS.toSeconds(START_NANOS) + " s");
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private static MultiprocessingException notListening(Process p) {
    return new MultiprocessingException("the manager process " + p.name() + " ended with exit code "
        + p.exitCode() + " before it listened" + p.failure().map(f -> ": " + f.getMessage()).orElse(""));
  }

  private static String awaitListening(Process p, Connection reports) throws InterruptedException {
    long deadline = System.nanoTime() + START_NANOS;
    while (!reports.poll(Duration.ofMillis(50))) {
      if (!p.isAlive() && !reports.poll()) {
        throw notListening(p);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new MultiprocessingException("the manager process " + p.name() + " did not listen within "
            + TimeUnit.NANOSECONDS.toSeconds(START_NANOS) + " s");
      }
    }
    Object r;
    try {
      r = reports.recv();
    } catch (PeerClosedException e) { // it closed its end without a word: it is ending
      p.join(Duration.ofNanos(START_NANOS));
      throw notListening(p);
    }
    if (r instanceof String) {
      return (String) r;
    }
    Object[] error = (Object[]) r;
    throw new MultiprocessingException("the manager process " + p.name() + " cannot listen: " + error[1]);
  }

  /**
   * How the server's process ended, for a proxy's error; null if it has not ended. Called once a
   * connection to it broke, which a process that died makes happen as it goes: its exit is then
   * known at once, or after the time a loaded machine takes to reap it.
   */
  private static String howItEnded(Process p) {
    try {
      if (!p.join(Duration.ofSeconds(5))) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    Integer code = p.exitCode();
    String how = code != null && code < 0 ? "was killed by signal " + (-code) + " (exit code " + code + ")"
        : "ended with exit code " + code;
    return "the manager process " + p.name() + " (pid " + p.pid() + ") " + how + ": its proxies can no longer be used";
  }

  /** Whether the server has {@link SyncManager}'s standard types without being sent them. */
  boolean hasStandardTypes() {
    return false;
  }

  /**
   * Connects to a server that is already running, at the address given to this manager, with its
   * authkey: CPython's {@code connect()}. The server may be in any JVM, on any machine that can
   * reach the address.
   *
   * @throws IllegalStateException if no address was given, or the manager was started, connected
   *     or shut down before
   * @throws io.github.multiprocessing4j.connection.ConnectionException if the server cannot be reached
   * @throws io.github.multiprocessing4j.connection.AuthenticationException if the server refuses
   *     the authkey
   */
  public synchronized void connect() {
    checkInitial();
    if (requestedAddress == null) {
      throw new IllegalStateException("connect() needs the manager's address: give it to the builder");
    }
    String a = ManagerProtocol.format(requestedAddress);
    ServerLink l = ServerLink.open(a, key());
    l.request("a request", ManagerProtocol.COUNT); // fails here if the server cannot be reached
    link = l;
    address = a;
    state = State.CONNECTED;
  }

  /**
   * Makes this JVM the server: binds the address (the default one if none was given) and returns
   * the server, which serves once {@link ManagerServer#serveForever()} is called. CPython's
   * {@code get_server()}.
   *
   * @return the server, listening
   * @throws IllegalStateException if the manager was started, connected or shut down
   * @throws MultiprocessingException if it cannot listen at the address
   */
  public synchronized ManagerServer getServer() {
    checkInitial();
    byte[] key = key();
    try {
      ServerCore core = ServerCore.bind(requestedAddress == null ? null : ManagerProtocol.format(requestedAddress), key,
          new ArrayList<>(registry.values()));
      return new ManagerServer(core, ServerLink.open(core.address, key));
    } catch (IOException e) {
      throw new MultiprocessingException(e.getMessage(), e);
    }
  }

  /**
   * Creates an object in the server with the type id's factory and returns a proxy of it:
   * CPython's {@code manager.Counter(...)}. The proxy implements {@code iface} and
   * {@link BaseProxy}; it holds a reference to the object until it is closed or collected.
   *
   * @param typeId a registered type id
   * @param iface the interface of the proxy: the registered one, or one it extends
   * @param args the factory's arguments, sent as copies; serializable
   * @param <T> the interface type
   * @return the proxy
   * @throws IllegalStateException {@code "server not yet started"} before {@link #start()} or
   *     {@link #connect()}, or after {@link #shutdown()}
   * @throws IllegalArgumentException if the type id is not registered (the message lists those
   *     that are) or was registered with {@code createMethod(false)}, {@code iface} is not the
   *     registered interface or one it extends, or an argument cannot be serialized
   * @throws io.github.multiprocessing4j.connection.ConnectionException if the server is gone
   */
  public <T> T get(String typeId, Class<T> iface, Object... args) {
    Objects.requireNonNull(typeId, "typeId");
    Objects.requireNonNull(iface, "iface");
    ServerLink l;
    synchronized (this) {
      if (state != State.STARTED && state != State.CONNECTED) {
        throw new IllegalStateException("server not yet started");
      }
      Registration r = registry.get(typeId);
      if (state == State.STARTED && r == null) {
        throw new IllegalArgumentException("type id '" + typeId + "' is not registered with this manager; registered: "
            + registry.keySet());
      }
      if (r != null && !iface.isAssignableFrom(r.exposedInterface())) {
        throw new IllegalArgumentException(iface.getName() + " is not the interface registered for type id '" + typeId
            + "' (" + r.exposedInterface().getName() + ") nor one it extends");
      }
      l = link;
    }
    if (!iface.isInterface()) {
      throw new IllegalArgumentException(iface.getName() + " is not an interface");
    }
    Object[] reply = l.request("the arguments of get(\"" + typeId + "\")", ManagerProtocol.CREATE, typeId,
        args == null ? new Object[0] : args);
    if (ManagerProtocol.op(reply) == ManagerProtocol.PROXY) {
      long id = ManagerProtocol.field(reply, 1, Long.class);
      return iface.cast(ProxyHandler.newProxy(l, id, typeId, iface));
    }
    try {
      ProxyHandler.result(l, reply, "get(\"" + typeId + "\")", null);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new MultiprocessingException(t.toString(), t); // result() wraps checked exceptions itself
    }
    throw new io.github.multiprocessing4j.connection.ConnectionException("unexpected reply to get from " + l.name());
  }

  /**
   * Returns the address of the server: the one it listens at once started (with the port the
   * system chose for port 0), else the one given to the builder.
   *
   * @return the address, or null if none was given and the manager was not started
   */
  public synchronized SocketAddress address() {
    return address != null ? ManagerProtocol.parse(address) : requestedAddress;
  }

  /**
   * Shuts the server down, if this manager started it: asks it to stop, waits a second for its
   * process, then terminates it, waits a second more, then kills it. A connected manager only
   * disconnects (its references are dropped). Idempotent; afterwards {@link #get} and the
   * proxies of this manager fail, saying it has shut down.
   */
  public void shutdown() {
    Process p;
    ServerLink l;
    synchronized (this) {
      if (state == State.SHUT_DOWN || state == State.INITIAL) {
        state = state == State.INITIAL ? State.INITIAL : State.SHUT_DOWN;
        return;
      }
      p = process;
      l = link;
      state = State.SHUT_DOWN;
    }
    STARTED.remove(this);
    String name = p != null ? p.name() : l.name();
    if (p != null) {
      try {
        l.request("a request", ManagerProtocol.SHUTDOWN);
      } catch (RuntimeException e) {
        // gone already: the process is stopped below in any case
      }
    }
    l.close("Manager has shut down: " + name + " was shut down, and its proxies can no longer be used");
    if (p != null) {
      stopProcess(p);
    }
  }

  /**
   * Waits until the server's process, if this manager started one, has ended: CPython's
   * {@code join()}. Returns at once for a manager that was never started or was only connected.
   * The process ends when it is shut down, by this manager or through another one.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void join() throws InterruptedException {
    Process p = startedProcess();
    if (p != null) {
      p.join();
    }
  }

  /**
   * Waits at most {@code timeout} until the server's process, if this manager started one, has
   * ended: CPython's {@code join(timeout)}, which returns {@code None} either way.
   *
   * @param timeout how long to wait at most; zero or negative does not wait
   * @return true if no process of this manager is running (never started, only connected, or
   *     ended), false if it still runs after the timeout
   * @throws NullPointerException if {@code timeout} is null
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean join(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    Process p = startedProcess();
    return p == null || p.join(timeout);
  }

  private synchronized Process startedProcess() {
    return process;
  }

  /** Joins, then terminates, then kills, a second apart: CPython's {@code _finalize_manager}. */
  private static void stopProcess(Process p) {
    boolean interrupted = Thread.interrupted();
    try {
      for (int step = 0; step < 3; step++) {
        try {
          if (p.join(Duration.ofSeconds(step < 2 ? 1 : 10))) {
            return;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (IllegalStateException e) {
          return; // never started
        }
        if (step == 0) {
          p.terminate();
        } else if (step == 1) {
          p.kill();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Same as {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  /** The number of objects the server holds: CPython's {@code _number_of_objects()}, for tests. */
  int objectCount() {
    ServerLink l;
    synchronized (this) {
      l = link;
    }
    if (l == null) {
      throw new IllegalStateException("server not yet started");
    }
    return (Integer) l.request("a request", ManagerProtocol.COUNT)[1];
  }

  /** The server's process, if this manager started it; for tests. */
  synchronized Process serverProcess() {
    return process;
  }

  private void checkInitial() {
    if (state == State.SHUT_DOWN) {
      throw new IllegalStateException("Manager has shut down");
    }
    if (state != State.INITIAL) {
      throw new IllegalStateException("Already started server");
    }
  }

  private byte[] key() {
    return authkey != null ? authkey.clone() : Multiprocessing.currentProcess().authkey();
  }

  /** Managers started here and not yet shut down: shut down at exit, then forgotten. */
  private static final Set<BaseManager> STARTED = ConcurrentHashMap.newKeySet();

  static {
    ExitActions.beforeChildren(BaseManager::shutdownAllAtExit);
  }

  private static void shutdownAllAtExit() {
    for (BaseManager m : STARTED) {
      m.shutdown();
    }
  }

  private void onExit() {
    STARTED.add(this);
  }

  @Override
  public synchronized String toString() {
    return getClass().getSimpleName() + "[" + state + (address == null ? "" : " " + address)
        + (process == null ? "" : " " + process.name()) + "]";
  }

  /**
   * Builds a {@link BaseManager}. Not thread-safe.
   */
  public static final class Builder {
    private SocketAddress address;
    private byte[] authkey;
    private LaunchOptions launchOptions;
    private String startMethod;
    private final ArrayList<Registration> registrations = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the address: where the server listens, or where {@link #connect()} connects. A
     * {@link java.net.UnixDomainSocketAddress} or an {@link java.net.InetSocketAddress} (port 0:
     * the system chooses). Default: a Unix socket in the private runtime directory.
     *
     * @param address the address, or null for the default
     * @return this builder
     */
    public Builder address(SocketAddress address) {
      this.address = address;
      return this;
    }

    /**
     * Sets the authkey of every connection to the server. Default: this process's. (It reaches a
     * server's process in its bootstrap on stdin, never on a command line.)
     *
     * @param authkey the key, copied; null for the default
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     */
    public Builder authkey(byte[] authkey) {
      if (authkey != null && authkey.length == 0) {
        throw new IllegalArgumentException("authkey must not be empty");
      }
      this.authkey = authkey == null ? null : authkey.clone();
      return this;
    }

    /**
     * Sets the launch options of the server's process (JVM options, environment, output...), as a
     * {@link Process}'s.
     *
     * @param options the options
     * @return this builder
     */
    public Builder launchOptions(LaunchOptions options) {
      this.launchOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets the start method of the server's process, as a {@link Process}'s ({@code "spawn"},
     * {@code "forkserver"}); default: the process default.
     *
     * @param method the start method
     * @return this builder
     */
    public Builder startMethod(String method) {
      this.startMethod = Objects.requireNonNull(method, "method");
      return this;
    }

    /**
     * Registers a type.
     *
     * @param registration the type
     * @return this builder
     */
    public Builder register(Registration registration) {
      registrations.add(Objects.requireNonNull(registration, "registration"));
      return this;
    }

    /** For a subclass's standard types: before those registered so far, which replace them. */
    Builder registerFirst(Registration registration) {
      registrations.add(0, registration);
      return this;
    }

    /**
     * Registers a type, every method of its interface exposed.
     *
     * @param typeId the type id
     * @param exposedInterface the interface the proxies implement
     * @param factory makes the objects; serializable
     * @return this builder
     */
    public Builder register(String typeId, Class<?> exposedInterface, ManagedFactory factory) {
      return register(Registration.of(typeId, exposedInterface, factory));
    }

    /**
     * Builds the manager, not started.
     *
     * @return the manager
     * @throws IllegalArgumentException if a registration's factory cannot be serialized
     */
    public BaseManager build() {
      return new BaseManager(this);
    }
  }
}
