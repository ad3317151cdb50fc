package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.internal.codec.Messages;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a manager's process does on a second thread while its main thread binds and starts to
 * accept: it takes, once, the paths its first connections and calls take (the codec, the object
 * table, looking up the standard types' methods), so that the first call finds them loaded and
 * linked. A new JVM spends most of its start loading classes, and a manager's first call goes
 * through several hundred that a plain process never loads; two cores load them in half the time.
 * Nothing here has an effect a client could observe.
 */
final class ServerWarmUp {

  /**
   * Classes the first connection and call initialize, by name so that a missing one only makes
   * the warm-up poorer.
   */
  private static final String[] PRELOADED = {"io.github.multiprocessing4j.internal.transport.Authenticator",
      "io.github.multiprocessing4j.internal.transport.Handshake", "io.github.multiprocessing4j.internal.transport.HmacSha256",
      "io.github.multiprocessing4j.internal.transport.SocketTransport", "java.nio.channels.SocketChannel",
      "java.nio.channels.Selector", "io.github.multiprocessing4j.managers.Frames",
      "io.github.multiprocessing4j.managers.ObjectTable", "io.github.multiprocessing4j.managers.Caller",
      "io.github.multiprocessing4j.managers.Copies", "io.github.multiprocessing4j.managers.ManagerProtocol"};

  private ServerWarmUp() {}

  /** Starts the warm-up on a daemon thread of its own. */
  static void start() {
    Thread t = new Thread(ServerWarmUp::run, "mp4j-manager-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** Runs the warm-up here; failures only make it poorer. */
  static void run() {
    try {
      ClassLoader cl = ServerWarmUp.class.getClassLoader();
      for (String name : PRELOADED) {
        try {
          Class.forName(name, true, cl);
        } catch (ClassNotFoundException e) {
          // only the warm-up is poorer
        }
      }
      // A request and its reply, as the codec writes and reads them, filters included.
      Map<Object, Object> sample = new java.util.HashMap<>(Map.of("a", 1, "b", "c", "d", 2.0));
      Object[] call = {ManagerProtocol.CALL, 1L, "put", new Object[] {"k", sample}, "java.lang.Object,java.lang.Object", 1L};
      ManagerProtocol.decode(Messages.encode(call, "warm-up"));
      ManagerProtocol.decode(Messages.encode(new Object[] {ManagerProtocol.OK, List.of(1, "x")}, "warm-up"));
      // The standard types' method tables, which the first call on each looks up, and a call as
      // the server makes it: a standard factory, a reflective invocation, the result's copy.
      ServerCore.methodsOf(Map.class);
      ServerCore.methodsOf(List.class);
      Object dict = null;
      for (Registration r : SyncManager.standardTypes()) {
        if (r.typeId().equals(SyncManager.DICT)) {
          dict = r.factory().create(new Object[0]);
        }
      }
      Map.class.getMethod("put", Object.class, Object.class).invoke(dict, "k", sample);
      Copies.sendable(Map.class.getMethod("keySet").invoke(dict), dict);
    } catch (Exception | LinkageError e) {
      // a warm-up only
    }
  }
}
