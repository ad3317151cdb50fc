package io.github.multiprocessing4j.managers;

import java.net.SocketAddress;

/**
 * A manager's server running in this JVM: CPython's {@code BaseManager.get_server()}. It listens
 * from the moment {@link BaseManager#getServer()} returns it; {@link #serveForever()} serves
 * connections until {@link #close()} is called.
 *
 * <pre>{@code
 * BaseManager m = BaseManager.builder()
 *     .address(new InetSocketAddress("0.0.0.0", 50000)).authkey(secret)
 *     .register("Counter", CounterApi.class, args -> new Counter())
 *     .build();
 * m.getServer().serveForever();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ManagerServer implements AutoCloseable {

  private final ServerCore core;
  private final ServerLink link;

  ManagerServer(ServerCore core, ServerLink link) {
    this.core = core;
    this.link = link;
  }

  /**
   * Returns the address clients connect to, with the port the system chose for port 0.
   *
   * @return a {@link java.net.UnixDomainSocketAddress} or an {@link java.net.InetSocketAddress}
   */
  public SocketAddress address() {
    return ManagerProtocol.parse(core.address);
  }

  /**
   * Serves in this thread until {@link #close()} is called from another thread (a manager that
   * {@linkplain BaseManager#connect() connected} to this server cannot stop it: its
   * {@code shutdown()} only disconnects). Connections are authenticated by one shared thread and
   * then served each by a thread of its own.
   */
  public void serveForever() {
    core.serveForever();
  }

  /** Stops serving: {@link #serveForever()} returns and new connections are refused. Idempotent. */
  @Override
  public void close() {
    core.stop();
    link.close("the manager at " + core.address + " was closed");
  }

  @Override
  public String toString() {
    return "ManagerServer[" + core.address + "]";
  }
}
