package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Children that do not die of SIGTERM (issue 12, section 5): one stopped by SIGSTOP acts on no
 * signal but SIGKILL and SIGCONT, one that replaced its SIGTERM handler ignores it. terminate()
 * continues the first and kills the second after its grace period, so neither keeps its parent
 * from exiting, nor a pool from terminating. Every stopped or deaf child is killed in a finally.
 */
@Timeout(120)
@EnabledOnOs(OS.LINUX) // SIGCONT for a stopped child needs /proc to tell that it is stopped
class ExitStuckChildTest {

  @Test
  void terminateContinuesAStoppedChildSoThatItEndsBySigterm() throws Exception {
    CapturedLines out = new CapturedLines();
    // The grace is longer than the join below may wait: only SIGCONT can end it in time.
    Process p = Process.builder().target(Sleeper.class).args(120_000).terminateGrace(Duration.ofSeconds(90))
        .stdout(out.output()).build();
    p.start();
    try {
      out.await(Sleeper.READY, Waits.JOIN);
      stop(p.pid());
      p.terminate();
      assertThat(p.join(Waits.JOIN)).as("a stopped child ended after terminate()").isTrue();
      assertThat(p.exitCode()).isEqualTo(-15);
    } finally {
      cleanUp(p);
    }
  }

  @Test
  void terminateKillsAChildThatIgnoresSigtermAfterTheGracePeriod() throws Exception {
    CapturedLines out = new CapturedLines();
    Duration grace = Duration.ofMillis(500);
    Process p = Process.builder().target(DeafToSigterm.class).args(120_000).terminateGrace(grace)
        .stdout(out.output()).build();
    p.start();
    try {
      out.await("ignoring SIGTERM", Waits.JOIN);
      long t0 = System.nanoTime();
      p.terminate();
      assertThat(p.join(Waits.JOIN)).as("a child deaf to SIGTERM ended after terminate()").isTrue();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(p.exitCode()).as("killed by the SIGKILL that followed").isEqualTo(-9);
      assertThat(millis).as("waited for the grace period first").isGreaterThanOrEqualTo(grace.toMillis());
    } finally {
      cleanUp(p);
    }
  }

