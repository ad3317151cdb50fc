package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.internal.codec.Messages;
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
   * authkey, whether the server has {@link SyncManager}'s standard types (which are not sent), the
   * encoded initializer and its arguments or null.
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
    byte[] initializer = args.get(5, byte[].class);
    if (initializer != null) { // before listening, as CPython's: no call comes before it
      List<?> init = (List<?>) Messages.decode(initializer, null);
      @SuppressWarnings("unchecked") // written by BaseManager.start
      List<Object> initargs = (List<Object>) init.get(1);
      ((Target) init.get(0)).run(Args.of(initargs, java.util.Map.of()));
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
