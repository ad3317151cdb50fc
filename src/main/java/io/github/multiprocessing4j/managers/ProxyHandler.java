package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.RemoteException;
import java.io.InvalidObjectException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a proxy does: each method of its interface is a call of the same name on the managed
 * object, through the process's {@link ServerLink}; the methods of {@link BaseProxy} are answered
 * here. The proxy's reference is dropped by {@link BaseProxy#close()} or, if never closed, when
 * the proxy is collected.
 */
final class ProxyHandler implements InvocationHandler {

  private static final Cleaner CLEANER = Cleaner.create();
  private static final Object[] NO_ARGS = new Object[0];

  /** A method's parameter types, comma-separated: a string, which the codec writes compactly. */
  private static final java.util.Map<Method, String> SIGNATURES = new java.util.concurrent.ConcurrentHashMap<>();

  private final ServerLink link;
  private final long id;
  private final String typeId;
  private final Class<?> iface;
  private final AtomicBoolean closed = new AtomicBoolean();
  private Cleaner.Cleanable cleanable; // set once, right after the proxy is made

  private ProxyHandler(ServerLink link, long id, String typeId, Class<?> iface) {
    this.link = link;
    this.id = id;
    this.typeId = typeId;
    this.iface = iface;
  }

  /** A proxy for a reference this process already holds (the server counted it). */
  static Object newProxy(ServerLink link, long id, String typeId, Class<?> iface) {
    Class<?>[] interfaces = iface == BaseProxy.class ? new Class<?>[] {BaseProxy.class}
        : new Class<?>[] {iface, BaseProxy.class};
    ClassLoader loader = iface.getClassLoader() != null ? iface.getClassLoader() : BaseProxy.class.getClassLoader();
    ProxyHandler h = new ProxyHandler(link, id, typeId, iface);
    Object proxy = Proxy.newProxyInstance(loader, interfaces, h);
    h.cleanable = CLEANER.register(proxy, new Release(link, id, h.closed));
    return proxy;
  }

  /** Drops a reference; holds nothing of the proxy, so that the proxy can be collected. */
  private static final class Release implements Runnable {
    private final ServerLink link;
    private final long id;
    private final AtomicBoolean closed;

    Release(ServerLink link, long id, AtomicBoolean closed) {
      this.link = link;
      this.id = id;
      this.closed = closed;
    }

