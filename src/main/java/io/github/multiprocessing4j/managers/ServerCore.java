package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.transport.Authenticator;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * A manager's server: a listening socket whose connections are authenticated by the
 * {@link Authenticator} (one thread for every pending handshake, so silent peers hold no thread
 * and delay no one), then each served by a thread of its own, carrying out
 * {@link ManagerProtocol} requests on the {@link ObjectTable}.
 */
final class ServerCore {

  /** How long a connecting process may take to prove it knows the authkey. */
  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final ServerSocketChannel server;
  private final Path socketFile; // deleted when stopped; null for TCP
  final String address;
  private final byte[] key;
  private final Map<String, Registration> registry = new LinkedHashMap<>();
  final ObjectTable table = new ObjectTable();
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** The connections being served: closed when the server stops. */
  private final java.util.Set<Frames> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ServerCore(ServerSocketChannel server, Path socketFile, byte[] key, Collection<Registration> registrations)
      throws IOException {
    this.server = server;
    this.socketFile = socketFile;
    this.address = ManagerProtocol.format(server.getLocalAddress());
    this.key = key.clone();
    for (Registration r : registrations) {
      registry.put(r.typeId(), r);
    }
    SERVING.put(address, this);
  }

  /** The servers of this JVM by address, for {@link ManagerRefs#localObject}. */
  private static final Map<String, ServerCore> SERVING = new java.util.concurrent.ConcurrentHashMap<>();

  /** The server of this JVM listening at {@code address}, or null. */
  static ServerCore serving(String address) {
    return SERVING.get(address);
  }

  /** The servers of this JVM. */
  static Collection<ServerCore> servingAll() {
    return SERVING.values();
  }

