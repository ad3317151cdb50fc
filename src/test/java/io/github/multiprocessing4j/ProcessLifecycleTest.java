package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The life of a process object as CPython's §A.6–A.12 describe it: start, join, liveness, pid and
 * parent pid, {@code activeChildren()}, {@code onExit()}, {@code close()}, the repr in each state,
 * default names, and what the child sees of itself and of its parent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ProcessLifecycleTest {

  /** Generous: other builds share this 2-core machine. */

  private static final long ME = Multiprocessing.getpid();

  // ---------------------------------------------------------------------------------------------
  // Child workloads

  /** Reports what the child sees of itself and its parent as key=value lines on stdout. */
  private static void probe(Args args) {
    Process me = Process.currentProcess();
    System.out.println("getpid=" + Multiprocessing.getpid());
    System.out.println("getppid=" + Multiprocessing.getppid());
    System.out.println("name=" + me.name());
    System.out.println("daemon=" + me.isDaemon());
    System.out.println("pid=" + me.pid());
    System.out.println("authkey=" + Base64.getEncoder().encodeToString(me.authkey()));
    Optional<Process> parent = Process.parentProcess();
    System.out.println("parentPresent=" + parent.isPresent());
    if (parent.isPresent()) {
      System.out.println("parentPid=" + parent.get().pid());
      System.out.println("parentName=" + parent.get().name());
      System.out.println("parentRepr=" + parent.get());
    }
  }

  private static void failing(Args args) {
    throw new IllegalStateException("boom");
  }

  /** A subclass for the default name; its own class name, not "Process", prefixes the name. */
  static final class MySubclass extends Process {
    @Override
    public void run() {
      // nothing: only constructed, never started
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void startJoinGivesExitCodeZeroAndOnExitCompletes() throws Exception {
    Process p = new Process(args -> { });
    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitCode()).isNull();
    assertThat(p.pid()).isNull();
    assertThat(p.ident()).isNull();

    p.start();
    assertThat(p.pid()).isNotNull();
    // onExit() completes with the process itself, before and independently of join().
    assertThat(p.onExit().get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isSameAs(p);
    p.join();

    assertThat(p.exitCode()).isZero();
    assertThat(p.isAlive()).isFalse();
    assertThat(p.failure()).isEmpty();
    // Joining an ended child again is a no-op, with or without a timeout.
    p.join();
    assertThat(p.join(Duration.ZERO)).isTrue();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(p.onExit()).isCompletedWithValue(p);
  }

  @Test
  void childSeesItsPidNameAuthkeyAndParent() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessLifecycleTest::probe).stdout(out.output()).build();
    p.start();
    p.join();

    assertThat(p.exitCode()).as("stdout: %s", out.text()).isZero();
    long childPid = Long.parseLong(out.value("getpid"));
    assertThat(p.pid()).isEqualTo(childPid);
    assertThat(p.ident()).isEqualTo(p.pid());
    assertThat(p.ppid()).isEqualTo(ME);
    assertThat(out.value("getppid")).isEqualTo(Long.toString(ME));
    assertThat(out.value("pid")).isEqualTo(Long.toString(childPid));
    assertThat(out.value("name")).isEqualTo(p.name());
    assertThat(out.value("daemon")).isEqualTo("false");
    assertThat(Base64.getDecoder().decode(out.value("authkey")))
        .isEqualTo(p.authkey())
        .isEqualTo(Process.currentProcess().authkey());
    assertThat(out.value("parentPresent")).isEqualTo("true");
    assertThat(out.value("parentPid")).isEqualTo(Long.toString(ME));
    assertThat(out.value("parentName")).isEqualTo("MainProcess");
    assertThat(out.value("parentRepr")).isEqualTo("<_ParentProcess name='MainProcess' parent=None unknown>");
  }

  @Test
  void daemonChildSeesItsFlagItsNewNameAndItsObjectsAuthkey() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessLifecycleTest::probe).daemon(true).stdout(out.output()).build();
    p.setName("renamed-probe");
    byte[] key = "a key of this process object only".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    p.setAuthkey(key);
    assertThat(p.toString()).isEqualTo("<Process name='renamed-probe' parent=" + ME + " initial daemon>");

    p.start();
    p.join();

    assertThat(p.exitCode()).as("stdout: %s", out.text()).isZero();
    assertThat(out.value("name")).isEqualTo("renamed-probe");
    assertThat(out.value("daemon")).isEqualTo("true");
    // The child's key is the object's, not the main process's.
    assertThat(Base64.getDecoder().decode(out.value("authkey"))).isEqualTo(key);
    assertThat(Process.currentProcess().authkey()).isNotEqualTo(key);
    assertThat(p.toString())
        .isEqualTo("<Process name='renamed-probe' pid=" + p.pid() + " parent=" + ME + " stopped exitcode=0 daemon>");
  }

  /** Says it has a shutdown hook, then sleeps; the hook would say so on its way out. */
  private static void sleeperWithAShutdownHook(Args args) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
    System.out.println(Sleeper.READY);
    Thread.sleep(Waits.UNTIL_KILLED.toMillis());
  }

  @Test
  void terminateEndsAChildWithoutItsShutdownHooksAsSigtermEndsACPythonChild() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessLifecycleTest::sleeperWithAShutdownHook).stdout(out.output()).build();
    p.start();
    try {
      out.await(Sleeper.READY, Waits.JOIN);
      p.terminate();
      assertThat(p.join(Waits.JOIN)).isTrue();
    } finally {
      p.kill();
      p.join(Waits.JOIN);
    }
    assertThat(p.exitCode()).isEqualTo(-15);
    // The JVM's own SIGTERM handling runs the hooks; the child's handler halts without them.
    assertThat(out.lines()).as("the child's output").containsExactly(Sleeper.READY);
  }

  @Test
  void runningChildIsAliveListedAndCannotBeClosedUntilTerminated() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(Sleeper.class).stdout(out.output()).build();
    p.start();
    try {
      out.await(Sleeper.READY, Waits.JOIN);

      assertThat(p.isAlive()).isTrue();
      assertThat(p.exitCode()).isNull();
      assertThat(p.join(Duration.ofMillis(200))).isFalse();
      assertThat(p.join(Duration.ZERO)).isFalse();
      assertThat(p.onExit()).isNotDone();
      assertThat(Process.activeChildren()).contains(p);
      assertThat(p.toString()).isEqualTo("<Process name='" + p.name() + "' pid=" + p.pid() + " parent=" + ME
          + " started>");
      assertThatThrownBy(p::close)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot close a process while it is still running. You should first call join() or terminate().");
      assertThat(p.isAlive()).as("a refused close() leaves the child running").isTrue();

      p.terminate();
      assertThat(p.join(Waits.JOIN)).isTrue();
    } finally {
      p.kill();
      p.join(Waits.JOIN);
    }
    assertThat(p.exitCode()).isEqualTo(-15);
    assertThat(p.isAlive()).isFalse();
    assertThat(Process.activeChildren()).doesNotContain(p);
    assertThat(p.toString()).isEqualTo("<Process name='" + p.name() + "' pid=" + p.pid() + " parent=" + ME
        + " stopped exitcode=-SIGTERM>");
    // Terminating an ended child does nothing.
    p.terminate();
    assertThat(p.exitCode()).isEqualTo(-15);
  }

  @Test
  void activeChildrenSkipsUnstartedProcessesAndReapsEndedOnes() throws Exception {
    Process unstarted = new Process(args -> { });
    Process quick = new Process(args -> { });
    assertThat(Process.activeChildren()).doesNotContain(unstarted, quick);

    quick.start();
    // Wait for the end without join(), which would remove it by itself.
    quick.onExit().get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS);

    assertThat(Process.activeChildren()).doesNotContain(unstarted, quick);
    assertThat(quick.exitCode()).isZero();
    List<Process> fresh = Process.activeChildren();
    fresh.add(unstarted);
    assertThat(Process.activeChildren()).as("a new list each call").doesNotContain(unstarted);
  }

  @Test
  void reprShowsKilledAndFailedChildren() throws Exception {
    CapturedLines out = new CapturedLines();
    Process killed = Process.builder().target(Sleeper.class).stdout(out.output()).build();
    Process failed = Process.builder().target(ProcessLifecycleTest::failing).stderr(ChildOutput.discard()).build();
    killed.start();
    try {
      failed.start();
      out.await(Sleeper.READY, Waits.JOIN);
      killed.kill();
      assertThat(killed.join(Waits.JOIN)).isTrue();
      assertThat(failed.join(Waits.JOIN)).isTrue();
    } finally {
      killed.kill();
      killed.join(Waits.JOIN);
    }
    assertThat(killed.toString()).isEqualTo("<Process name='" + killed.name() + "' pid=" + killed.pid()
        + " parent=" + ME + " stopped exitcode=-SIGKILL>");
    assertThat(failed.toString()).isEqualTo("<Process name='" + failed.name() + "' pid=" + failed.pid()
        + " parent=" + ME + " stopped exitcode=1>");
  }

  @Test
  void closeReleasesAnEndedProcessAndThenRefusesMostMethods() throws Exception {
    Process p = Process.builder().target(args -> { }).daemon(true).build();
    byte[] key = p.authkey();
    p.start();
    p.join();
    p.close();
    p.close(); // idempotent

    assertThat(p.toString()).isEqualTo("<Process name='" + p.name() + "' parent=" + ME + " closed daemon>");
    assertThat(p.name()).startsWith("Process-");
    assertThat(p.isDaemon()).isTrue();
    assertThat(p.authkey()).isEqualTo(key);
    assertClosed(p::start, p::join, () -> p.join(Waits.JOIN), p::isAlive, p::exitCode, p::pid, p::ident,
        p::terminate, p::kill, p::onExit, p::failure);
  }

  @Test
  void closeIsAllowedBeforeStart() throws Exception {
    Process p = new Process(args -> { });
    p.close();
    p.close();
    assertThat(p.toString()).isEqualTo("<Process name='" + p.name() + "' parent=" + ME + " closed>");
    assertClosed(p::start, p::join, p::isAlive, p::exitCode, p::pid, p::terminate);
    assertThat(Process.activeChildren()).doesNotContain(p);
  }

  private static void assertClosed(ThrowingCallable... calls) {
    for (ThrowingCallable call : calls) {
      assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessage("process object is closed");
    }
  }

  @Test
  void mainProcessDescribesItselfAndHasNoParent() {
    Process main = Process.currentProcess();
    assertThat(main.toString()).isEqualTo("<_MainProcess name='MainProcess' parent=None started>");
    assertThat(main.name()).isEqualTo("MainProcess");
    assertThat(main.isDaemon()).isFalse();
    assertThat(main.isAlive()).isTrue();
    assertThat(main.exitCode()).isNull();
    assertThat(main.pid()).isEqualTo(ME);
    assertThat(main.ident()).isEqualTo(ME);
    assertThat(main.authkey()).hasSize(32);
    assertThat(Process.parentProcess()).isEmpty();
    assertThat(Multiprocessing.parentProcess()).isEmpty();
    assertThat(Process.currentProcess()).isSameAs(main);
    main.close(); // a no-op on the current process
    assertThat(main.isAlive()).isTrue();
  }

  @Test
  void defaultNamesCountUpAcrossSubclassesAndCanBeChanged() {
    Process first = new Process();
    Process second = new Process(args -> { });
    Process sub = new MySubclass();
    Process named = Process.builder().name("worker").build();
    Process after = new Process();

    int n = Integer.parseInt(first.name().substring("Process-".length()));
    assertThat(first.name()).isEqualTo("Process-" + n);
    assertThat(second.name()).isEqualTo("Process-" + (n + 1));
    assertThat(sub.name()).isEqualTo("MySubclass-" + (n + 2));
    assertThat(named.name()).isEqualTo("worker");
    // An explicit name still consumes a number, as CPython's identity counter does.
    assertThat(after.name()).isEqualTo("Process-" + (n + 4));
    assertThat(sub.toString()).isEqualTo("<MySubclass name='MySubclass-" + (n + 2) + "' parent=" + ME + " initial>");

    first.setName("renamed");
    assertThat(first.name()).isEqualTo("renamed");
    assertThat(first.toString()).isEqualTo("<Process name='renamed' parent=" + ME + " initial>");
  }
}
