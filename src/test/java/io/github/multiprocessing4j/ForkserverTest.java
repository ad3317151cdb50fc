package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code forkserver} start method: spare JVMs that take processes with matching settings, are
 * used once, and never outlive their parent; and CPython's rules for the start method.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ForkserverTest {

  @BeforeEach
  void noSpareFromAnotherTest() {
    Spares.discardAll();
  }

  @AfterEach
  void resetStartMethod() {
    Multiprocessing.setStartMethod(null, true);
  }

  @AfterAll
  static void discardSpares() {
    Spares.discardAll();
  }

  static void report(Args args) {
    System.out.println("pid=" + Multiprocessing.getpid() + " prop=" + System.getProperty("fs.test", "none"));
  }

  static void reportStartMethod(Args args) {
    System.out.println("start method " + Multiprocessing.getStartMethod(true));
  }

  @Test
  void aChildReportsTheStartMethodItWasStartedWith() throws Exception {
    for (String method : List.of("spawn", "forkserver", "forkserver")) {
      CapturedLines out = new CapturedLines();
      Process p = Process.builder().startMethod(method).target(ForkserverTest::reportStartMethod)
          .stdout(out.output()).build();
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(out.text()).isEqualTo("start method " + method);
    }
    assertThat(Multiprocessing.getStartMethod(true)).as("the parent's stays unset").isNull();
  }

  static void exit3(Args args) {
    System.exit(3);
  }

  static void boom(Args args) {
    throw new IllegalStateException("boom in " + Multiprocessing.getpid());
  }

  private static Process.Builder forkserver(CapturedLines out) {
    return Process.builder().startMethod("forkserver").stdout(out.output());
  }

  /** Waits until a spare is idle: the background launch after a start has happened. */
  private static List<Long> awaitSpare() {
    Waits.until(() -> !Spares.idlePids().isEmpty(), "a spare is launched");
    return Spares.idlePids();
  }

  @Test
  void theStartMethodFollowsCpythonsRules() {
    assertThat(Multiprocessing.getAllStartMethods()).containsExactly("spawn", "forkserver");
    assertThat(Multiprocessing.getStartMethod(true)).isNull();
    assertThatThrownBy(() -> Multiprocessing.setStartMethod("fork")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'fork'");
    assertThatThrownBy(() -> Process.builder().startMethod("bogus")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'bogus'");
    // The default is spawn, unless the run sets another (the pom's forkserver execution of the
    // Process suite does).
    String expectedDefault = System.getProperty("multiprocessing4j.startMethod", "spawn");
    assertThat(Multiprocessing.getStartMethod()).as("reading fixes the default").isEqualTo(expectedDefault);
    assertThatThrownBy(() -> Multiprocessing.setStartMethod("forkserver")).isInstanceOf(IllegalStateException.class)
        .hasMessage("context has already been set");
    Multiprocessing.setStartMethod("forkserver", true);
    assertThat(Multiprocessing.getStartMethod()).isEqualTo("forkserver");
    Multiprocessing.setStartMethod(null, true);
    assertThat(Multiprocessing.getStartMethod(true)).isNull();
  }

  @Test
  void aProcessStartedFromASpareBehavesAsASpawnedOneAndEverySpareServesOnce() throws Exception {
    long takenBefore = Spares.taken();
    Set<Long> pids = new HashSet<>();
    CapturedLines first = new CapturedLines();
    Process p = forkserver(first).target(ForkserverTest::report).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    pids.add(p.pid());

    List<Long> spare = awaitSpare();
    CapturedLines out = new CapturedLines();
    Process q = forkserver(out).target(ForkserverTest::report).build();
    q.start();
    assertThat(q.join(Waits.JOIN)).isTrue();
    assertThat(q.exitCode()).isZero();
    assertThat(spare).as("the spare took the process").contains(q.pid());
    assertThat(out.text()).isEqualTo("pid=" + q.pid() + " prop=none");
    assertThat(Spares.idlePids()).doesNotContain(q.pid());
    pids.add(q.pid());

    spare = awaitSpare();
    Process r = Process.builder().startMethod("forkserver").target(ForkserverTest::exit3).build();
    r.start();
    assertThat(r.join(Waits.JOIN)).isTrue();
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(spare).contains(r.pid());
    pids.add(r.pid());

    spare = awaitSpare();
    CapturedLines err = new CapturedLines();
    Process s = Process.builder().startMethod("forkserver").target(ForkserverTest::boom).stderr(err.output()).build();
    s.start();
    assertThat(s.join(Waits.JOIN)).isTrue();
    assertThat(s.exitCode()).isEqualTo(1);
    assertThat(spare).contains(s.pid());
    assertThat(s.failure()).get().extracting(RemoteException::remoteMessage).isEqualTo("boom in " + s.pid());
    assertThat(err.text()).startsWith("Process " + s.name() + ":\njava.lang.IllegalStateException: boom");
    pids.add(s.pid());

    assertThat(pids).as("four processes, four JVMs").hasSize(4);
    assertThat(Spares.taken() - takenBefore).isEqualTo(3);
  }

  @Test
  void aProcessWithOtherSettingsNeverGetsAStaleSpare() throws Exception {
    Process a = Process.builder().startMethod("forkserver").systemProperty("fs.test", "a")
        .target(ForkserverTest::report).build();
    a.start();
    assertThat(a.join(Waits.JOIN)).isTrue();
    List<Long> spareForA = awaitSpare();
    long taken = Spares.taken();

    CapturedLines out = new CapturedLines();
    Process b = forkserver(out).systemProperty("fs.test", "b").target(ForkserverTest::report).build();
    b.start();
    assertThat(b.join(Waits.JOIN)).isTrue();
    assertThat(out.text()).isEqualTo("pid=" + b.pid() + " prop=b");
    assertThat(spareForA).doesNotContain(b.pid());
    assertThat(Spares.taken()).as("started cold").isEqualTo(taken);
    assertThat(Spares.idlePids()).as("the spare for the other settings is still there").containsAll(spareForA);

    // Output not piped to the parent: a spare (whose output is piped) cannot serve it.
    Process c = Process.builder().startMethod("forkserver").systemProperty("fs.test", "a")
        .stdout(ChildOutput.discard()).target(ForkserverTest::report).build();
    c.start();
    assertThat(c.join(Waits.JOIN)).isTrue();
    assertThat(Spares.taken()).isEqualTo(taken);
    assertThat(spareForA).doesNotContain(c.pid());
  }

  @Test
  void theDefaultStartMethodAppliesAtStart() throws Exception {
    Multiprocessing.setStartMethod("forkserver");
    Process p = Process.builder().target(ForkserverTest::report).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    List<Long> spare = awaitSpare();
    Process q = Process.builder().target(ForkserverTest::report).build();
    q.start();
    assertThat(q.join(Waits.JOIN)).isTrue();
    assertThat(spare).contains(q.pid());
    Process cold = Process.builder().startMethod("spawn").target(ForkserverTest::report).build();
    long taken = Spares.taken();
    cold.start();
    assertThat(cold.join(Waits.JOIN)).isTrue();
    assertThat(Spares.taken()).as("spawn, per process, overrides the default").isEqualTo(taken);
  }

  @Test
  void poolWorkersStartFromSparesToo() throws Exception {
    Multiprocessing.setStartMethod("forkserver");
    try (io.github.multiprocessing4j.pool.Pool pool = new io.github.multiprocessing4j.pool.Pool(1)) {
      assertThat(pool.apply(() -> 6 * 7)).isEqualTo(42);
    }
    List<Long> spare = awaitSpare();
    try (io.github.multiprocessing4j.pool.Pool pool = new io.github.multiprocessing4j.pool.Pool(1)) {
      assertThat(pool.apply(Multiprocessing::getpid)).as("the worker is the spare").isIn(spare);
    }
  }

  /**
   * A parent that starts one forkserver process, then prints its idle spares and waits; with
   * {@code launched}, the spare it launched, which a short {@code spareIdleMillis} may discard
   * before the process it started has even ended (under load: the idle list was then empty for
   * good, and the test waited for the list as long as this JVM did).
   */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    Multiprocessing.setStartMethod("forkserver");
    Process p = new Process(ForkserverTest::report);
    p.start();
    p.join();
    if (mode.equals("launched")) {
      Pids.await(() -> Spares.lastLaunchedPid() != 0, Waits.JOIN);
      System.out.println("spares [" + Spares.lastLaunchedPid() + "]");
    } else {
      Pids.await(() -> !Spares.idlePids().isEmpty(), Waits.JOIN); // the test fails on an empty list
      System.out.println("spares " + Spares.idlePids());
    }
    if (mode.equals("exit")) {
      return; // the spares must go with the program
    }
    Thread.sleep(Waits.UNTIL_KILLED.toMillis());
  }

  private static List<Long> pidsFrom(String line) {
    List<Long> pids = new ArrayList<>();
    String list = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    for (String s : list.split(", ")) {
      pids.add(Long.parseLong(s.trim()));
    }
    return pids;
  }

  @Test
  void sparesEndWithTheirParentEvenWhenItIsKilled() throws Exception {
    try (JavaMain parent = JavaMain.start(ForkserverTest.class)) {
      List<Long> spares = pidsFrom(parent.awaitStdout("spares ", Waits.JOIN));
      assertThat(spares).isNotEmpty();
      Multiprocessing.kill(parent.pid(), Multiprocessing.SIGKILL);
      for (long pid : spares) {
        assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("spare %d gone", pid).isTrue();
      }
    }
  }

  @Test
  void sparesEndWithAProgramThatReturnsAndWhenIdleTooLong() throws Exception {
    try (JavaMain parent = JavaMain.start(ForkserverTest.class, "exit")) {
      List<Long> spares = pidsFrom(parent.awaitStdout("spares ", Waits.JOIN));
      assertThat(parent.waitFor(Waits.JOIN)).as("stderr: %s", parent.stderr()).isZero();
      for (long pid : spares) {
        assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("spare %d gone", pid).isTrue();
      }
    }
    try (JavaMain parent = JavaMain.start(List.of("-Dmultiprocessing4j.spareIdleMillis=300"), ForkserverTest.class,
        "launched")) {
      List<Long> spares = pidsFrom(parent.awaitStdout("spares ", Waits.JOIN));
      for (long pid : spares) {
        assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("idle spare %d discarded while its parent runs", pid).isTrue();
      }
      assertThat(parent.process().isAlive()).isTrue();
    }
  }

  static void printWithoutNewline(Args args) {
    System.out.print("first" + args.getString(0));
  }

  static void silent(Args args) {
    // prints nothing: the whole of its stdout must be empty
  }

  @Test
  void awaitSparesReturnsOnceASpareIsWarmAndItsReadyMarkNeverReachesTheProcessOutput() throws Exception {
    assertThat(Multiprocessing.awaitSpares(Duration.ZERO)).as("no spare wanted yet").isTrue();
    Process cold = forkserver(new CapturedLines()).target(ForkserverTest::silent).build();
    cold.start();
    assertThat(cold.join(Waits.JOIN)).isTrue();
    assertThat(Multiprocessing.awaitSpares(Waits.JOIN)).isTrue();
    assertThat(Spares.readyPids()).as("the idle spare has warmed up").hasSize(1).isEqualTo(Spares.idlePids());

    long takenBefore = Spares.taken();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    Process p = Process.builder().startMethod("forkserver").target(ForkserverTest::printWithoutNewline).args("!")
        .stdout(ChildOutput.toStream(bytes)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(Spares.taken()).as("served by the warm spare").isEqualTo(takenBefore + 1);
    assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("first!");

    assertThat(Multiprocessing.awaitSpares(Waits.JOIN)).isTrue();
    java.io.ByteArrayOutputStream none = new java.io.ByteArrayOutputStream();
    Process q = Process.builder().startMethod("forkserver").target(ForkserverTest::silent)
        .stdout(ChildOutput.toStream(none)).build();
    q.start();
    assertThat(q.join(Waits.JOIN)).isTrue();
    assertThat(Spares.taken()).isEqualTo(takenBefore + 2);
    assertThat(none.toByteArray()).as("a silent process from a spare has no output at all").isEmpty();
  }

  /**
   * A discard that meets a spare being launched returns only once that spare has ended: the CI's
   * leak check after a test class once found a spare's {@code jspawnhelper} launched across it.
   */
  @Test
  void aDiscardWaitsForASpareBeingLaunchedAndLeavesNoChild() throws Exception {
    java.util.concurrent.CountDownLatch launched = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicLong launchedPid = new java.util.concurrent.atomic.AtomicLong();
    Spares.afterLaunchForTests = () -> {
      launched.countDown();
      try {
        release.await(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Thread discard = new Thread(Spares::discardAll, "discard");
    try {
      Process p = Process.builder().startMethod("forkserver").target(ForkserverTest::silent).build();
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(launched.await(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).as("a spare is launched").isTrue();
      Set<Long> before = new HashSet<>();
      ProcessHandle.current().children()
          .filter(c -> c.info().commandLine().orElse("").contains(Spares.SPARE_PROPERTY))
          .forEach(c -> before.add(c.pid()));
      assertThat(before).as("the spare held in its launch").hasSize(1);
      launchedPid.set(before.iterator().next());

      discard.start();
      discard.join(500);
      if (!discard.isAlive()) {
        assertThat(Pids.alive(launchedPid.get())).as("a discard that returned left the spare being launched").isFalse();
      }
      release.countDown();
      discard.join(Waits.JOIN.toMillis());
      assertThat(discard.isAlive()).as("the discard returns once the launch ends").isFalse();
      assertThat(Pids.alive(launchedPid.get())).as("the spare launched across the discard has ended").isFalse();
      assertThat(Spares.idlePids()).isEmpty();
    } finally {
      Spares.afterLaunchForTests = null;
      release.countDown();
      discard.join(Waits.JOIN.toMillis());
    }
  }

  @Test
  void awaitSparesRefusesBadTimeouts() {
    assertThatThrownBy(() -> Multiprocessing.awaitSpares(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> Multiprocessing.awaitSpares(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must not be negative");
  }
}
