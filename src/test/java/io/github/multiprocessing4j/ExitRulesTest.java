package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython's exit rules (semantics §A.5, A.9, A.10): what happens to children when their parent's
 * {@code main} returns, calls {@code System.exit}, is SIGKILLed, or is terminated. The parent must
 * be a JVM of its own for most of these, so they run {@link ExitFixture} through {@link JavaMain}
 * and read what it prints.
 */
@Timeout(90)
class ExitRulesTest {

  /** JVM start-up under load: generous, since these waits are not what the tests measure. */

  @Test
  void mainWaitsForNonDaemonicChildAfterMainReturns() throws Exception {
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "nondaemon-return")) {
      int status = parent.waitFor(Waits.JOIN);
      String out = parent.stdout();
      // The child's line can only reach the captured stdout through the parent's pump, so the
      // parent JVM was still up when the child finished, after main had returned.
      assertThat(out).contains("main returns", "worker finished", "worker exit=0");
      assertThat(out.indexOf("main returns")).isLessThan(out.indexOf("worker finished"));
      assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
      assertThat(Pids.alive(Pids.find(out, "worker-pid="))).isFalse();
    }
  }

  @Test
  void daemonicChildIsTerminatedWhenMainReturns() throws Exception {
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "daemon-return")) {
      parent.awaitStdout("main returns", Waits.JOIN);
      long daemonPid = Pids.find(parent.stdout(), "daemon-pid=");
      long t0 = System.nanoTime();
      // The daemon's workload is 30 s; the parent must not wait for it (had it waited, the daemon
      // would have finished: decided on that, not on how long a busy machine takes to exit).
      int status = parent.waitFor(Duration.ofSeconds(25));
      long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
      assertThat(exitMillis).as("parent exit after main returned (ms)").isLessThan(25_000);
      assertThat(parent.stdout()).contains("daemon started").doesNotContain("daemon finished");
      assertThat(Pids.awaitGone(daemonPid, Waits.JOIN)).as("daemon pid %s gone", daemonPid).isTrue();
    }
  }

  @Test
  void daemonicChildIsTerminatedBeforeNonDaemonicOneIsJoined() throws Exception {
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "both-return")) {
      int status = parent.waitFor(Waits.JOIN);
      String out = parent.stdout();
      assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
      assertThat(out).contains("main returns", "daemon exit=-15", "worker finished", "worker exit=0")
          .doesNotContain("daemon finished");
      // CPython terminates the daemonic children first, then joins: the daemon must be gone while
      // the worker is still working, not after it.
      assertThat(out.indexOf("daemon exit=-15")).isLessThan(out.indexOf("worker finished"));
      assertThat(Pids.alive(Pids.find(out, "daemon-pid="))).isFalse();
    }
  }

  @Test
  void systemExitTerminatesDaemonicChild() throws Exception {
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "daemon-system-exit")) {
      parent.awaitStdout("calling System.exit", Waits.JOIN);
      long daemonPid = Pids.find(parent.stdout(), "daemon-pid=");
      int status = parent.waitFor(Duration.ofSeconds(25)); // within the daemon's 30 s, however busy the machine
      assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
      assertThat(Pids.awaitGone(daemonPid, Waits.JOIN)).as("daemon pid %s gone", daemonPid).isTrue();
      assertThat(parent.stdout()).doesNotContain("daemon finished");
    }
  }

  @Test
  void daemonicChildHaltsWhenParentIsKilled() throws Exception {
    Long daemonPid = null;
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "daemon-then-wait")) {
      parent.awaitStdout("ready", Waits.JOIN);
      daemonPid = Pids.find(parent.stdout(), "daemon-pid=");
      parent.process().toHandle().destroyForcibly();
      long t0 = System.nanoTime();
      parent.waitFor(Waits.JOIN);
      // No shutdown hook ran in the parent: only the daemon's own watcher (stdin EOF) can end it.
      // Well within its 30 s workload, however busy the machine.
      boolean gone = Pids.awaitGone(daemonPid, Duration.ofSeconds(15));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(gone).as("daemon %s gone within 15 s of its parent's SIGKILL", daemonPid).isTrue();
      assertThat(millis).isLessThan(15_000);
    } finally {
      Pids.killQuietly(daemonPid);
    }
  }

  @Test
  void nonDaemonicChildSurvivesParentKillAndSeesItDead(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("orphan.txt");
    Long orphanPid = null;
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "orphan", report.toString())) {
      parent.awaitStdout("ready", Waits.JOIN);
      orphanPid = Pids.find(parent.stdout(), "orphan-pid=");
      assertThat(parent.stdout()).contains("orphan started parent-alive=true");
      parent.process().toHandle().destroyForcibly();
      parent.waitFor(Waits.JOIN);

      Waits.until(() -> Files.exists(report), "the orphan reported its parent's death");
      assertThat(Files.readString(report, StandardCharsets.UTF_8)).contains("parent-died=true parent-alive=false");
      // CPython orphans a non-daemonic child: it must not have halted with its parent.
      assertThat(Pids.alive(orphanPid)).as("orphan %s still runs", orphanPid).isTrue();
    } finally {
      assertThat(Pids.killQuietly(orphanPid)).isTrue();
    }
  }

  @Test
  void childJoinsItsNonDaemonicChildrenBeforeExiting() throws Exception {
    Long grandchildPid = null;
    try (JavaMain parent = JavaMain.start(ExitFixture.class, "nested")) {
      parent.awaitStdout("grandchild-pid=", Waits.JOIN);
      grandchildPid = Pids.find(parent.stdout(), "grandchild-pid=");
      int status = parent.waitFor(Waits.JOIN);
      String out = parent.stdout();
      assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
      assertThat(out).contains("child name=Process-1 grandchild name=Process-1:1",
          "grandchild finished name=Process-1:1", "child exit=0");
      // The grandchild's line travels through the child's pump: had the child exited at once,
      // it would be lost (and the grandchild orphaned).
      assertThat(out.indexOf("child target returns")).isLessThan(out.indexOf("grandchild finished"));
      assertThat(out.indexOf("grandchild finished")).isLessThan(out.indexOf("child exit=0"));
    } finally {
      assertThat(Pids.killQuietly(grandchildPid)).isTrue();
    }
  }

  @Test
  void terminateDoesNotWaitForGrandchildren() throws Exception {
    Long grandchildPid = null;
    Lines lines = new Lines();
    Process child = Process.builder().target(ChildWithGrandchild.class).args(60_000)
        .stdout(ChildOutput.toLines(lines)).build();
    try {
      child.start();
      lines.awaitReturned();
      grandchildPid = Pids.find(String.join("\n", lines.all), "grandchild-pid=");
      // The child now waits in its exit rules for a grandchild that works for 60 s.
      long t0 = System.nanoTime();
      child.terminate();
      // Well within the grandchild's 60 s, however busy the machine.
      assertThat(child.join(Waits.JOIN)).as("child ended within 30 s of terminate()").isTrue();
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
      assertThat(child.exitCode()).isEqualTo(-15);
      // As in CPython, the grandchild is orphaned, not killed.
      assertThat(Pids.alive(grandchildPid)).as("orphaned grandchild %s runs", grandchildPid).isTrue();
    } finally {
      stop(child);
      assertThat(Pids.killQuietly(grandchildPid)).isTrue();
    }
  }

  @Test
  void terminateWithKillDescendantsEndsGrandchildrenToo() throws Exception {
    Long grandchildPid = null;
    Lines lines = new Lines();
    Process child = Process.builder().target(ChildWithGrandchild.class).args(60_000).killDescendants(true)
        .stdout(ChildOutput.toLines(lines)).build();
    try {
      child.start();
      lines.awaitReturned();
      grandchildPid = Pids.find(String.join("\n", lines.all), "grandchild-pid=");
      child.terminate();
      assertThat(child.join(Waits.JOIN)).isTrue(); // well within the grandchild's 60 s
      assertThat(child.exitCode()).isEqualTo(-15);
      assertThat(Pids.awaitGone(grandchildPid, Waits.JOIN))
          .as("grandchild %s gone with killDescendants(true)", grandchildPid).isTrue();
    } finally {
      stop(child);
      Pids.killQuietly(grandchildPid);
    }
  }

  @Test
  void terminateAsSoonAsTheTargetBeginsGivesMinus15() throws Exception {
    // A child's SIGTERM handler is installed off its start-up path; a SIGTERM that beats it must
    // still end the child as a signal (-15), not as an orderly exit with status 143. Three rounds:
    // the window is narrow but was hit 5 times in 6.
    for (int round = 0; round < 3; round++) {
      CountDownLatch began = new CountDownLatch(1);
      Process p = Process.builder().target(Worker.class).args("early", 30_000)
          .stdout(ChildOutput.toLines(line -> began.countDown())).build();
      try {
        p.start();
        assertThat(began.await(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
        p.terminate();
        assertThat(p.join(Duration.ofSeconds(25))).isTrue(); // within its 30 s, however busy the machine
        assertThat(p.exitCode()).as("exit code in round %s", round).isEqualTo(-15);
      } finally {
        stop(p);
      }
    }
  }

  private static void stop(Process p) throws InterruptedException {
    if (p.pid() != null && p.isAlive()) {
      p.kill();
      p.join(Duration.ofSeconds(10));
    }
  }

  /** Collects a child's lines and signals when its target has returned. */
  private static final class Lines implements java.util.function.Consumer<String> {
    final List<String> all = new CopyOnWriteArrayList<>();
    final CountDownLatch returned = new CountDownLatch(1);

    @Override
    public void accept(String line) {
      all.add(line);
      if (line.equals("child target returns")) {
        returned.countDown();
      }
    }

    void awaitReturned() throws InterruptedException {
      assertThat(returned.await(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).as("child lines: %s", all).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fixtures: run in child JVMs.

  /** Prints a start line, works (sleeps) for args[1] ms, prints a finish line. */
  public static final class Worker implements Target {
    @Override
    public void run(Args args) throws Exception {
      String label = args.getString(0);
      System.out.println(label + " started");
      Thread.sleep(args.getInt(1));
      System.out.println(label + " finished name=" + Process.currentProcess().name());
    }
  }

  /** Starts a non-daemonic grandchild that works for args[0] ms, then returns at once. */
  public static final class ChildWithGrandchild implements Target {
    @Override
    public void run(Args args) throws Exception {
      Process grandchild = new Process(Worker.class, "grandchild", args.getInt(0));
      grandchild.start();
      System.out.println("child name=" + Process.currentProcess().name() + " grandchild name="
          + grandchild.name() + " grandchild-pid=" + grandchild.pid());
      System.out.println("child target returns");
    }
  }

  /** Waits for its parent's death, reports what it saw into the file args[0], then stays up. */
  public static final class Orphan implements Target {
    @Override
    public void run(Args args) throws Exception {
      Process parent = Process.parentProcess().orElseThrow();
      System.out.println("orphan started parent-alive=" + parent.isAlive());
      boolean died = parent.join(Waits.LONG);
      Path report = Path.of(args.getString(0));
      Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
      Files.writeString(tmp, "parent-died=" + died + " parent-alive=" + parent.isAlive() + "\n");
      Files.move(tmp, report, StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(Waits.UNTIL_KILLED.toMillis()); // an orphan that keeps working until the test kills it
    }
  }

  /** A parent JVM; args[0] names the scenario. */
  public static final class ExitFixture {
    public static void main(String[] args) throws Exception {
      switch (args[0]) {
        case "nondaemon-return": {
          Process worker = startAndAwait("worker", false, 1_500);
          System.out.println("worker-pid=" + worker.pid());
          worker.onExit().thenAccept(p -> System.out.println("worker exit=" + p.exitCode()));
          System.out.println("main returns");
          return;
        }
        case "daemon-return": {
          Process daemon = startAndAwait("daemon", true, 30_000);
          System.out.println("daemon-pid=" + daemon.pid());
          System.out.println("main returns");
          return;
        }
        case "both-return": {
          Process daemon = startAndAwait("daemon", true, 30_000);
          Process worker = startAndAwait("worker", false, 2_000);
          System.out.println("daemon-pid=" + daemon.pid());
          daemon.onExit().thenAccept(p -> System.out.println("daemon exit=" + p.exitCode()));
          worker.onExit().thenAccept(p -> System.out.println("worker exit=" + p.exitCode()));
          System.out.println("main returns");
          return;
        }
        case "daemon-system-exit": {
          Process daemon = startAndAwait("daemon", true, 30_000);
          System.out.println("daemon-pid=" + daemon.pid());
          System.out.println("calling System.exit");
          System.exit(0);
          return;
        }
        case "daemon-then-wait": {
          Process daemon = startAndAwait("daemon", true, 30_000);
          System.out.println("daemon-pid=" + daemon.pid());
          System.out.println("ready");
          Thread.sleep(Waits.UNTIL_KILLED.toMillis()); // until the test kills this JVM
          return;
        }
        case "orphan": {
          CountDownLatch started = new CountDownLatch(1);
          Process orphan = Process.builder().target(Orphan.class).args(args[1])
              .stdout(ChildOutput.toLines(echo(started))).build();
          orphan.start();
          await(started);
          System.out.println("orphan-pid=" + orphan.pid());
          System.out.println("ready");
          Thread.sleep(Waits.UNTIL_KILLED.toMillis()); // until the test kills this JVM
          return;
        }
        case "nested": {
          Process child = new Process(ChildWithGrandchild.class, 1_000);
          child.start();
          child.join();
          System.out.println("child exit=" + child.exitCode());
          return;
        }
        default:
          throw new IllegalArgumentException(args[0]);
      }
    }

    /** Starts a Worker and waits until its workload has begun, echoing its lines. */
    private static Process startAndAwait(String label, boolean daemon, int millis) throws InterruptedException {
      CountDownLatch started = new CountDownLatch(1);
      Process p = Process.builder().target(Worker.class).args(label, millis).daemon(daemon)
          .stdout(ChildOutput.toLines(echo(started))).build();
      p.start();
      await(started);
      return p;
    }

    private static java.util.function.Consumer<String> echo(CountDownLatch started) {
      return line -> {
        System.out.println(line);
        if (line.contains(" started")) {
          started.countDown();
        }
      };
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
      if (!latch.await(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("child did not start within 30 s");
      }
    }
  }
}
