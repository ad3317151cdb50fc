package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.testing.Waits;
import org.junit.jupiter.api.TestInfo;

/**
 * The manager a test class shares: a server in a child process, as a program has it, or, for a
 * class whose name ends with {@code InThisJvmTest}, a server this JVM serves
 * ({@link BaseManager#getServer()}, CPython's {@code get_server().serve_forever()}) with a manager
 * {@linkplain BaseManager#connect() connected} to it. The same tests then hold for both, and the
 * server's code runs where the coverage agent sees it (child JVMs run without it).
 */
final class SharedManager {

  final SyncManager manager;
  private final ManagerServer server;
  private final Thread serving;

  private SharedManager(SyncManager manager, ManagerServer server, Thread serving) {
    this.manager = manager;
    this.server = server;
    this.serving = serving;
  }

  /** Starts the manager {@code info}'s class runs against. */
  static SharedManager start(TestInfo info) {
    boolean inThisJvm = info.getTestClass().orElseThrow().getSimpleName().endsWith("InThisJvmTest");
    if (!inThisJvm) {
      SyncManager m = new SyncManager();
      m.start();
      return new SharedManager(m, null, null);
    }
    ManagerServer server = new SyncManager().getServer();
    Thread serving = new Thread(server::serveForever, "test-manager-server");
    serving.setDaemon(true);
    serving.start();
    SyncManager client = new SyncManager(BaseManager.builder().address(server.address()));
    client.connect();
    return new SharedManager(client, server, serving);
  }

  /** Shuts the manager down; a server of this JVM stops serving. */
  void stop() throws InterruptedException {
    manager.shutdown();
    if (server != null) {
      server.close();
      serving.join(Waits.JOIN.toMillis());
    }
  }
}
