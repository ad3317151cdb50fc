package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user type's calls on a server this JVM serves ({@code getServer().serveForever()} in a
 * thread), through a manager connected to it: what {@link BaseManagerTest} shows of a server in a
 * child process (exceptions, remote errors, copies, proxies returned and stored, reference
 * counts), here where the server's code runs beside the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ServerInThisJvmTest {

  private ManagerServer server;
  private Thread serving;
  private BaseManager m;

  @BeforeEach
  void serve() {
    server = BaseManagerTest.counters().getServer();
    serving = new Thread(server::serveForever, "test-manager-server");
    serving.setDaemon(true);
    serving.start();
    BaseManager client = new BaseManager(server.address(), null);
    client.register(Registration.of("Counter", CounterApi.class, Counter::create)
        .exposed("increment", "add", "value", "fail", "failChecked", "child", "unsendable", "keep", "kept", "history",
            "block", "brokenView")
        .methodToTypeId("child", "Counter"));
    client.connect();
    m = client;
  }

  @AfterEach
  void stop() throws InterruptedException {
    m.shutdown();
    server.close();
    serving.join(Waits.JOIN.toMillis());
    assertThat(serving.isAlive()).as("serveForever() returned").isFalse();
  }

  @Test
  void exceptionsArriveWithTheirTypeAndServerSideFailuresAreRemoteErrors() {
    CounterApi c = m.get("Counter", CounterApi.class);
    assertThatThrownBy(() -> c.fail("boom")).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThatThrownBy(() -> c.failChecked("io")).isExactlyInstanceOf(IOException.class).hasMessage("io");
    assertThatThrownBy(() -> ((BaseProxy) c).callMethod("failChecked", "io"))
        .isExactlyInstanceOf(RemoteException.class).hasCauseExactlyInstanceOf(IOException.class);
    assertThatThrownBy(c::secret).isExactlyInstanceOf(RemoteError.class)
        .hasMessageContaining("method 'secret' of class " + Counter.class.getName() + " object is not in exposed=");
    assertThatThrownBy(c::unsendable).isExactlyInstanceOf(RemoteError.class).hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> ((BaseProxy) c).callMethod("nosuch")).isExactlyInstanceOf(RemoteError.class)
        .hasMessageContaining("'nosuch'");
    assertThatThrownBy(() -> m.get("Nope", CounterApi.class)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Nope");
    assertThat(c.increment()).isEqualTo(1); // the connection is still good
  }

  @Test
  void aFaultOfTheServerInACallIsARemoteErrorAndTheConnectionGoesOn() {
    CounterApi c = m.get("Counter", CounterApi.class);
    // The view is copied after the call, in the server's code: its failure used to drop the
    // connection, and the client then took the manager for gone.
    assertThatThrownBy(c::brokenView).isExactlyInstanceOf(RemoteError.class).hasMessageContaining("broken view");
    assertThat(c.increment()).isEqualTo(1);
  }

  @Test
  void resultsAreCopiesAndProxiesComeBackAsProxiesCountedByTheServer() {
    CounterApi c = m.get("Counter", CounterApi.class, 7);
    c.increment();
    List<Integer> h = c.history();
    h.add(99);
    assertThat(c.history()).containsExactly(7);
    CounterApi child = c.child();
    child.add(10);
    assertThat(child.value()).isEqualTo(18);
    CounterApi holder = m.get("Counter", CounterApi.class);
    holder.keep(child);
    ((CounterApi) holder.kept()).add(1);
    assertThat(child.value()).isEqualTo(19);
    assertThat(m.objectCount()).isEqualTo(3);
    ((BaseProxy) c).close();
    assertThat(m.objectCount()).isEqualTo(2);
    assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void aDisconnectingClientDropsItsReferences() throws InterruptedException {
    BaseManager other = new BaseManager(server.address(), null);
    other.register(Registration.of("Counter", CounterApi.class, Counter::create));
    other.connect();
    other.get("Counter", CounterApi.class);
    other.get("Counter", CounterApi.class);
    assertThat(m.objectCount()).isEqualTo(2);
    other.shutdown(); // a connected manager disconnects: the server drops its session's references
    Waits.until(() -> m.objectCount() == 0, "the server to drop the disconnected client's references");
  }

  @Test
  void theStandardTypesOfASyncManagerServedHereBehaveAsFromAChild() throws InterruptedException {
    ManagerServer s = new SyncManager().getServer();
    try {
      Thread t = new Thread(s::serveForever, "test-sync-manager-server");
      t.setDaemon(true);
      t.start();
      SyncManager client = new SyncManager(BaseManager.builder().address(s.address()));
      client.connect();
      try {
        Map<String, Object> d = client.dict(Map.of("a", 1));
        d.put("l", client.list(List.of(1, 2)));
        assertThat(d.keySet()).containsExactly("a", "l");
        @SuppressWarnings("unchecked")
        List<Integer> l = (List<Integer>) d.get("l");
        l.add(3);
        assertThat(l).containsExactly(1, 2, 3);
        Namespace ns = client.namespace();
        ns.set("x", 5);
        assertThat(ns.get("x")).isEqualTo(5);
        assertThat(ns.asMap()).containsExactly(Map.entry("x", 5));
        ns.delete("x");
        assertThat(ns.has("x")).isFalse();
        ValueProxy<String> v = client.value("a");
        v.set("b");
        assertThat(v.get()).isEqualTo("b");
        assertThat(client.queue(1).offer("q")).isTrue();
      } finally {
        client.shutdown();
        s.close();
        t.join(Waits.JOIN.toMillis());
      }
    } finally {
      s.close(); // idempotent
    }
  }
}
