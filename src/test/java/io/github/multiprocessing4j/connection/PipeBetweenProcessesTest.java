package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipe ends in other processes (§B.1): passed to children and grandchildren, two children talking
 * directly, a parent's death, ends bound to one process; what holds for every kind of connection
 * (a child's exit, death or kill) is in {@link ConnectionBetweenProcessesContractTest}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PipeBetweenProcessesTest {

  private static final int SIGSTOP = 19;
  private static final int SIGCONT = 18;

  @TempDir
  Path tmp;

  /** Sends 1..n and expects each back plus one; writes "done N" to the file. */
  static void pinger(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    int n = args.getInt(1);
    long sum = 0;
    for (int i = 1; i <= n; i++) {
      c.send(i);
      int back = c.recv(Integer.class);
      if (back != i + 1) {
        throw new AssertionError("sent " + i + ", got back " + back);
      }
      sum += back;
    }
    c.send(-1);
    Files.write(Path.of(args.getString(2)), ("done " + sum).getBytes(StandardCharsets.UTF_8));
  }

  /** Answers each number with itself plus one until -1. */
  static void ponger(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    while (true) {
      int i = c.recv(Integer.class);
      if (i < 0) {
        return;
      }
      c.send(i + 1);
    }
  }

  /** Creates a pipe, hands its ends to two children, says so, then waits for them. */
  static void creator(Args args) throws Exception {
    Pipe p = Pipe.open();
    Process a = Process.builder().target(PipeBetweenProcessesTest::pinger).args(p.conn1(), 500, args.getString(0)).build();
    Process b = Process.builder().target(PipeBetweenProcessesTest::ponger).args(p.conn2()).build();
    a.start();
    b.start();
    p.conn1().close();
    p.conn2().close();
    System.out.println("started " + a.pid() + " " + b.pid());
    a.join();
    b.join();
    System.out.println("exit codes " + a.exitCode() + " " + b.exitCode());
  }

  @Test
  void twoChildrenTalkDirectlyWhileTheCreatorIsStopped() throws Exception {
    Path done = tmp.resolve("done");
    CapturedLines out = new CapturedLines();
    Process c = Process.builder().target(PipeBetweenProcessesTest::creator).args(done.toString())
        .stdout(out.output()).build();
    c.start();
    try {
      out.await("started", Waits.JOIN);
      // The creator can relay nothing while it is stopped: the grandchildren must finish alone.
      Multiprocessing.kill(c.pid(), SIGSTOP);
      try {
        Waits.until(() -> Files.exists(done), "ping-pong finished");
      } finally {
        Multiprocessing.kill(c.pid(), SIGCONT);
      }
      c.join(Waits.JOIN);
      assertThat(c.exitCode()).isEqualTo(0);
      assertThat(out.text()).contains("exit codes 0 0");
      assertThat(Files.readString(done)).isEqualTo("done " + (500L * 501 / 2 + 500));
    } finally {
      if (c.isAlive()) {
        c.kill();
        c.join(Waits.JOIN);
      }
    }
  }

  /** Waits for a message from the parent, reports how it ended. */
  static void reportEnd(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    c.sendBytes(new byte[0]); // connected
    try {
      c.recv();
      System.out.println("got a message");
    } catch (PeerClosedException e) {
      System.out.println("end of stream");
    }
  }

  /** Starts a child holding one end, keeps the other, tells its pid, then waits to be killed. */
  static void holdAndWait(Args args) throws Exception {
    Pipe p = Pipe.open();
    Process child = Process.builder().target(PipeBetweenProcessesTest::reportEnd).args(p.conn2())
        .stdout(io.github.multiprocessing4j.ChildOutput.toFile(Path.of(args.getString(0)))).build();
    child.start();
    p.conn1().recvBytes();
    System.out.println("child " + child.pid());
    Thread.currentThread().join(); // until SIGKILLed
  }

  @Test
  void aChildSeesTheEndOfTheStreamWhenItsParentIsKilled() throws Exception {
    Path report = tmp.resolve("report");
    CapturedLines out = new CapturedLines();
    Process parent = Process.builder().target(PipeBetweenProcessesTest::holdAndWait).args(report.toString())
        .stdout(out.output()).build();
    parent.start();
    long childPid = 0;
    try {
      childPid = Pids.find(out.await("child ", Waits.JOIN), "child ");
      parent.kill();
      parent.join(Waits.JOIN);
      long pid = childPid;
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).isTrue();
      assertThat(Files.readString(report).trim()).isEqualTo("end of stream");
    } finally {
      Pids.killQuietly(childPid == 0 ? null : childPid);
      if (parent.isAlive()) {
        parent.kill();
      }
      parent.join(Waits.JOIN);
    }
  }

  static void useEnd(Args args) throws Exception {
    args.get(0, Connection.class).send("from child");
  }

  @Test
  void anEndUsedInOneProcessCannotBeUsedInAnother() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      b.send("here");
      assertThat(a.recv()).isEqualTo("here");
      assertThatThrownBy(() -> Process.builder().target(PipeBetweenProcessesTest::useEnd).args(b).build().start())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already in use in this process");
    }
  }

  static void echoOnce(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    c.send("echo: " + c.recv());
  }

  @Test
  void aProcessCanSendBeforeItsPeerHasStarted() throws Exception {
    Pipe p = Pipe.open();
    p.conn1().send("before start"); // waits in the ring, as in a pipe's buffer
    Process child = Process.builder().target(PipeBetweenProcessesTest::echoOnce).args(p.conn2()).build();
    child.start();
    p.conn2().close();
    try (Connection c = p.conn1()) {
      assertThat(c.recv()).isEqualTo("echo: before start");
    }
    child.join(Waits.JOIN);
    assertThat(child.exitCode()).isEqualTo(0);
  }

  static void recvAndReport(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    c.sendBytes(new byte[0]); // connected
    System.out.println("got " + c.recv());
    System.out.println("blocked");
    System.out.println("got " + c.recv());
  }

  @Test
  void aBlockedReceiverUsesNoCpuAndAnImpostorCannotTakeItsPlace() throws Exception {
    Pipe p = Pipe.open();
    CapturedLines out = new CapturedLines();
    // conn1 is used here first, so this process listens; an impostor without the key comes first
    p.conn1().send("hello");
    Path socket = io.github.multiprocessing4j.internal.runtime.RuntimeDir.sockets().resolve(
        p.toString().replaceAll(".*<Connection (pipe-\\d+) end 0.*", "$1") + "-0.sock");
    assertThat(socket).exists();
    assertThatThrownBy(() -> Client.builder().authkey("not the key".getBytes(StandardCharsets.UTF_8))
        .connect(socket)).isInstanceOf(AuthenticationException.class);
    Process child = Process.builder().target(PipeBetweenProcessesTest::recvAndReport).args(p.conn2())
        .stdout(out.output()).build();
    child.start();
    p.conn2().close();
    try (Connection c = p.conn1()) {
      assertThat(c.recvBytes()).isEmpty();
      out.await("got hello", Waits.JOIN);
      out.await("blocked", Waits.JOIN);
      ProcessHandle h = ProcessHandle.of(child.pid()).orElseThrow();
      Duration used = io.github.multiprocessing4j.testing.IdleCpu.quietestSecond(h, Duration.ofMillis(150), 10);
      assertThat(used).as("CPU used by a process blocked in recv() for 1 s").isLessThan(Duration.ofMillis(150));
      c.send("bye");
      out.await("got bye", Waits.JOIN);
    }
    child.join(Waits.JOIN);
  }
}
