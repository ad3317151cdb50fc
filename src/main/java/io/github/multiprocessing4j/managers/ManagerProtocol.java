package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.codec.Messages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * The wire format between a proxy's process and a manager's server: each message is an
 * {@code Object[]} frame, its op first, serialized by the library's codec (and read through its
 * deserialization filters) and framed by {@link Frames}, over a socket authenticated
 * with the authkey. Every request gets one reply.
 *
 * <p>Requests: {@code {HELLO, session, isSession}} opens a connection, of a client process's
 * session (whose end drops the session's references) or for calls; {@code {CREATE, typeId, args}};
 * {@code {CALL, id, method, args, parameterTypes, threadId}} (the parameter types comma-separated, or null to
 * choose by the arguments; the calling thread's id, which with the session names the caller to
 * the object, see {@link Caller}); {@code {INCREF, id}}; {@code {DECREF, id}};
 * {@code {COUNT}} (the number of objects); {@code {SHUTDOWN}}; {@code {ADOPT, id, fromSession}}
 * (a child takes over the reference its parent took for it as it wrote the child's start arguments).
 *
 * <p>Replies: {@code {OK, value}}; {@code {PROXY, id, typeId}} (a new reference, held by the
 * asking session); {@code {THROWN, throwable}} (the method's exception); {@code {REMOTE_ERROR,
 * traceback}}; {@code {INVALID, message}} (a bad request: an unknown type id, a released object).
 */
final class ManagerProtocol {

  static final int HELLO = 1;
  static final int CREATE = 2;
  static final int CALL = 3;
  static final int INCREF = 4;
  static final int DECREF = 5;
  static final int COUNT = 6;
  static final int SHUTDOWN = 7;
  static final int ADOPT = 8;

  /** The method name of a CALL that asks for a copy of the object itself (CPython's {@code #GETVALUE}). */
  static final String REFERENT = "#referent";

  static final int OK = 20;
  static final int PROXY = 21;
  static final int THROWN = 22;
  static final int REMOTE_ERROR = 23;
  static final int INVALID = 24;

  private ManagerProtocol() {}

  /** Sends a frame; an argument that cannot be serialized fails here, naming {@code what}. */
  static void send(Frames t, String what, Object... frame) throws IOException {
    t.send(Messages.encode(frame, what));
  }

  /** Receives a frame. */
  static Object[] receive(Frames t) throws IOException {
    return decode(t.receive());
  }

  /**
   * Reads a frame received whole: a failure here (a class missing or refused) leaves the
   * connection in step, for the next message.
   *
   * @throws UnreadableFrame if it cannot be deserialized
   */
  static Object[] decode(byte[] m) {
    Object o;
    try {
      o = Messages.decode(m, null);
    } catch (IOException | RuntimeException e) {
      throw new UnreadableFrame(e);
    }
    if (!(o instanceof Object[]) || ((Object[]) o).length == 0 || !(((Object[]) o)[0] instanceof Integer)) {
      throw new ConnectionException("not a manager message: " + (o == null ? "null" : o.getClass().getName()));
    }
    return (Object[]) o;
  }

  /** A message that arrived whole but cannot be deserialized here. */
  static final class UnreadableFrame extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableFrame(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The op of a frame. */
  static int op(Object[] frame) {
    return (Integer) frame[0];
  }

  /** Field {@code i} of a frame, checked. */
  static <T> T field(Object[] frame, int i, Class<T> type) {
    if (i >= frame.length || (frame[i] != null && !type.isInstance(frame[i]))) {
      throw new ConnectionException("malformed manager message (op " + frame[0] + ", field " + i + ")");
    }
    return type.cast(frame[i]);
  }

  /** An address as a string that travels: {@code unix:PATH} or {@code tcp:HOST:PORT}. */
  static String format(SocketAddress a) {
    if (a instanceof UnixDomainSocketAddress) {
      return "unix:" + ((UnixDomainSocketAddress) a).getPath();
    }
    if (a instanceof InetSocketAddress) {
      InetSocketAddress i = (InetSocketAddress) a;
      return "tcp:" + i.getHostString() + ":" + i.getPort();
    }
    throw new IllegalArgumentException("not a Unix-domain or TCP address: " + a);
  }

  /** The address of {@link #format}. */
  static SocketAddress parse(String s) {
    if (s.startsWith("unix:")) {
      return UnixDomainSocketAddress.of(s.substring(5));
    }
    if (s.startsWith("tcp:")) {
      int colon = s.lastIndexOf(':');
      String host = s.substring(4, colon);
      int port = Integer.parseInt(s.substring(colon + 1));
      return host.isEmpty() ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
          : new InetSocketAddress(host, port);
    }
    throw new IllegalArgumentException("not a manager address: " + s);
  }
}