  @Test
  void aSecondTerminateDoesNotPostponeTheKill() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(DeafToSigterm.class).args(120_000).terminateGrace(Duration.ofMillis(300))
        .stdout(out.output()).build();
    p.start();
    try {
      out.await("ignoring SIGTERM", Waits.JOIN);
      p.terminate();
      p.terminate();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isEqualTo(-9);
    } finally {
      cleanUp(p);
    }
  }

  @Test
  void poolTerminateEndsAStoppedWorker() throws Exception {
    Long worker = null;
    Pool pool = Pool.builder().processes(1).build();
    try {
      assertThat(pool.apply(() -> 42)).isEqualTo(42);
      worker = pool.workerPids().get(0);
      stop(worker);
      pool.terminate();
      // Before: false after the whole 30 s; the stopped worker kept its reader waiting.
      assertThat(pool.join(Waits.JOIN)).as("pool joined with a stopped worker").isTrue();
      assertThat(Pids.alive(worker)).isFalse();
    } finally {
      pool.terminate();
      cleanUp(worker);
    }
  }

  @Test
  void aPoolsWorkerOptionsSetTheGracePeriod() throws Exception {
    Long worker = null;
    // Far longer than the default 3 s: the worker, deaf to SIGTERM, must outlive the wait below.
    Pool pool = Pool.builder().processes(1).workerOptions(w -> w.terminateGrace(Duration.ofSeconds(90))).build();
    try {
      assertThat(pool.apply(() -> ignoreSigterm())).isTrue();
      worker = pool.workerPids().get(0);
      pool.terminate();
      assertThat(pool.join(Duration.ofSeconds(5))).as("joined before the worker's grace period ended").isFalse();
      assertThat(Pids.alive(worker)).isTrue();
    } finally {
      cleanUp(worker);
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
  }

  @Test
  void executorShutdownNowEndsAStoppedWorker() throws Exception {
    Long worker = null;
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    try {
      assertThat(executor.submit((io.github.multiprocessing4j.pool.SerializableCallable<Integer>) () -> 7).get())
          .isEqualTo(7);
      worker = executor.workerPids().get(0);
      stop(worker);
      executor.shutdownNow();
      assertThat(executor.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS))
          .as("executor terminated with a stopped worker").isTrue();
      assertThat(Pids.alive(worker)).isFalse();
    } finally {
      executor.shutdownNow();
      cleanUp(worker);
    }
  }

  @Test
  void parentWithAStoppedDaemonicChildExitsAtOnce() throws Exception {
    // A grace longer than the wait: the parent can only exit in time because SIGCONT let its child
    // act on the SIGTERM. Before the fix, it did not exit within the 30 s (50-150 s were seen).
    Long daemon = null;
    try (JavaMain parent = JavaMain.start(List.of("-D" + TerminateGrace.PROPERTY + "=PT90S"), StuckFixture.class,
        "stopped")) {
      try {
        parent.awaitStdout("main returns", Waits.JOIN);
        daemon = Pids.find(parent.stdout(), "daemon-pid=");
        long returned = Pids.find(parent.stdout(), "main returns at=");
        int status = parent.waitFor(Waits.JOIN);
        long exitMillis = System.currentTimeMillis() - returned;
        System.out.println("parent with a stopped daemonic child exited " + exitMillis + " ms after main returned");
        assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
        assertThat(Pids.awaitGone(daemon, Duration.ofSeconds(10))).as("daemon %s gone", daemon).isTrue();
      } finally {
        cleanUp(daemon);
      }
    }
  }

  @Test
  void parentWithADaemonicChildDeafToSigtermExitsWithinTheGracePeriodAndASecond() throws Exception {
    Duration grace = Duration.ofSeconds(2);
    Long daemon = null;
    try (JavaMain parent = JavaMain.start(List.of("-D" + TerminateGrace.PROPERTY + "=" + grace.toMillis()),
        StuckFixture.class, "deaf")) {
      try {
        parent.awaitStdout("main returns", Waits.JOIN);
        daemon = Pids.find(parent.stdout(), "daemon-pid=");
        long returned = Pids.find(parent.stdout(), "main returns at=");
        int status = parent.waitFor(Waits.JOIN);
        long exitMillis = System.currentTimeMillis() - returned;
        System.out.println("parent with a daemonic child deaf to SIGTERM exited " + exitMillis
            + " ms after main returned (grace " + grace.toMillis() + " ms)");
        assertThat(status).as("parent exit status; stderr:\n%s", parent.stderr()).isZero();
        assertThat(Pids.awaitGone(daemon, Duration.ofSeconds(10))).as("daemon %s gone", daemon).isTrue();
        assertThat(exitMillis).as("parent exit after main returned (ms)")
            .isGreaterThanOrEqualTo(grace.toMillis()).isLessThan(grace.toMillis() + 1_000);
      } finally {
        cleanUp(daemon);
      }
    }
  }

  @Test
  void aBadGraceIsRefusedInTheCallersThread() {
    assertThatThrownBy(() -> Process.builder().terminateGrace(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("terminateGrace");
    assertThatThrownBy(() -> Process.builder().terminateGrace(null)).isInstanceOf(NullPointerException.class);
    String before = System.getProperty(TerminateGrace.PROPERTY);
    System.setProperty(TerminateGrace.PROPERTY, "soon");
    try {
      Process p = new Process(args -> { });
      assertThatThrownBy(p::start).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(TerminateGrace.PROPERTY + "=soon");
      System.setProperty(TerminateGrace.PROPERTY, "PT0.25S");
      assertThat(TerminateGrace.fromProperty()).isEqualTo(Duration.ofMillis(250));
      System.setProperty(TerminateGrace.PROPERTY, "1500");
      assertThat(TerminateGrace.fromProperty()).isEqualTo(Duration.ofMillis(1500));
    } finally {
      if (before == null) {
        System.clearProperty(TerminateGrace.PROPERTY);
      } else {
        System.setProperty(TerminateGrace.PROPERTY, before);
      }
    }
  }

  /** Sends SIGSTOP and waits until /proc says the process is stopped. */
  static void stop(long pid) throws IOException, InterruptedException {
    sendSignal("STOP", pid);
    Waits.until(() -> state(pid) == 'T', "process " + pid + " stopped");
  }

  private static char state(long pid) {
    try {
      String s = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")), StandardCharsets.US_ASCII);
      return s.charAt(s.lastIndexOf(')') + 2);
    } catch (IOException e) {
      return '?';
    }
  }

  private static void sendSignal(String signal, long pid) throws IOException, InterruptedException {
    java.lang.Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  private static void cleanUp(Long pid) {
    if (pid != null && Pids.alive(pid)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL ends a stopped one too
      Pids.awaitGone(pid, Duration.ofSeconds(10));
    }
  }

  private static void cleanUp(Process p) throws InterruptedException {
    if (p.isAlive()) {
      p.kill();
    }
    p.join();
  }

  /** Replaces the library's SIGTERM handler by SIG_IGN, as a child stuck in native code would act. */
  static boolean ignoreSigterm() throws Exception {
    Class<?> signal = Class.forName("sun.misc.Signal");
    Class<?> handler = Class.forName("sun.misc.SignalHandler");
    Object ignore = handler.getField("SIG_IGN").get(null);
    signal.getMethod("handle", signal, handler)
        .invoke(null, signal.getConstructor(String.class).newInstance("TERM"), ignore);
    return true;
  }

  /** A child that ignores SIGTERM (see {@link #ignoreSigterm()}), then sleeps. */
  public static final class DeafToSigterm implements Target {
    @Override
    public void run(Args args) throws Exception {
      ignoreSigterm();
      System.out.println("ignoring SIGTERM");
      Thread.sleep(args.getInt(0));
    }
  }

  /** A parent JVM whose daemonic child cannot be ended by SIGTERM alone when main returns. */
  public static final class StuckFixture {
    public static void main(String[] args) throws Exception {
      boolean stopped = args[0].equals("stopped");
      CountDownLatch running = new CountDownLatch(1);
      Process daemon = Process.builder().target(stopped ? Sleeper.class : DeafToSigterm.class).args(120_000)
          .daemon(true).stdout(ChildOutput.toLines(line -> {
            System.out.println(line);
            running.countDown();
          })).build();
      daemon.start();
      if (!running.await(Waits.LONG.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the daemon never ran");
      }
      if (stopped) {
        stop(daemon.pid());
      }
      System.out.println("daemon-pid=" + daemon.pid());
      System.out.println("main returns at=" + System.currentTimeMillis());
    }
  }
}
