package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.connection.AuthenticationException;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A user type served by a {@link BaseManager} (§B.6): proxies, children, errors, lifecycle. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class BaseManagerTest {

  static BaseManager counters() {
    BaseManager m = new BaseManager();
    m.register(Registration.of("Counter", CounterApi.class, Counter::create)
        .exposed("increment", "add", "value", "fail", "failChecked", "child", "unsendable", "keep", "kept", "history", "block",
            "brokenView")
        .methodToTypeId("child", "Counter"));
    return m;
  }

  static void incrementTimes(Args args) {
    CounterApi c = args.get(0, CounterApi.class);
    for (int i = 0; i < args.getInt(1); i++) {
      c.increment();
    }
  }

  @Test
  void threeChildrenIncrementOneCounterThroughAProxyPassedAsAnArgument() throws Exception {
    try (BaseManager m = counters()) {
      m.start();
      assertThat(m.serverProcess().name()).matches("BaseManager-\\d+(:\\d+)*");
      assertThat(m.serverProcess().isDaemon()).isFalse();
      CounterApi c = m.get("Counter", CounterApi.class, 5);
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Process p = Process.builder().target(BaseManagerTest::incrementTimes).args(c, 100).build();
        p.start();
        ps.add(p);
      }
      for (Process p : ps) {
        assertThat(p.join(Waits.LONG)).isTrue();
        assertThat(p.exitCode()).isZero();
      }
      assertThat(c.value()).isEqualTo(305);
    }
  }

  static void sendBack(Args args) throws Exception {
    CounterApi fromQueue = (CounterApi) args.get(0, Queue.class).get();
    Connection conn = args.get(1, Connection.class);
    CounterApi fromPipe = (CounterApi) conn.recv();
    fromQueue.add(10);
    fromPipe.add(20);
    conn.send(fromPipe.value());
  }

  @Test
  void aProxyPassesThroughAQueueAndAPipeAndStaysAProxyOfTheSameObject() throws Exception {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      Queue<Object> q = new Queue<>();
      Pipe pipe = Pipe.open();
      Process p = Process.builder().target(BaseManagerTest::sendBack).args(q, pipe.conn2()).build();
      p.start();
      q.put(c);
      pipe.conn1().send(c);
      assertThat(pipe.conn1().recv()).isEqualTo(30);
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(c.value()).isEqualTo(30);
      pipe.conn1().close();
    }
  }

  @Test
  void aMethodsExceptionArrivesWithItsTypeMessageAndTheServersStackTrace() {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      assertThatThrownBy(() -> c.fail("boom")).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom")
          .satisfies(e -> {
            assertThat(e.getStackTrace()[0].getClassName()).isEqualTo(Counter.class.getName());
            assertThat(e.getSuppressed()).singleElement().satisfies(s -> assertThat(s.getMessage())
                .contains("thrown by Counter.fail in BaseManager-"));
          });
      assertThatThrownBy(() -> c.failChecked("io")).isExactlyInstanceOf(IOException.class).hasMessage("io");
      assertThatThrownBy(() -> ((BaseProxy) c).callMethod("failChecked", "io"))
          .isExactlyInstanceOf(RemoteException.class).hasCauseExactlyInstanceOf(IOException.class);
    }
  }

  @Test
  void serverSideFailuresAreRemoteErrorsWithTheRemoteTraceback() {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      assertThatThrownBy(c::secret).isExactlyInstanceOf(RemoteError.class)
          .hasMessageStartingWith("\n" + "-".repeat(75) + "\n")
          .hasMessageEndingWith("-".repeat(75))
          .hasMessageContaining("method 'secret' of class " + Counter.class.getName() + " object is not in exposed=");
      assertThatThrownBy(c::unsendable).isExactlyInstanceOf(RemoteError.class)
          .hasMessageContaining("java.lang.Object");
      assertThatThrownBy(() -> ((BaseProxy) c).callMethod("nosuch")).isExactlyInstanceOf(RemoteError.class)
          .hasMessageContaining("'nosuch'");
      assertThat(c.increment()).isEqualTo(1); // the connection is still good
    }
  }

  @Test
  void resultsAreCopiesAndMethodToTypeIdReturnsAProxy() {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class, 7);
      c.increment();
      List<Integer> h = c.history();
      h.add(99); // a copy: changes nothing on the server
      assertThat(c.history()).containsExactly(7);
      CounterApi child = c.child();
      assertThat(child).isInstanceOf(BaseProxy.class);
      child.add(10);
      assertThat(child.value()).isEqualTo(18);
      assertThat(c.value()).isEqualTo(8);
    }
  }

  @Test
  void aProxyStoredInAManagedObjectComesBackAsAProxy() {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi holder = m.get("Counter", CounterApi.class);
      CounterApi inner = m.get("Counter", CounterApi.class, 100);
      holder.keep(inner);
      CounterApi back = (CounterApi) holder.kept();
      back.add(1);
      assertThat(inner.value()).isEqualTo(101);
    }
  }

  @Test
  void badInputIsAClearErrorInTheCaller() {
    try (BaseManager m = counters()) {
      assertThatThrownBy(() -> m.get("Counter", CounterApi.class)).isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("server not yet started");
      m.start();
      assertThatThrownBy(m::start).isExactlyInstanceOf(IllegalStateException.class).hasMessage("Already started server");
      assertThatThrownBy(() -> m.get("Nope", CounterApi.class)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("type id 'Nope' is not registered").hasMessageContaining("[Counter]");
      CounterApi c = m.get("Counter", CounterApi.class);
      assertThatThrownBy(() -> c.keep(new Object())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the arguments of Counter.keep").hasMessageContaining("java.lang.Object");
      assertThat(c.increment()).isEqualTo(1);
      assertThatThrownBy(() -> m.register("Late", CounterApi.class, a -> new Counter(0)))
          .isExactlyInstanceOf(IllegalStateException.class);
    }
    Object notSerializable = new Object();
    assertThatThrownBy(() -> new BaseManager().register("X", CounterApi.class, a -> notSerializable))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type id 'X' cannot be registered");
  }

  @Test
  void aProxyUsedAfterShutdownSaysSo() {
    BaseManager m = counters();
    m.start();
    CounterApi c = m.get("Counter", CounterApi.class);
    Process server = m.serverProcess();
    m.shutdown();
    assertThat(server.isAlive()).isFalse(); // ended, or terminated if a loaded machine took over a second
    assertThatThrownBy(c::value).isInstanceOf(ConnectionException.class).hasMessageContaining("Manager has shut down");
    assertThatThrownBy(() -> m.get("Counter", CounterApi.class)).hasMessage("server not yet started");
    assertThatThrownBy(m::start).hasMessage("Manager has shut down");
    m.shutdown(); // idempotent
  }

  @Test
  void aWrongAuthkeyIsRefused() throws Exception {
    try (BaseManager m = counters()) {
      m.start();
      BaseManager other = BaseManager.builder().address(m.address()).authkey("wrong".getBytes()).build();
      assertThatThrownBy(other::connect).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("did not accept this process's authkey");
    }
  }

  @Test
  void theServerStartsWithTheGivenStartMethodAndLaunchOptions() {
    try (BaseManager m = BaseManager.builder().startMethod("forkserver")
        .launchOptions(io.github.multiprocessing4j.LaunchOptions.builder().systemProperty("counter.start", "41").build())
        .register("Counter", CounterApi.class, a -> new Counter(Integer.getInteger("counter.start"))).build()) {
      m.start();
      assertThat(m.serverProcess().name()).matches("BaseManager-\\d+");
      assertThat(m.get("Counter", CounterApi.class).increment()).isEqualTo(42);
    }
  }

  @Test
  void aTypeRegisteredInCPythonsArgumentOrderIsServed() {
    try (BaseManager m = new BaseManager().register("Counter", Counter::create, CounterApi.class)) {
      m.start();
      assertThat(m.get("Counter", CounterApi.class, 4).increment()).isEqualTo(5);
    }
  }

  @Test
  void anInitializerRunsInTheServersProcessBeforeItServes() throws Exception {
    try (BaseManager m = BaseManager.builder()
        .register("Counter", CounterApi.class, a -> new Counter(Integer.getInteger("counter.start"))).build()) {
      m.start(a -> System.setProperty("counter.start", String.valueOf(a.getInt(0))), 99);
      assertThat(m.get("Counter", CounterApi.class).increment()).isEqualTo(100);
      assertThat(System.getProperty("counter.start")).as("not run here").isNull();
      assertThat(m.join(Duration.ofMillis(20))).as("the server runs until shut down").isFalse();
      Process server = m.serverProcess();
      m.shutdown();
      assertThat(m.join(Duration.ZERO)).isTrue();
      m.join();
      assertThat(server.isAlive()).isFalse();
    }
  }

  @Test
  void anInitializerThatThrowsFailsTheStartWithItsMessageAndLeavesNoProcess() {
    BaseManager m = new BaseManager();
    assertThatThrownBy(() -> m.start(a -> {
      throw new IllegalStateException("no config here");
    })).isInstanceOf(MultiprocessingException.class).hasMessageContaining("no config here")
        .hasMessageContaining("before it listened");
    assertThat(Multiprocessing.activeChildren()).noneMatch(p -> p.name().startsWith("BaseManager-"));
    assertThatThrownBy(() -> m.start(null)).isInstanceOf(NullPointerException.class).hasMessage("initializer");
    Object notSerializable = new Object();
    assertThatThrownBy(() -> new BaseManager().start(a -> { }, notSerializable))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
  }

  @Test
  void joinReturnsAtOnceForAManagerThatRunsNoProcessOfItsOwn() throws Exception {
    BaseManager m = new BaseManager();
    assertThat(m.join(Duration.ofSeconds(30))).isTrue();
    m.join();
  }

  @Test
  void aManagersProcessNamesTheServersWarmUpForItsForkserverSpares() throws Exception {
    String key = io.github.multiprocessing4j.internal.runtime.Tunable.SPARE_WARM_UP_KEY;
    try (BaseManager m = BaseManager.builder().startMethod("forkserver")
        .launchOptions(io.github.multiprocessing4j.LaunchOptions.builder().systemProperty(key, "a.Mine").build())
        .register("Props", CounterApi.class, a -> new Counter(System.getProperty(key).length())).build()) {
      m.start();
      String expected = "a.Mine," + SpareServerWarmUp.class.getName(); // the user's kept, the server's added
      assertThat(m.get("Props", CounterApi.class).value()).isEqualTo(expected.length());
    }
    // What a spare runs, here: it initialises without failing and starts no thread.
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Class.forName(SpareServerWarmUp.class.getName(), true, SpareServerWarmUp.class.getClassLoader());
    assertThat(Thread.getAllStackTraces().keySet()).allMatch(t -> before.contains(t) || !t.isAlive()
        || !t.getName().startsWith("mp4j-manager"));
  }

  /** Refused by the server's deserialization filter in the test below. */
  static final class Refused implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void anArgumentTheServerCannotReadIsARemoteErrorAndTheConnectionGoesOn() {
    try (BaseManager m = BaseManager.builder()
        .launchOptions(io.github.multiprocessing4j.LaunchOptions.builder()
            .systemProperty("multiprocessing4j.serialFilter", "!" + Refused.class.getName()).build())
        .register("Counter", CounterApi.class, Counter::create).build()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      assertThatThrownBy(() -> c.keep(new Refused())).isExactlyInstanceOf(RemoteError.class)
          .hasMessageContaining("cannot read the request");
      assertThat(c.increment()).isEqualTo(1);
    }
  }

  static void passToGrandchild(Args args) throws Exception {
    CounterApi c = args.get(0, CounterApi.class);
    c.increment();
    Process grandchild = Process.builder().target(BaseManagerTest::incrementTimes).args(c, 2).build();
    grandchild.start();
    grandchild.join();
    if (grandchild.exitCode() != 0) {
      throw new IllegalStateException("the grandchild failed: " + grandchild.exitCode());
    }
  }

  @Test
  void aProxyPassesOnToAGrandchild() throws Exception {
    try (BaseManager m = counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      Process p = Process.builder().target(BaseManagerTest::passToGrandchild).args(c).build();
      p.start();
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(c.value()).isEqualTo(3);
    }
  }
}
