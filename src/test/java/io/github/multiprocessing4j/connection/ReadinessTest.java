package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Readiness#wait}: CPython's {@code multiprocessing.connection.wait} over pipe ends,
 * processes and listeners, with real child processes on the other side.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ReadinessTest {

  private final List<Process> children = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : children) {
      if (p.isAlive()) {
        p.kill();
      }
      p.join();
    }
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** Receives a word, sends it back, then waits for the end of the pipe. */
  static void echoOnce(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    c.send(c.recv());
    try {
      c.recv();
    } catch (PeerClosedException e) {
      // the parent is done
    }
  }

  /** Closes its end at once: the parent's end reaches its end of stream. */
  static void closeAtOnce(Args args) {
    args.get(0, Connection.class).close();
  }

  /** Waits for one message, then ends. */
  static void endOnMessage(Args args) throws Exception {
    args.get(0, Connection.class).recv();
  }

  /** Connects to a listener and sends a word once accepted. */
  static void connectAndSay(Args args) throws Exception {
    try (Connection c = Client.connect(Path.of(args.getString(0)))) {
      c.send("hello");
      c.recv(); // until the parent closes
    } catch (PeerClosedException e) {
      // the parent is done
    }
  }

  private Process start(io.github.multiprocessing4j.Target target, Object... args) {
    Process p = Process.builder().target(target).args(args).build();
    p.start();
    children.add(p);
    return p;
  }

  private Pipe pipe() {
    Pipe p = Pipe.open();
    toClose.add(p.conn1());
    toClose.add(p.conn2());
    return p;
  }

  @Test
  void aReadableEndIsReturnedAndNothingElse() throws Exception {
    Pipe idle = pipe();
    Pipe talk = pipe();
    start(ReadinessTest::echoOnce, talk.conn2());
    talk.conn1().send("ping");
    // Waits for ever: the child's answer is what ends the wait.
    List<Connection> ready = Readiness.wait(List.of(idle.conn1(), talk.conn1()));
    assertThat(ready).containsExactly(talk.conn1());
    assertThat(talk.conn1().recv()).isEqualTo("ping");
    assertThat(Readiness.wait(List.of(idle.conn1(), talk.conn1()), Duration.ZERO)).isEmpty();
  }

  @Test
  void anEndAtItsEndOfStreamIsReady() throws Exception {
    Pipe idle = pipe();
    Pipe closing = pipe();
    start(ReadinessTest::closeAtOnce, closing.conn2());
    closing.conn2().close(); // this process's copy: only the child held the peer end
    List<Connection> ready = Readiness.wait(List.of(idle.conn1(), closing.conn1()), Waits.JOIN);
    assertThat(ready).containsExactly(closing.conn1());
    assertThatThrownBy(() -> closing.conn1().recv()).isInstanceOf(PeerClosedException.class);
  }

  @Test
  void anEndedProcessIsReadyAndARunningOneIsNot() throws Exception {
    Pipe idle = pipe();
    Pipe go = pipe();
    Pipe hold = pipe();
    Process ending = start(ReadinessTest::endOnMessage, go.conn2());
    Process running = start(ReadinessTest::endOnMessage, hold.conn2());
    go.conn1().send("go");
    List<Object> ready = Readiness.wait(List.of(idle.conn1(), running, ending), Waits.JOIN);
    assertThat(ready).containsExactly(ending);
    assertThat(ending.exitCode()).isZero();
    assertThat(running.isAlive()).isTrue();
  }

  @Test
  void aListenerWithAPendingClientIsReady() throws Exception {
    Pipe idle = pipe();
    Listener listener = Listener.open();
    toClose.add(listener);
    assertThat(Readiness.wait(List.of(listener), Duration.ZERO)).as("no client yet").isEmpty();
    String path = ((UnixDomainSocketAddress) listener.address()).getPath().toString();
    start(ReadinessTest::connectAndSay, path);
    List<Object> ready = Readiness.wait(List.of(idle.conn1(), listener), Waits.JOIN);
    assertThat(ready).containsExactly(listener);
    try (Connection c = listener.accept()) {
      assertThat(c.recv()).isEqualTo("hello");
    }
  }

  @Test
  void nothingReadyWithinTheTimeoutGivesAnEmptyListWithoutSpinning() throws Exception {
    Pipe idle = pipe();
    Pipe hold = pipe();
    Process running = start(ReadinessTest::endOnMessage, hold.conn2());
    Listener listener = Listener.open();
    toClose.add(listener);
    Readiness.wait(List.of(idle.conn1(), running, listener), Duration.ofMillis(1)); // warm the pool
    long cpu0 = waitingCpuNanos();
    long t0 = System.nanoTime();
    List<Object> ready = Readiness.wait(List.of(idle.conn1(), running, listener), Duration.ofMillis(500));
    long elapsed = System.nanoTime() - t0;
    long cpu = waitingCpuNanos() - cpu0;
    assertThat(ready).isEmpty();
    assertThat(elapsed).as("waited for the timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    // A loop polling every millisecond costs tens of ms of CPU in 0.5 s; blocked threads cost none.
    System.out.println("CPU while waiting 0.5 s for nothing: " + TimeUnit.NANOSECONDS.toMicros(cpu) + " us");
    assertThat(cpu).as("CPU of the waiting threads (ns)").isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
  }

  /**
   * CPU time of this thread and of the library's wait threads. Through reflection: the tests are
   * compiled into the module, which does not read java.management.
   */
  private static long waitingCpuNanos() throws Exception {
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    java.lang.reflect.Method cpuOf = Class.forName("java.lang.management.ThreadMXBean")
        .getMethod("getThreadCpuTime", long.class);
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t == Thread.currentThread() || t.getName().startsWith("mp4j-wait-")) {
        sum += Math.max(0, (Long) cpuOf.invoke(bean, t.getId()));
      }
    }
    return sum;
  }

  @Test
  void aZeroOrNegativeTimeoutChecksWithoutWaiting() throws Exception {
    Pipe idle = pipe();
    Pipe full = pipe();
    full.conn2().send("x");
    for (Duration timeout : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5), Duration.ofSeconds(Long.MIN_VALUE)}) {
      assertThat(Readiness.wait(List.of(idle.conn1()), timeout)).as("nothing ready, %s", timeout).isEmpty();
      assertThat(Readiness.wait(List.of(idle.conn1(), full.conn1()), timeout)).as("one ready, %s", timeout)
          .containsExactly(full.conn1());
    }
  }

  @Test
  void anEmptyListWaitsForTheTimeoutOrUntilInterrupted() throws Exception {
    long t0 = System.nanoTime();
    assertThat(Readiness.wait(List.of(), Duration.ofMillis(200))).isEmpty();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(Readiness.wait(List.of(), Duration.ZERO)).isEmpty();
    // Without a timeout, as CPython's wait([]): for ever, until interrupted.
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      try {
        return Readiness.wait(List.of());
      } catch (InterruptedException e) {
        return e;
      }
    }, r -> new Thread(r, "empty-waiter").start());
    Waits.until(() -> waiter.get() != null && waiter.get().getState() == Thread.State.WAITING,
        "the waiter is parked");
    waiter.get().interrupt();
    assertThat(outcome.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void closingAnEndWhileAnotherThreadWaitsOnItFailsThatWait() throws Exception {
    Pipe idle = pipe();
    CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        return Readiness.wait(List.of(idle.conn1()));
      } catch (InterruptedException | RuntimeException e) {
        return e;
      }
    }, r -> new Thread(r, "closed-waiter").start());
    Waits.until(ReadinessTest::someWaitThreadIsBlocked, "the waiter is blocked in wait");
    idle.conn1().close();
    Object result = outcome.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(result).isInstanceOf(ConnectionException.class);
    assertThat(((Exception) result).getMessage()).contains("handle is closed");
  }

  private static boolean someWaitThreadIsBlocked() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("mp4j-wait-") && t.getState() != Thread.State.RUNNABLE) {
        for (StackTraceElement e : t.getStackTrace()) {
          if (e.getMethodName().equals("ready")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  void badObjectsAreRefusedInTheCallersThreadNamingThem() throws Exception {
    Pipe idle = pipe();
    assertThatThrownBy(() -> Readiness.wait(List.of(idle.conn1(), "text"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("object #1 (java.lang.String)");
    List<Object> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> Readiness.wait(withNull, Duration.ZERO)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("#0");
    assertThatThrownBy(() -> Readiness.wait(List.of(idle.conn1()), null)).isInstanceOf(NullPointerException.class);
    Process unstarted = new Process(args -> { });
    assertThatThrownBy(() -> Readiness.wait(List.of(unstarted), Duration.ZERO))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("started");
    Pipe closed = Pipe.open();
    closed.conn1().close();
    closed.conn2().close();
    assertThatThrownBy(() -> Readiness.wait(List.of(closed.conn1()), Duration.ZERO))
        .isInstanceOf(ConnectionException.class).hasMessageContaining("handle is closed");
    Listener listener = Listener.open();
    listener.close();
    assertThatThrownBy(() -> Readiness.wait(List.of(listener), Duration.ZERO))
        .isInstanceOf(ConnectionException.class).hasMessageContaining("listener is closed");
  }

  @Test
  void theWaitsEndWithTheCallNoThreadStaysBehind() throws Exception {
    Pipe idle = pipe();
    Pipe full = pipe();
    Readiness.wait(List.of(idle.conn1(), full.conn1()), Duration.ofMillis(50));
    full.conn2().send("x");
    assertThat(Readiness.wait(List.of(idle.conn1(), full.conn1()), Waits.JOIN)).containsExactly(full.conn1());
    // No wait thread is still inside a poll of these ends: a receive here competes with nobody.
    assertThat(someWaitThreadIsBlocked()).isFalse();
    assertThat(full.conn1().recv()).isEqualTo("x");
  }
}
