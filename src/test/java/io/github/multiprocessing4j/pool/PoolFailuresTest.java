package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.NoLeakedProcesses;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker deaths and broken pools (semantics §B.7 "A worker that dies", where this library
 * deliberately differs from CPython: the task fails instead of never completing, and a failing
 * initializer or worker start breaks the pool instead of respawning forever), and the workers of
 * a SIGKILLed parent.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PoolFailuresTest {

  @TempDir
  Path dir;

  static int exitWith(int status) {
    System.exit(status);
    return -1;
  }

  static int exitAt(int x, int victim) {
    return x == victim ? exitWith(5) : x;
  }

  @Test
  void aWorkerSigkilledMidTaskFailsThatTaskWhileTheTasksQueuedBehindItRunOnAReplacement() throws Exception {
    String d = dir.toString();
    try (Pool pool = new Pool(1)) {
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      AsyncResult<Long> victim = pool.applyAsync(() -> Gates.pass(d, "victim"), null, errors::add);
      // Queued behind the victim, on the same (only) worker.
      AsyncResult<Long> behind = pool.applyAsync(Multiprocessing::getpid);
      AsyncResult<List<Integer>> mapped = pool.mapAsync((Integer x) -> x * 3, List.of(1, 2, 3), 1, null, null);
      long pid = Gates.awaitRunning(dir, "victim");
      assertThat(pool.workerPids()).containsExactly(pid);

      Multiprocessing.kill(pid, Multiprocessing.SIGKILL);

      Throwable e = catchThrowable(() -> victim.get(Waits.JOIN));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WorkerDiedException.class);
      WorkerDiedException died = (WorkerDiedException) e.getCause();
      assertThat(died.exitCode()).isEqualTo(-Multiprocessing.SIGKILL);
      assertThat(died.getMessage()).containsPattern("SpawnPoolWorker-\\d+").contains("pid " + pid).contains("-9");
      assertThat(errors).containsExactly(died);

      long replacement = behind.get(Waits.JOIN);
      assertThat(replacement).isNotEqualTo(pid);
      assertThat(mapped.get(Waits.JOIN)).containsExactly(3, 6, 9);
      assertThat(pool.workerPids()).containsExactly(replacement);
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).isTrue();
      assertThat(pool.apply(() -> 7)).isEqualTo(7);
    }
  }

  @Test
  void systemExitInATaskFailsThatTaskWithTheExitStatusAndTheWorkerIsReplaced() throws Exception {
    try (Pool pool = new Pool(1)) {
      long pid = pool.workerPids().get(0);
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      AsyncResult<Integer> r = pool.applyAsync(() -> exitWith(3), null, errors::add);
      Throwable e = catchThrowable(() -> r.get(Waits.JOIN));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WorkerDiedException.class);
      assertThat(((WorkerDiedException) e.getCause()).exitCode()).isEqualTo(3);
      assertThat(e.getCause().getMessage()).contains("pid " + pid);
      assertThat(r.successful()).isFalse();
      assertThat(errors).containsExactly(e.getCause());
      long next = pool.apply(Multiprocessing::getpid);
      assertThat(next).isNotEqualTo(pid);
      assertThat(pool.workerPids()).containsExactly(next);
    }
  }

  @Test
  void anIdleWorkerThatIsKilledIsReplaced() throws Exception {
    try (Pool pool = new Pool(1)) {
      long pid = pool.workerPids().get(0);
      assertThat(pool.apply(Multiprocessing::getpid)).isEqualTo(pid);
      Multiprocessing.kill(pid, Multiprocessing.SIGKILL);
      assertThat(Pids.await(() -> !pool.workerPids().isEmpty() && !pool.workerPids().contains(pid), Waits.JOIN))
          .as("replaced: %s", pool.workerPids()).isTrue();
      long next = pool.apply(Multiprocessing::getpid);
      assertThat(next).isNotEqualTo(pid);
      assertThat(pool.workerPids()).containsExactly(next);
    }
  }

  @Test
  void aWorkerKilledAfterShutdownIsReplacedWhileQueuedWorkRemains() throws Exception {
    String d = dir.toString();
    Pool pool = new Pool(1);
    try {
      AsyncResult<Long> victim = pool.applyAsync(() -> Gates.pass(d, "victim"));
      AsyncResult<Long> second = pool.applyAsync(Multiprocessing::getpid);
      AsyncResult<Long> third = pool.applyAsync(Multiprocessing::getpid);
      long pid = Gates.awaitRunning(dir, "victim");
      pool.shutdown();
      Multiprocessing.kill(pid, Multiprocessing.SIGKILL);
      assertThatThrownBy(() -> victim.get(Waits.JOIN)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(WorkerDiedException.class);
      assertThat(second.get(Waits.JOIN)).isNotEqualTo(pid);
      assertThat(third.get(Waits.JOIN)).isEqualTo(second.get());
      assertThat(pool.join(Waits.JOIN)).isTrue();
      assertThat(pool.workerPids()).isEmpty();
      assertThat(Pids.alive(second.get())).isFalse();
    } finally {
      pool.terminate();
    }
  }

  @Test
  void aWorkerDyingInAMapFailsTheMapButNotThePool() throws Exception {
    try (Pool pool = new Pool(2)) {
      Throwable e = catchThrowable(() -> pool.map((Integer x) -> exitAt(x, 4), PoolTest.range(10), 1));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WorkerDiedException.class);
      assertThat(((WorkerDiedException) e.getCause()).exitCode()).isEqualTo(5);
      assertThat(pool.map(x -> x + 1, PoolTest.range(10), 1)).isEqualTo(
          PoolTest.range(10).stream().map(x -> x + 1).collect(Collectors.toList()));
      assertThat(pool.workerPids()).hasSize(2);
    }
  }

  @Test
  void aWorkerDyingInAnImapFailsOnlyThatItem() throws Exception {
    try (Pool pool = new Pool(1)) {
      ResultIterator<Integer> it = pool.imap((Integer x) -> exitAt(x, 2), PoolTest.range(6));
      List<Object> got = new ArrayList<>();
      while (it.hasNext()) {
        try {
          got.add(it.next(Waits.JOIN));
        } catch (ExecutionException e) {
          got.add(e.getCause().getClass().getSimpleName());
        }
      }
      assertThat(got).containsExactly(0, 1, "WorkerDiedException", 3, 4, 5);
    }
  }

  static void failingInitializer(Args args) throws Exception {
    Gates.pass(args.getString(0), "init");
    throw new IllegalStateException("init boom");
  }

  @Test
  void aFailingInitializerBreaksThePoolInsteadOfRespawning() throws Exception {
    CapturedLines err = new CapturedLines(); // the worker prints its failure: asserted, not left in the build's output
    Pool pool = Pool.builder().processes(1).initializer(PoolFailuresTest::failingInitializer, dir.toString())
        .workerOptions(w -> w.stderr(err.output())).build();
    try {
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      AsyncResult<Integer> pending = pool.applyAsync(() -> 1, null, errors::add);
      AsyncResult<List<Integer>> pendingMap = pool.mapAsync(x -> x, List.of(1, 2), 1, null, null);
      long pid = Gates.awaitRunning(dir, "init");
      Gates.open(dir, "init");

      Throwable e = catchThrowable(() -> pending.get(Waits.JOIN));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokenProcessPoolException.class);
      BrokenProcessPoolException broken = (BrokenProcessPoolException) e.getCause();
      assertThat(broken.getMessage()).contains("initializer").contains("pid " + pid);
      assertThat(broken.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("init boom");
      assertThat(errors).containsExactly(broken);
      assertThat(err.await("java.lang.IllegalStateException: init boom", Waits.JOIN)).isNotNull();
      assertThatThrownBy(() -> pendingMap.get(Waits.JOIN)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(BrokenProcessPoolException.class);

      assertThat(pool.toString()).isEqualTo("Pool[state=BROKEN, pool_size=1]");
      assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(BrokenProcessPoolException.class)
          .hasMessageContaining("initializer").hasCauseInstanceOf(BrokenProcessPoolException.class)
          .hasRootCauseInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> pool.map(x -> x, List.of(1))).isInstanceOf(BrokenProcessPoolException.class);
      // Not respawned: no worker is left or started again.
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).isTrue();
      assertThat(pool.workerPids()).isEmpty();
      assertThat(Pids.await(() -> NoLeakedProcesses.liveDescendants().isEmpty(), Waits.JOIN))
          .as("descendants: %s", NoLeakedProcesses.liveDescendants()).isTrue();
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
  }

  @Test
  void aWorkerJvmThatCannotStartBreaksThePoolInsteadOfRespawning() throws Exception {
    // Process.start does not wait for the JVM, so the pool is built and breaks when the worker
    // exits before it was ready (BrokenProcessPoolException's javadoc).
    CapturedLines err = new CapturedLines(); // the JVM's complaint: asserted, not left in the build's output
    Pool pool = Pool.builder().processes(2).workerOptions(w -> w.jvmOptions("-XX:+NoSuchFlag").stderr(err.output()))
        .build();
    // A collection must not make the pool lose track of workers that never connected to their
    // pipe: the parent's end learns of their death through the child's end, which the pool drops.
    System.gc();
    System.gc();
    try {
      Throwable e = catchThrowable(() -> pool.applyAsync(() -> 1).get(Waits.JOIN));
      if (e instanceof ExecutionException) {
        e = e.getCause();
      }
      assertThat(e).isInstanceOf(BrokenProcessPoolException.class)
          .hasMessageContaining("before it was ready").hasMessageContaining("exited with code 1");
      assertThat(err.await("Unrecognized VM option 'NoSuchFlag'", Waits.JOIN)).isNotNull();
      Waits.until(() -> pool.toString().contains("BROKEN"), "the pool is broken");
      assertThatThrownBy(() -> pool.apply(() -> 1)).isInstanceOf(BrokenProcessPoolException.class);
      // The other worker is terminated when the first one breaks the pool; none is started again.
      assertThat(Pids.await(() -> pool.workerPids().isEmpty(), Waits.JOIN)).as("workers left: %s", pool.workerPids())
          .isTrue();
      Waits.until(() -> NoLeakedProcesses.liveDescendants().isEmpty(), "no child of this JVM runs");
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
  }

  @Test
  void aPoolNotClosedDoesNotKeepItsParentAliveAndItsWorkersEndWithIt() throws Exception {
    List<Long> workers = List.of();
    try (JavaMain parent = JavaMain.start(PoolParentFixture.class, dir.toString(), "return")) {
      parent.awaitStdout("ready", Waits.JOIN);
      workers = workerPids(parent.stdout());
      long busy = Gates.awaitRunning(dir, "busy");
      assertThat(workers).contains(busy);
      assertThat(parent.waitFor(Waits.JOIN)).as("exit status; stderr:\n%s", parent.stderr()).isZero();
      for (long pid : workers) {
        assertThat(Pids.awaitGone(pid, Duration.ofSeconds(10)))
            .as("worker %s gone within 10 s of its parent's exit", pid).isTrue();
      }
    } finally {
      for (long pid : workers) {
        Pids.killQuietly(pid);
      }
    }
  }

  private static List<Long> workerPids(String stdout) {
    return Arrays.stream(stdout.split("worker-pids=")[1].split("\\R")[0].split(","))
        .map(Long::parseLong).collect(Collectors.toList());
  }

  @Test
  void noWorkerSurvivesASigkilledParentBusyOrIdle() throws Exception {
    List<Long> workers = List.of();
    try (JavaMain parent = JavaMain.start(PoolParentFixture.class, dir.toString())) {
      parent.awaitStdout("ready", Waits.JOIN);
      workers = workerPids(parent.stdout());
      assertThat(workers).hasSize(2).allMatch(Pids::alive);
      long busy = Gates.awaitRunning(dir, "busy");
      assertThat(workers).contains(busy);

      Multiprocessing.kill(parent.pid(), Multiprocessing.SIGKILL);
      parent.waitFor(Waits.JOIN);
      for (long pid : workers) {
        assertThat(Pids.awaitGone(pid, Duration.ofSeconds(10)))
            .as("worker %s gone within 10 s of its parent's SIGKILL", pid).isTrue();
      }
    } finally {
      for (long pid : workers) {
        Pids.killQuietly(pid);
      }
    }
  }
}