  /**
   * Listens at {@code requested} ({@link ManagerProtocol#format} form), or at a fresh Unix socket
   * in this process's private runtime directory if null (loopback TCP where there is none).
   */
  static ServerCore bind(String requested, byte[] key, Collection<Registration> registrations) throws IOException {
    SocketAddress a = ManagerProtocol.parse(requested != null ? requested : defaultAddress());
    ServerSocketChannel ss = ServerSocketChannel.open(a instanceof UnixDomainSocketAddress
        ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
    try {
      ss.bind(a, 64);
      return new ServerCore(ss, a instanceof UnixDomainSocketAddress ? ((UnixDomainSocketAddress) a).getPath() : null,
          key, registrations);
    } catch (IOException | RuntimeException e) {
      ss.close();
      throw new IOException("a manager cannot listen at " + a + ": " + e.getMessage(), e);
    }
  }

  /**
   * A fresh Unix socket in this process's private runtime directory, or a loopback TCP port where
   * there is none: chosen by the process that starts a manager, in its own directory, so that the
   * manager's process need not make one before it can listen.
   */
  static String defaultAddress() {
    Path dir = RuntimeDir.sockets();
    Path p = dir == null ? null : dir.resolve("manager-" + Long.toHexString(System.nanoTime())
        + Long.toHexString(Double.doubleToLongBits(Math.random())) + ".sock");
    if (p != null && RuntimeDir.fitsSocket(p)) {
      return ManagerProtocol.format(UnixDomainSocketAddress.of(p));
    }
    RuntimeDir.warnTcp("a manager", "no private directory has a path short enough for a Unix socket");
    return ManagerProtocol.format(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
  }

  /** Accepts until {@link #stop()}; returns then. */
  void serveForever() {
    OpenChannels.add(server);
    boolean warned = false;
    while (server.isOpen()) {
      try {
        SocketChannel s = server.accept();
        Authenticator.submit(s, key, HANDSHAKE_NANOS, this::admit);
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException | RuntimeException | Error e) {
        if (!server.isOpen()) {
          break;
        }
        if (!warned) {
          warned = true;
          log().warn("the manager at {} cannot accept a connection; it goes on accepting", address, e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a lasting failure must not spin a CPU
      }
    }
    stopped.countDown();
  }

  /** Stops accepting; {@link #serveForever()} returns. Idempotent. */
  void stop() {
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    OpenChannels.remove(server);
    SERVING.remove(address, this);
    if (socketFile != null) {
      RuntimeDir.deleteQuietly(socketFile);
    }
    // Threads blocked reading them would hold up this JVM's exit (HotSpot waits for them) and
    // leave clients to find out only when it is gone.
    for (Frames f : connections) {
      f.close();
    }
  }

  boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  /** Takes an authenticated socket: it gets a thread. Runs in the authenticator's thread. */
  private void admit(SocketChannel s) {
    Thread t = new Thread(null, () -> serve(s), "mp4j-manager-conn", 256 * 1024, false);
    t.setDaemon(true);
    t.start(); // if it cannot start, the Authenticator closes the socket
  }

  private void serve(SocketChannel s) {
    Frames t;
    try {
      if (s.getLocalAddress() instanceof InetSocketAddress) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      t = new Frames(s);
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a failed socket
      }
      return;
    }
    OpenChannels.add(t);
    connections.add(t);
    if (!server.isOpen()) {
      t.close(); // stopped while this one was admitted
    }
    String session = null;
    boolean isSession = false;
    try {
      Object[] hello = ManagerProtocol.receive(t);
      if (ManagerProtocol.op(hello) != ManagerProtocol.HELLO) {
        return;
      }
      session = ManagerProtocol.field(hello, 1, String.class);
      isSession = Boolean.TRUE.equals(ManagerProtocol.field(hello, 2, Boolean.class));
      ManagerProtocol.send(t, "a reply", ManagerProtocol.OK);
      if (isSession) {
        ManagerProtocol.receive(t); // nothing comes: this returns when the client process goes
        return;
      }
      while (true) {
        Object[] request;
        Object[] reply;
        try {
          request = ManagerProtocol.receive(t);
          try {
            reply = handle(request, session);
          } catch (RuntimeException e) { // a fault of this server's, not the client's: the connection goes on
            reply = remoteError(e);
          }
        } catch (ManagerProtocol.UnreadableFrame e) { // an argument's class missing here, say
          request = new Object[] {ManagerProtocol.CALL};
          reply = remoteError(new IllegalArgumentException("the manager at " + address
              + " cannot read the request: " + e.getMessage(), e.getCause()));
        }
        byte[] m;
        try {
          m = Messages.encode(reply, "the result");
        } catch (RuntimeException e) { // not serializable, or its serialization threw
          m = Messages.encode(new Object[] {ManagerProtocol.REMOTE_ERROR, traceback(e)}, "an error");
        }
        Undoable u = GiveBack.undoable(table, request, reply); // a call that may have taken something
        try {
          if (u != null && GiveBack.callerGone(s)) {
            throw new java.nio.channels.ClosedChannelException(); // the caller closed its end while its call waited
          }
          t.send(m);
        } catch (IOException e) {
          if (u != null) {
            GiveBack.undo(u, request, reply, session); // the caller gave up: it must not keep what it took
          }
          throw e;
        }
        if (ManagerProtocol.op(request) == ManagerProtocol.SHUTDOWN) {
          stop();
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the client went away, or sent what is not a request: drop it, serve the others
    } catch (Error e) {
      log().error("a connection of the manager at {} failed; its client is dropped", address, e);
    } finally {
      if (isSession) {
        table.dropSession(session);
      }
      t.close();
      OpenChannels.remove(t);
      connections.remove(t);
    }
  }

  private Object[] handle(Object[] r, String session) {
    switch (ManagerProtocol.op(r)) {
      case ManagerProtocol.CREATE:
        return create(session, ManagerProtocol.field(r, 1, String.class), ManagerProtocol.field(r, 2, Object[].class));
      case ManagerProtocol.CALL:
        Caller.enter(session, r.length > 5 ? ManagerProtocol.field(r, 5, Long.class) : null);
        try {
          return call(session, ManagerProtocol.field(r, 1, Long.class), ManagerProtocol.field(r, 2, String.class),
              ManagerProtocol.field(r, 3, Object[].class), r.length > 4 ? ManagerProtocol.field(r, 4, String.class) : null);
        } finally {
          Caller.leave();
        }
      case ManagerProtocol.INCREF: {
        long id = ManagerProtocol.field(r, 1, Long.class);
        return table.incref(session, id) ? new Object[] {ManagerProtocol.OK}
            : new Object[] {ManagerProtocol.INVALID, "object " + id + " was released"};
      }
      case ManagerProtocol.ADOPT: {
        long id = ManagerProtocol.field(r, 1, Long.class);
        return table.adopt(ManagerProtocol.field(r, 2, String.class), session, id) ? new Object[] {ManagerProtocol.OK}
            : new Object[] {ManagerProtocol.INVALID, "object " + id + " was released"};
      }
      case ManagerProtocol.DECREF:
        table.decref(session, ManagerProtocol.field(r, 1, Long.class));
        return new Object[] {ManagerProtocol.OK};
      case ManagerProtocol.COUNT:
        return new Object[] {ManagerProtocol.OK, table.size()};
      case ManagerProtocol.SHUTDOWN:
        return new Object[] {ManagerProtocol.OK};
      default:
        return new Object[] {ManagerProtocol.INVALID, "unknown request " + r[0]};
    }
  }

  private Object[] create(String session, String typeId, Object[] args) {
    Registration reg = registry.get(typeId);
    if (reg == null) {
      return new Object[] {ManagerProtocol.INVALID, "type id '" + typeId + "' is not registered with the manager at "
          + address + "; registered: " + registry.keySet()};
    }
    if (!reg.createMethod()) {
      return new Object[] {ManagerProtocol.INVALID, "type id '" + typeId + "' was registered with createMethod(false):"
          + " its objects come only from other methods"};
    }
    Object o;
    try {
      o = reg.factory().create(args == null ? new Object[0] : args);
    } catch (Exception e) {
      return thrown(e);
    }
    if (o == null) {
      return new Object[] {ManagerProtocol.REMOTE_ERROR, "the factory of type id '" + typeId + "' returned null"};
    }
    return new Object[] {ManagerProtocol.PROXY, table.add(session, o, reg), typeId};
  }

  private Object[] call(String session, long id, String name, Object[] args, String types) {
    ObjectTable.Entry e = table.get(id);
    if (e == null) {
      return remoteError(new IllegalStateException("object " + id + " is not in the manager's table: every"
          + " reference to it was dropped"));
    }
    Registration reg = e.registration;
    Object[] a = args == null ? new Object[0] : args;
    if (name.equals("toString") && a.length == 0) { // always allowed, as CPython's __str__
      return new Object[] {ManagerProtocol.OK, String.valueOf(e.object)};
    }
    if (name.equals(ManagerProtocol.REFERENT) && a.length == 0) { // BaseProxy.referentCopy(), always allowed
      Object o = e.object instanceof NamespaceObject ? ((NamespaceObject) e.object).copy() : e.object;
      return new Object[] {ManagerProtocol.OK, Copies.sendable(o, e.object)};
    }
    if (!reg.exposedMethods().contains(name)) {
      return remoteError(new IllegalArgumentException("method '" + name + "' of " + e.object.getClass()
          + " object is not in exposed=" + reg.exposedMethods()));
    }
    Method m = find(e.object, reg.exposedInterface(), name, a, types);
    if (m == null) {
      return remoteError(new IllegalArgumentException(e.object.getClass().getName() + " has no public method '" + name
          + "' taking " + a.length + " argument(s) of these types"));
    }
    Object result;
    try {
      result = m.invoke(e.object, a);
    } catch (InvocationTargetException x) {
      return thrown(x.getCause());
    } catch (IllegalAccessException | IllegalArgumentException x) {
      return remoteError(x);
    }
    String resultType = reg.methodToTypeIds().get(name);
    if (resultType != null && result != null) {
      Registration rr = registry.get(resultType);
      if (rr == null) {
        return remoteError(new IllegalStateException("method '" + name + "' returns type id '" + resultType
            + "', which is not registered"));
      }
      return new Object[] {ManagerProtocol.PROXY, table.add(session, result, rr), resultType};
    }
    return new Object[] {ManagerProtocol.OK, Copies.sendable(result, e.object)};
  }

  /** Made when first needed: starting a logging backend would slow every manager's start. */
  private static Logger log() {
    return Log.get(ServerCore.class);
  }

  /** Each class's public methods by name, for {@link #find}: getMethods() copies them every time. */
  private static final ClassValue<Map<String, Method[]>> METHODS = new ClassValue<>() {
    @Override
    protected Map<String, Method[]> computeValue(Class<?> c) {
      Map<String, java.util.List<Method>> byName = new java.util.HashMap<>();
      for (Method m : c.getMethods()) {
        if (!Modifier.isStatic(m.getModifiers())) {
          m.trySetAccessible(); // a public method of a class or interface that is not public
          byName.computeIfAbsent(m.getName(), k -> new java.util.ArrayList<>()).add(m);
        }
      }
      Map<String, Method[]> r = new java.util.HashMap<>();
      byName.forEach((k, v) -> r.put(k, v.toArray(new Method[0])));
      return r;
    }
  };

  /** Looks up a class's public methods once; for {@link ServerWarmUp}. */
  static void methodsOf(Class<?> c) {
    METHODS.get(c);
  }

  /** The method to call: the interface's if the object implements it, else the object's own. */
  private static Method find(Object target, Class<?> iface, String name, Object[] args, String types) {
    Method[] candidates = METHODS.get(iface.isInstance(target) ? iface : target.getClass()).get(name);
    if (candidates == null) {
      return null;
    }
    for (Method m : candidates) {
      if (accepts(m.getParameterTypes(), args) && (types == null || types.equals(ProxyHandler.signatureOf(m)))) {
        return m;
      }
    }
    return null;
  }

  private static boolean accepts(Class<?>[] types, Object[] args) {
    if (types.length != args.length) {
      return false;
    }
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i].isPrimitive() ? box(types[i]) : types[i];
      if (args[i] == null ? types[i].isPrimitive() : !t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  private static Class<?> box(Class<?> p) {
    return java.lang.invoke.MethodType.methodType(p).wrap().returnType();
  }

  /** The method's exception, sent with its type; one that cannot be sent becomes a remote error. */
  private static Object[] thrown(Throwable t) {
    try {
      Messages.encode(t, "the exception");
      return new Object[] {ManagerProtocol.THROWN, t};
    } catch (IllegalArgumentException e) {
      return new Object[] {ManagerProtocol.REMOTE_ERROR, traceback(t)};
    }
  }

  private static Object[] remoteError(Throwable t) {
    return new Object[] {ManagerProtocol.REMOTE_ERROR, traceback(t)};
  }

  static String traceback(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
