package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link Pool}'s life (semantics §B.7): size, initializer, maxTasksPerChild, worker options,
 * shutdown, terminate, join and close. Each test has a pool of its own, of one worker where that
 * is enough.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PoolLifecycleTest {

  @TempDir
  Path dir;

  /** Worker-side state set by the initializer. */
  static final class WorkerState {
    static final AtomicInteger INITIALIZED = new AtomicInteger();
    static volatile String greeting;

    private WorkerState() {}
  }

  static void initWorker(Args args) {
    WorkerState.INITIALIZED.incrementAndGet();
    WorkerState.greeting = args.getString(0) + "-" + args.getInt(1);
  }

  static String workerState() {
    return Multiprocessing.getpid() + ":" + WorkerState.INITIALIZED.get() + ":" + WorkerState.greeting;
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  static void assertNotRunning(Pool pool) {
    assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.apply(() -> 1)).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.map(x -> x, List.of(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.mapAsync(x -> x, List.of(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.starmap((Args a) -> 1, List.of(List.of(1))))
        .isInstanceOf(IllegalStateException.class).hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.imap(x -> x, List.of(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    assertThatThrownBy(() -> pool.imapUnordered(x -> x, List.of(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
  }

  @Test
  void aSizeOrTaskLimitBelowOneIsRefused() {
    assertThatThrownBy(() -> new Pool(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Number of processes must be at least 1");
    assertThatThrownBy(() -> Pool.builder().processes(-3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Number of processes must be at least 1");
    assertThatThrownBy(() -> Pool.builder().maxTasksPerChild(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("maxtasksperchild must be a positive int or None");
  }

  @Test
  void theDefaultSizeIsTheCpuCount() throws Exception {
    try (Pool pool = new Pool()) {
      assertThat(pool.processes()).isEqualTo(Multiprocessing.cpuCount());
      assertThat(pool.workerPids()).hasSize(Multiprocessing.cpuCount());
      assertThat(pool.map(x -> Multiprocessing.getpid(), range(8), 1)).isSubsetOf(pool.workerPids());
    }
  }

  @Test
  void shutdownRefusesNewWorkButFinishesTheQueuedWorkAndTheWorkersExit() throws Exception {
    String d = dir.toString();
    Pool pool = new Pool(1);
    try {
      long pid = pool.workerPids().get(0);
      AsyncResult<Long> running = pool.applyAsync(() -> Gates.pass(d, "slow"));
      AsyncResult<List<Integer>> queued = pool.mapAsync((Integer x) -> x + 1, range(5), 1, null, null);
      ResultIterator<Integer> stream = pool.imap((Integer x) -> x * 10, range(3));
      Gates.awaitRunning(dir, "slow");
      pool.shutdown();
      pool.shutdown(); // idempotent
      assertThat(pool).hasToString("Pool[state=CLOSE, pool_size=1]");
      assertNotRunning(pool);
      assertThat(pool.join(Duration.ofMillis(200))).as("joined while work is queued").isFalse();
      Gates.open(dir, "slow");
      assertThat(running.get(Waits.JOIN)).isEqualTo(pid);
      assertThat(queued.get(Waits.JOIN)).containsExactly(1, 2, 3, 4, 5);
      assertThat(PoolTest.drain(stream)).containsExactly(0, 10, 20);
      pool.join();
      pool.join(); // may be repeated
      assertThat(pool.workerPids()).isEmpty();
      assertThat(Pids.alive(pid)).as("worker %s alive after join", pid).isFalse();
    } finally {
      Gates.open(dir, "slow");
      pool.terminate();
    }
  }

  @Test
  void terminateCancelsRunningAndQueuedWorkAtOnce() throws Exception {
    String d = dir.toString();
    Pool pool = new Pool(1);
    long pid = pool.workerPids().get(0);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AsyncResult<Long> running = pool.applyAsync(() -> Gates.pass(d, "slow"), null, errors::add);
    AsyncResult<Integer> queued = pool.applyAsync(() -> 1, null, errors::add);
    AsyncResult<List<Integer>> mapped = pool.mapAsync((Integer x) -> x, range(10), 1, null, errors::add);
    ResultIterator<Integer> stream = pool.imap((Integer x) -> x, range(10));
    Gates.awaitRunning(dir, "slow");
    long t0 = System.nanoTime();
    pool.terminate();
    pool.terminate(); // idempotent
    assertThat(pool).hasToString("Pool[state=TERMINATE, pool_size=1]");
    assertThatThrownBy(() -> running.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> queued.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> mapped.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> stream.next(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThat(running.ready()).isTrue();
    assertThat(running.successful()).isFalse();
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms to terminate and join")
        .isLessThan(10_000);
    assertThat(Pids.alive(pid)).as("worker %s alive after terminate and join", pid).isFalse();
    assertThat(errors).as("error callbacks after terminate").isEmpty();
    assertNotRunning(pool);
    pool.close(); // after terminate: returns at once
  }

  @Test
  void closeWaitsForTheSubmittedWorkAndTheWorkers() throws Exception {
    AsyncResult<List<Integer>> r;
    List<Long> pids;
    Pool pool = new Pool(1);
    try (pool) {
      pids = pool.workerPids();
      r = pool.mapAsync((Integer x) -> x * 2, range(20), 1, null, null);
    }
    assertThat(r.isDone()).isTrue();
    assertThat(r.get()).isEqualTo(range(20).stream().map(x -> x * 2).collect(Collectors.toList()));
    assertThat(pool.workerPids()).isEmpty();
    assertThat(pids).noneMatch(Pids::alive);
    assertNotRunning(pool);
    pool.close(); // idempotent
    pool.join();
  }

  @Test
  void closeInterruptedWhileWaitingTerminatesThePoolAndKeepsTheInterrupt() throws Exception {
    String d = dir.toString();
    Pool pool = new Pool(1);
    AsyncResult<Long> running = pool.applyAsync(() -> Gates.pass(d, "slow"));
    long pid = Gates.awaitRunning(dir, "slow");
    java.util.concurrent.atomic.AtomicBoolean interruptKept = new java.util.concurrent.atomic.AtomicBoolean();
    Thread closer = new Thread(() -> {
      pool.close();
      interruptKept.set(Thread.currentThread().isInterrupted());
    }, "closer");
    closer.start();
    // close() waits for the held task; it has shut the pool down once submissions are refused.
    Waits.until(() -> pool.toString().contains("CLOSE"), "pool.toString().contains(\"CLOSE\")");
    closer.interrupt();
    closer.join(Waits.JOIN.toMillis());
    assertThat(closer.isAlive()).as("close() still waiting after its interrupt").isFalse();
    assertThat(interruptKept).isTrue();
    assertThatThrownBy(() -> running.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(Pids.alive(pid)).isFalse();
  }

  @Test
  void aCancelSucceedsOnlyForWorkNoWorkerHasYet() throws Exception {
    String d = dir.toString();
    try (Pool pool = new Pool(1)) {
      AsyncResult<Long> running = pool.applyAsync(() -> Gates.pass(d, "slow"));
      AsyncResult<Integer> inPipe = pool.applyAsync(() -> 1); // a worker holds two tasks at most
      AsyncResult<Integer> pending = pool.applyAsync(() -> 2);
      try {
        Gates.awaitRunning(dir, "slow");
        assertThat(running.cancel(false)).isFalse();
        assertThat(pending.cancel(false)).isTrue();
        assertThat(pending.isCancelled()).isTrue();
        assertThatThrownBy(() -> pending.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
        // Where the task queued second is depends on how many a worker holds: it is either
        // cancelled, or runs.
        boolean secondCancelled = inPipe.cancel(false);
        Gates.open(dir, "slow");
        assertThat(running.get(Waits.JOIN)).isPositive();
        if (!secondCancelled) {
          assertThat(inPipe.get(Waits.JOIN)).isEqualTo(1);
        }
      } finally {
        Gates.open(dir, "slow");
      }
      assertThat(pool.apply(() -> 3)).isEqualTo(3);
    }
  }

  @Test
  void aWorkerIsReplacedByANewProcessAfterMaxTasksPerChild() throws Exception {
    try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(2).build()) {
      List<Long> pids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        pids.add(pool.apply(Multiprocessing::getpid));
      }
      assertThat(pids.get(0)).isEqualTo(pids.get(1));
      assertThat(pids.get(2)).isEqualTo(pids.get(3));
      assertThat(pids.get(4)).isEqualTo(pids.get(5));
      assertThat(new HashSet<>(pids)).hasSize(3);
      // A map chunk counts as one task.
      List<Long> mapPids = pool.map(x -> Multiprocessing.getpid(), range(6), 3);
      assertThat(new HashSet<>(mapPids.subList(0, 3))).hasSize(1);
      assertThat(new HashSet<>(mapPids.subList(3, 6))).hasSize(1);
      assertThat(mapPids.get(0)).isNotIn(pids);
      assertThat(pool.workerPids()).hasSize(1);
    }
  }

  @Test
  void theInitializerRunsOnceInEveryWorkerWithItsArgumentsReplacementsIncluded() throws Exception {
    try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(2)
        .initializer(PoolLifecycleTest::initWorker, "hello", 42).build()) {
      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        String[] s = pool.apply(PoolLifecycleTest::workerState).split(":");
        pids.add(Long.parseLong(s[0]));
        assertThat(s[1]).as("initializer runs in worker %s", s[0]).isEqualTo("1");
        assertThat(s[2]).isEqualTo("hello-42");
      }
      assertThat(pids).hasSize(2);
      // ... and not in the parent.
      assertThat(WorkerState.INITIALIZED).hasValue(0);
    }
  }

  @Test
  void anInitializerOrArgumentThatCannotBeSerializedIsRefusedByTheBuilder() {
    Object notSerializable = new Object();
    assertThatThrownBy(() -> Pool.builder().initializer(a -> notSerializable.hashCode()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initializer");
    assertThatThrownBy(() -> Pool.builder().initializer(PoolLifecycleTest::initWorker, "x", notSerializable))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 1 of the pool's initializer");
  }

  static String workerOptions() {
    return Runtime.getRuntime().maxMemory() / (1024 * 1024) + "|" + System.getProperty("pooltest.prop") + "|"
        + System.getenv("POOLTEST_ENV") + "|" + Multiprocessing.getpid();
  }

  @Test
  void workerOptionsApplyToEveryWorkerReplacementsIncluded() throws Exception {
    try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(1)
        .workerOptions(w -> w.jvmOptions("-Xmx64m").systemProperty("pooltest.prop", "from-options")
            .environment("POOLTEST_ENV", "env-value"))
        .build()) {
      Set<String> pids = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        String[] s = pool.apply(PoolLifecycleTest::workerOptions).split("\\|");
        assertThat(Long.parseLong(s[0])).as("max heap MiB").isLessThanOrEqualTo(64);
        assertThat(s[1]).isEqualTo("from-options");
        assertThat(s[2]).isEqualTo("env-value");
        pids.add(s[3]);
      }
      assertThat(pids).as("distinct workers").hasSize(2);
    }
  }

  @Test
  void invalidWorkerOptionsAreRefusedWhenThePoolIsBuilt() {
    assertThatThrownBy(() -> Pool.builder().workerOptions(w -> w.systemProperty("", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
