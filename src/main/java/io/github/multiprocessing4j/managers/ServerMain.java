package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * What a manager's process runs: it listens, reports its address (or why it cannot listen) to the
 * process that started it, and serves until it is shut down.
 */
final class ServerMain implements Target {

  private static final long serialVersionUID = 1L;

  private ServerMain() {}

  /**
   * Args: the report connection (null if the starting process learns otherwise), the requested
   * address or null, the registrations sent (null for none), the
   * authkey, whether the server has {@link SyncManager}'s standard types (which are not sent).
   */
  @Override
  public void run(Args args) throws Exception {
    ServerWarmUp.start();
    Connection report = (Connection) args.get(0); // null: the starting process connects to see it listens
    String requested = (String) args.get(1);
    @SuppressWarnings("unchecked") // written by BaseManager.start
    List<Registration> sent = (List<Registration>) args.get(2, List.class);
    byte[] key = args.get(3, byte[].class);
    List<Registration> registrations = new ArrayList<>();
    if (Boolean.TRUE.equals(args.get(4))) {
      registrations.addAll(SyncManager.standardTypes());
    }
    if (sent != null) {
      registrations.addAll(sent); // later ones replace earlier ones of the same type id
    }
    ServerCore core;
    try {
      core = ServerCore.bind(requested, key, registrations);
    } catch (Exception e) {
      if (report == null) {
        throw e; // the starting process sees this process fail, with this message
      }
      report.send(new Object[] {"error", e.getMessage()});
      report.close();
      return;
    }
    ServerLink.open(core.address, key); // proxies read here reach this server with its key
    if (report != null) {
      report.send(core.address);
      report.close();
    }
    core.serveForever();
  }
}
