package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.connection.Connection;
import java.util.List;

/**
 * What a manager's process runs: it listens, reports its address (or why it cannot listen) to the
 * process that started it, and serves until it is shut down.
 */
final class ServerMain {

  private ServerMain() {}

  /** Args: the report connection, the requested address or null, the registrations, the authkey. */
  static void run(Args args) throws Exception {
    Connection report = args.get(0, Connection.class);
    String requested = (String) args.get(1);
    @SuppressWarnings("unchecked") // written by BaseManager.start
    List<Registration> registrations = (List<Registration>) args.get(2, List.class);
    byte[] key = args.get(3, byte[].class);
    ServerCore core;
    try {
      core = ServerCore.bind(requested, key, registrations);
    } catch (Exception e) {
      report.send(new Object[] {"error", e.getMessage()});
      report.close();
      return;
    }
    ServerLink.open(core.address, key); // proxies read here reach this server with its key
    report.send(core.address);
    report.close();
    core.serveForever();
  }
}
