package io.github.multiprocessing4j.managers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What a server does for the calls of {@link Undoable} objects: before sending a reply that took
 * something for its caller, it checks that the caller still waits for it, and gives it back if
 * not. A caller interrupted while its call waited in the server has closed its connection; a Unix
 * socket then refuses the reply, but TCP accepts it (the peer's reset comes later), so the end of
 * the stream is looked for first.
 */
final class GiveBack {

  private GiveBack() {}

  /** The object that may take something in the call {@code request}, if it answered OK; else null. */
  static Undoable undoable(ObjectTable table, Object[] request, Object[] reply) {
    if (ManagerProtocol.op(request) != ManagerProtocol.CALL || ManagerProtocol.op(reply) != ManagerProtocol.OK) {
      return null;
    }
    ObjectTable.Entry e = table.get(ManagerProtocol.field(request, 1, Long.class));
    return e != null && e.object instanceof Undoable
        && ((Undoable) e.object).takes(ManagerProtocol.field(request, 2, String.class)) ? (Undoable) e.object : null;
  }

  /**
   * Whether the client closed its end: a call is a strict request and reply, so nothing may come
   * before the reply but the end of the stream (anything else breaks the protocol, and the
   * connection is dropped as well).
   */
  static boolean callerGone(SocketChannel s) {
    try {
      synchronized (s.blockingLock()) {
        s.configureBlocking(false);
        try {
          return s.read(ByteBuffer.allocate(1)) != 0;
        } finally {
          s.configureBlocking(true);
        }
      }
    } catch (IOException e) {
      return true;
    }
  }

  /** Gives back what the call {@code request} took for its caller, who will not get the reply. */
  static void undo(Undoable object, Object[] request, Object[] reply, String session) {
    long thread = request.length > 5 ? ManagerProtocol.field(request, 5, Long.class) : 0L;
    Object[] args = ManagerProtocol.field(request, 3, Object[].class);
    object.undo(Caller.of(session, thread), ManagerProtocol.field(request, 2, String.class),
        args == null ? new Object[0] : args, reply.length > 1 ? reply[1] : null);
  }
}
