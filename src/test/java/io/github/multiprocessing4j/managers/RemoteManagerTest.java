package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Remote managers: a TCP address and an authkey, used from JVMs that are not parent nor child. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class RemoteManagerTest {

  /** A test key, known to both sides in the source (never a real secret on a command line). */
  static final byte[] KEY = "remote-manager-test-key".getBytes(StandardCharsets.UTF_8);

  /** An unrelated JVM: connects to {@code args[0]}:{@code args[1]} and uses a counter. */
  public static final class Client {
    public static void main(String[] args) {
      BaseManager m = BaseManager.builder().address(new InetSocketAddress(args[0], Integer.parseInt(args[1])))
          .authkey(KEY).build();
      m.connect();
      CounterApi c = m.get("Counter", CounterApi.class, 40);
      c.add(2);
      System.out.println("value " + c.value());
      m.close();
    }
  }

  @Test
  void aManagerOnTcpIsUsedFromAnUnrelatedJvm() throws Exception {
    try (BaseManager m = BaseManager.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .authkey(KEY).register(Registration.of("Counter", CounterApi.class, Counter::create)).build()) {
      m.start();
      InetSocketAddress a = (InetSocketAddress) m.address();
      assertThat(a.getPort()).isPositive();
      assertThat(a.getAddress().isLoopbackAddress()).isTrue();
      try (JavaMain client = JavaMain.start(Client.class, a.getHostString(), String.valueOf(a.getPort()))) {
        client.awaitStdout("value 42", Waits.LONG);
        assertThat(client.waitFor(Waits.JOIN)).isZero();
      }
      Waits.until(() -> m.objectCount() == 0, "the client's references to go with it");
    }
  }

  /** A JVM that is the server itself: prints its port, then serves. */
  public static final class Server {
    public static void main(String[] args) {
      BaseManager m = BaseManager.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .authkey(KEY).register("Counter", CounterApi.class, Counter::create).build();
      ManagerServer server = m.getServer();
      System.out.println("port " + ((InetSocketAddress) server.address()).getPort() + " ready");
      server.serveForever();
    }
  }

  @Test
  void aJvmServesForeverAndThisOneConnects() throws Exception {
    try (JavaMain server = JavaMain.start(Server.class)) {
      String out = server.awaitStdout(" ready", Waits.LONG);
      int port = Integer.parseInt(out.substring(out.indexOf("port ") + 5, out.indexOf(" ready")));
      try (BaseManager m = BaseManager.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
          .authkey(KEY).build()) {
        m.connect();
        CounterApi c = m.get("Counter", CounterApi.class, 1);
        assertThat(c.increment()).isEqualTo(2);
        assertThat(m.objectCount()).isEqualTo(1);
      }
    }
  }

  @Test
  void connectingWhereNoManagerListensIsAClearError() throws Exception {
    java.nio.file.Path nowhere = java.nio.file.Files.createTempDirectory("mgr").resolve("none.sock");
    BaseManager m = BaseManager.builder().address(java.net.UnixDomainSocketAddress.of(nowhere)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(m::connect)
        .isInstanceOf(io.github.multiprocessing4j.connection.ConnectionException.class)
        .hasMessageContaining("cannot connect to the manager at unix:" + nowhere);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BaseManager().connect())
        .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("needs the manager's address");
    java.nio.file.Files.delete(nowhere.getParent());
  }

  static void incrementTwice(io.github.multiprocessing4j.Args args) {
    CounterApi c = args.get(0, CounterApi.class);
    c.increment();
    c.increment();
  }

  @Test
  void aProxyOfAManagerWithItsOwnAuthkeyWorksInAChild() throws Exception {
    try (BaseManager m = BaseManager.builder().authkey(KEY)
        .register(Registration.of("Counter", CounterApi.class, Counter::create)).build()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      io.github.multiprocessing4j.Process p = io.github.multiprocessing4j.Process.builder()
          .target(RemoteManagerTest::incrementTwice).args(c).build();
      p.start();
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(c.value()).isEqualTo(2);
    }
  }
}