    @Override
    public void run() {
      if (closed.compareAndSet(false, true)) {
        link.decrefQuietly(id);
      }
    }
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object[] a = args == null ? NO_ARGS : args;
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == a[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default: // toString: the object's, as CPython's str(proxy); the proxy's if it cannot be had
          if (closed.get() || link.isEnded()) {
            return describe();
          }
          try {
            return String.valueOf(call("toString", NO_ARGS, null));
          } catch (RuntimeException e) {
            return describe();
          }
      }
    }
    if (method.getDeclaringClass() == BaseProxy.class) {
      switch (method.getName()) {
        case "typeId":
          return typeId;
        case "close":
          cleanable.clean();
          return null;
        case "writeReplace":
          if (closed.get()) {
            throw new InvalidObjectException(describe() + " is closed: it cannot be sent");
          }
          String from = link.referenceForChild(id); // non-null only in a child's start arguments
          return ManagerRefs.of(link.address, typeId, iface, id, from == null ? null : link.keyForChild(), from);
        case "callMethod":
          return call((String) a[0], (Object[]) a[1], null);
        case "referentCopy":
          return call(ManagerProtocol.REFERENT, NO_ARGS, null);
        default:
          throw new UnsupportedOperationException(method.toString());
      }
    }
    if (method.isDefault() && (method.getDeclaringClass().getPackage() == ProxyHandler.class.getPackage()
        || method.getDeclaringClass() == java.util.Iterator.class)) {
      // made of the interface's calls (a hold, a waitFor, an iterator's forEachRemaining): here,
      // so that an action given to it runs in this process
      return InvocationHandler.invokeDefault(proxy, method, a);
    }
    Object snapshot = snapshot(proxy, method);
    if (snapshot != null) {
      try {
        return method.invoke(snapshot, a);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause();
      }
    }
    return call(method.getName(), a, method);
  }

  /**
   * For a method that walks a collection or a map in this process (iterating, streaming, a
   * {@code forEach} whose action runs here), a copy to walk, as CPython's {@code list(d.items())};
   * null for any other method, which is a call on the server.
   */
  private Object snapshot(Object proxy, Method method) throws Throwable {
    String n = method.getName();
    if (proxy instanceof Collection && method.getParameterCount() <= 1 && (n.equals("iterator")
        || n.equals("listIterator") || n.equals("spliterator") || n.equals("stream") || n.equals("parallelStream")
        || n.equals("forEach"))) {
      Object[] items = (Object[]) call("toArray", NO_ARGS, Collection.class.getMethod("toArray"));
      return Arrays.asList(items);
    }
    if (proxy instanceof Map && n.equals("forEach")) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      for (Object e : (Collection<?>) call("entrySet", NO_ARGS, Map.class.getMethod("entrySet"))) {
        copy.put(((Map.Entry<?, ?>) e).getKey(), ((Map.Entry<?, ?>) e).getValue());
      }
      return copy;
    }
    return null;
  }

  private Object call(String name, Object[] args, Method method) throws Throwable {
    if (closed.get()) {
      throw new IllegalStateException(describe() + " is closed");
    }
    String what = "the arguments of " + typeId + "." + name;
    // the method called, not another of the name (List.remove(int) and remove(Object))
    String types = method == null ? null : signatureOf(method);
    Object[] reply = link.request(what, ManagerProtocol.CALL, id, name, args == null ? NO_ARGS : args, types,
        Thread.currentThread().getId());
    return result(link, reply, typeId + "." + name, method);
  }

  /** The parameter types of a method as a CALL names them; cached. */
  static String signatureOf(Method m) {
    return SIGNATURES.computeIfAbsent(m, ProxyHandler::signature);
  }

  private static String signature(Method m) {
    StringBuilder b = new StringBuilder();
    for (Class<?> p : m.getParameterTypes()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(p.getName());
    }
    return b.toString();
  }

  /** The value of a reply to CREATE or CALL, or what it throws. */
  static Object result(ServerLink link, Object[] reply, String what, Method method) throws Throwable {
    switch (ManagerProtocol.op(reply)) {
      case ManagerProtocol.OK:
        return reply.length > 1 ? reply[1] : null;
      case ManagerProtocol.PROXY: {
        long id = ManagerProtocol.field(reply, 1, Long.class);
        String typeId = ManagerProtocol.field(reply, 2, String.class);
        Class<?> iface = method != null && method.getReturnType().isInterface() ? method.getReturnType() : BaseProxy.class;
        return newProxy(link, id, typeId, iface);
      }
      case ManagerProtocol.THROWN: {
        Throwable t = ManagerProtocol.field(reply, 1, Throwable.class);
        t.addSuppressed(new MultiprocessingException("thrown by " + what + " in " + link.name()
            + "; the proxy was called here"));
        if (t instanceof RuntimeException || t instanceof Error || declares(method, t)) {
          throw t;
        }
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        RemoteException r = new RemoteException(t.getClass().getName(), t.getMessage(), trace.toString(),
            t.getStackTrace(), link.name());
        r.initCause(t);
        throw r;
      }
      case ManagerProtocol.REMOTE_ERROR:
        throw new RemoteError(ManagerProtocol.field(reply, 1, String.class));
      case ManagerProtocol.INVALID:
        throw new IllegalArgumentException(ManagerProtocol.field(reply, 1, String.class));
      default:
        throw new io.github.multiprocessing4j.connection.ConnectionException("unexpected reply " + reply[0]
            + " from " + link.name());
    }
  }

  private static boolean declares(Method method, Throwable t) {
    if (method == null) {
      return false;
    }
    for (Class<?> c : method.getExceptionTypes()) {
      if (c.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private String describe() {
    return "proxy of " + typeId + " object " + id + " (" + iface.getName() + ") of " + link.name();
  }
}
