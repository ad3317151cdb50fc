package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.access.ObjectRef.Kind;
import io.github.multiprocessing4j.internal.launch.Handoffs;
import java.io.InvalidObjectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;

/**
 * Writes and resolves the serialized form of a proxy, an {@link ObjectRef}: the manager's address,
 * the object's type id, the name of the proxy's interface, the object's id there, and, in a
 * child's start arguments only, the manager's authkey where it is not the process's own. The process
 * that reads it gets a proxy of its own, holding a reference of its own (taken from the server
 * as it is read). This class is the {@link ObjectRef.Owner#MANAGERS} resolver, registered when it
 * initialises.
 */
final class ManagerRefs implements ObjectRef.Resolver {

  static {
    ObjectRef.register(ObjectRef.Owner.MANAGERS, ManagerRefs.class, new ManagerRefs());
  }

  private ManagerRefs() {}

  /**
   * A proxy's reference. In a child's start arguments only: {@code key}, the manager's authkey
   * where it is not the process's own, and {@code fromSession}, the parent's session, which holds
   * a reference for the child to adopt; both null otherwise.
   */
  static ObjectRef of(String address, String typeId, Class<?> iface, long id, byte[] key, String fromSession) {
    return ObjectRef.withParts(Kind.MANAGED_PROXY, address, typeId, iface.getName(), id, key, fromSession);
  }

  /**
   * The object behind {@code proxy} if this JVM is the server that owns it (a proxy given as an
   * argument to the server's own objects, as a condition's lock): the server's own object, which
   * its objects use directly rather than through a proxy calling this server. Null if
   * {@code proxy} is not a proxy, or its object lives in another server or was dropped.
   */
  static Object localObject(Object proxy) {
    if (!(proxy instanceof BaseProxy)) {
      return null;
    }
    try {
      Object r = ((BaseProxy) proxy).writeReplace();
      if (!(r instanceof ObjectRef) || ((ObjectRef) r).kind() != Kind.MANAGED_PROXY) {
        return null;
      }
      ObjectRef ref = (ObjectRef) r;
      ServerCore core = servingAt(ref.name());
      ObjectTable.Entry e = core == null ? null : core.table.get(ref.required(2, Long.class));
      return e == null ? null : e.object;
    } catch (java.io.ObjectStreamException e) {
      return null; // a closed proxy
    }
  }

  /**
   * The server of this JVM that a proxy's address names: the one listening at it, or, for TCP,
   * the one on its port whose bound address is the wildcard or the one the name resolves to (a
   * client may name the server's host as it likes: {@code localhost}, a host name); null if none.
   */
  private static ServerCore servingAt(String address) {
    ServerCore exact = ServerCore.serving(address);
    if (exact != null || !address.startsWith("tcp:")) {
      return exact;
    }
    InetSocketAddress named = (InetSocketAddress) ManagerProtocol.parse(address);
    InetAddress host = named.getAddress();
    if (host == null) {
      return null; // a name that does not resolve here
    }
    for (ServerCore core : ServerCore.servingAll()) {
      SocketAddress bound = ManagerProtocol.parse(core.address);
      if (bound instanceof InetSocketAddress && ((InetSocketAddress) bound).getPort() == named.getPort()) {
        InetAddress b = ((InetSocketAddress) bound).getAddress();
        if (b != null && (b.equals(host) || b.isAnyLocalAddress() && isLocal(host))) {
          return core;
        }
      }
    }
    return null;
  }

  private static boolean isLocal(InetAddress a) {
    try {
      return a.isAnyLocalAddress() || a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
    } catch (java.net.SocketException e) {
      return false;
    }
  }

  /**
   * Resolves to a proxy of this process, with a reference of its own.
   *
   * @throws InvalidObjectException if the reference is not one this package wrote, its interface
   *     is not one here, or the manager no longer has the object or cannot be reached
   */
  @Override
  public Object resolve(ObjectRef ref) throws InvalidObjectException {
    if (ref.kind() != Kind.MANAGED_PROXY) {
      throw ref.refused();
    }
    String typeId = ref.required(0, String.class);
    String ifaceName = ref.required(1, String.class);
    long id = ref.required(2, Long.class);
    Class<?> iface;
    try {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      // Not initialised: a name read from a stream must not run a class's initialiser.
      iface = Class.forName(ifaceName, false, cl != null ? cl : ManagerRefs.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      InvalidObjectException x = new InvalidObjectException("a proxy of " + typeId + " needs the interface "
          + ifaceName + ", which this process does not have");
      x.initCause(e);
      throw x;
    }
    if (!iface.isInterface()) {
      throw ref.refused();
    }
    byte[] key = ref.part(3, byte[].class);
    String fromSession = ref.part(4, String.class);
    // A key, and a reference to adopt, are taken only from the parent's bootstrap, read from stdin.
    boolean fromParent = Handoffs.fromParent();
    ServerLink link = ServerLink.forAddress(ref.name(), key != null && fromParent ? key : null);
    try {
      if (fromSession != null && fromParent) {
        link.adopt(id, fromSession);
      } else {
        link.incref(id);
      }
    } catch (RuntimeException e) {
      InvalidObjectException x = new InvalidObjectException("cannot read a proxy of " + typeId + " object " + id
          + ": " + e.getMessage());
      x.initCause(e);
      throw x;
    }
    return ProxyHandler.newProxy(link, id, typeId, iface);
  }
}
