package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A manager's process dying, and peers that never authenticate. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ManagerFailureTest {

  @Test
  void aServerKilledMidCallFailsThePendingAndLaterCallsPromptlyNamingTheManagerAndTheSignal() throws Exception {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      CompletableFuture<Void> pending = CompletableFuture.runAsync(() -> {
        try {
          c.block();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      Waits.until(() -> c.value() == 1, "the call to be running in the server");
      Process server = m.serverProcess();
      Multiprocessing.kill(server.pid(), Multiprocessing.SIGKILL);
      Throwable failure = catchFailure(pending);
      assertThat(failure).isInstanceOf(ConnectionException.class)
          .hasMessageContaining("the manager process " + server.name())
          .hasMessageContaining("was killed by signal 9");
      ThrowableAssert.ThrowingCallable later = c::value;
      org.assertj.core.api.Assertions.assertThatThrownBy(later).isInstanceOf(ConnectionException.class)
          .hasMessage(failure.getMessage());
    }
  }

  private static Throwable catchFailure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the call returned");
  }

  @Test
  void fiftySilentConnectionsDoNotDelayARealClient() throws Exception {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      SocketAddress a = m.address();
      List<SocketChannel> silent = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          silent.add(SocketChannel.open(a));
        }
        // A new client: its session and call connections are authenticated while the 50 wait.
        try (BaseManager other = BaseManager.builder().address(a).build()) {
          other.connect();
          assertThat(other.get("Counter", CounterApi.class).increment()).isEqualTo(1);
        }
        // Had the call waited for the silent peers' handshakes to time out, they would be closed.
        for (SocketChannel s : silent) {
          assertThat(isOpenAtServer(s)).as("a silent peer is still waited for").isTrue();
        }
      } finally {
        for (SocketChannel s : silent) {
          s.close();
        }
      }
    }
  }

  /** Reads what the server sent (its challenge), without waiting: false if it closed the socket. */
  private static boolean isOpenAtServer(SocketChannel s) throws Exception {
    s.configureBlocking(false);
    ByteBuffer b = ByteBuffer.allocate(4096);
    int n;
    while ((n = s.read(b)) > 0) {
      b.clear();
    }
    return n == 0;
  }

  /** Starts a manager and returns from main without shutting it down. */
  public static final class LeavesItRunning {
    public static void main(String[] args) {
      BaseManager m = BaseManagerTest.counters();
      m.start();
      m.get("Counter", CounterApi.class).increment();
      System.out.println("server pid=" + m.serverProcess().pid() + " .");
    }
  }

  @Test
  void aManagerLeftRunningIsShutDownWhenItsJvmExits() throws Exception {
    try (JavaMain parent = JavaMain.start(LeavesItRunning.class)) {
      long pid = Pids.find(parent.awaitStdout(" .", Waits.LONG), "server pid=");
      assertThat(parent.waitFor(Waits.LONG)).as("the JVM exits: its manager is not a child it waits for").isZero();
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("the manager's process is gone").isTrue();
    }
  }

  /** A factory that cannot be read in the server's process: the server ends before it listens. */
  static final class Unreadable implements ManagedFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Object create(Object[] args) {
      return new Object();
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException {
      throw new java.io.InvalidObjectException("refused in the server's process");
    }
  }

  @Test
  void aServerThatEndsBeforeItListensFailsStartNamingTheProcessAndWhy() {
    // The default address (the starting process connects until it is accepted) and a TCP port the
    // server chooses (it reports the port through a pipe): both see the process end.
    for (BaseManager m : List.of(new BaseManager(),
        new BaseManager(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), null))) {
      m.register(Registration.of("Broken", CounterApi.class, new Unreadable()));
      try (m) {
        org.assertj.core.api.Assertions.assertThatThrownBy(m::start)
            .isInstanceOf(io.github.multiprocessing4j.MultiprocessingException.class)
            .hasMessageContaining("the manager process BaseManager-")
            .hasMessageContaining("ended with exit code 1 before it listened")
            .hasMessageContaining("refused in the server's process");
        assertThat(m.serverProcess()).isNull();
      }
    }
  }
}
