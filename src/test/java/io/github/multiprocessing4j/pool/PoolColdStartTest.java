package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new pool's cold start: its workers boot at the same time, and its first tasks go to the
 * first worker up rather than to the first one started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PoolColdStartTest {

  /** The system property that numbers the workers in the order the pool starts them. */
  private static final String ORDER = "pooltest.startOrder";

  @TempDir
  Path dir;

  /** Initializer: the worker started first waits at a gate, the others go on. */
  static void holdTheFirstStarted(Args args) throws IOException {
    if ("0".equals(System.getProperty(ORDER))) {
      Gates.pass(args.getString(0), "init0");
    }
  }

  /** Initializer: every worker waits until all of them are in their initializers at once. */
  static void meetTheOthers(Args args) throws Exception {
    args.get(0, Barrier.class).await(Waits.LONG);
  }

  @Test
  void theFirstTaskGoesToTheFirstWorkerUpNotToTheFirstStarted() throws Exception {
    AtomicInteger started = new AtomicInteger(-1); // the options are applied once more, to check them
    List<Long> pids = new ArrayList<>();
    try (Pool pool = Pool.builder().processes(2)
        .workerOptions(w -> w.systemProperty(ORDER, Integer.toString(started.getAndIncrement())))
        .initializer(PoolColdStartTest::holdTheFirstStarted, dir.toString()).build()) {
      pids.addAll(pool.workerPids());
      long held = Gates.awaitRunning(dir, "init0");
      try {
        // The worker started first is not up (its initializer waits): the tasks go to the other.
        AsyncResult<Long> first = pool.applyAsync(Multiprocessing::getpid);
        AsyncResult<Long> second = pool.applyAsync(Multiprocessing::getpid);
        assertThat(first.get(Waits.JOIN)).isNotEqualTo(held).isIn(pids);
        assertThat(second.get(Waits.JOIN)).isNotEqualTo(held).isIn(pids);
      } finally {
        Gates.open(dir, "init0");
      }
      assertThat(pool.map(x -> Multiprocessing.getpid(), List.of(1, 2, 3, 4), 1)).isSubsetOf(pids);
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).isTrue();
    }
    for (long pid : pids) {
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("worker %s gone", pid).isTrue();
    }
  }

  @Test
  void twoTasksThatMustMeetGetTwoWorkersWhenOneIsUpLate() throws Exception {
    AtomicInteger started = new AtomicInteger(-1); // the options are applied once more, to check them
    Barrier meet = new Barrier(2);
    List<Long> pids = new ArrayList<>();
    try (Pool pool = Pool.builder().processes(2)
        .workerOptions(w -> w.systemProperty(ORDER, Integer.toString(started.getAndIncrement())))
        .initializer(PoolColdStartTest::holdTheFirstStarted, dir.toString()).build()) {
      pids.addAll(pool.workerPids());
      long held = Gates.awaitRunning(dir, "init0");
      // Each task waits for the other: the worker up must not queue the second behind the first.
      AsyncResult<Long> first = pool.applyAsync(() -> meetAndTellPid(meet));
      AsyncResult<Long> second = pool.applyAsync(() -> meetAndTellPid(meet));
      Gates.open(dir, "init0");
      assertThat(List.of(first.get(Waits.LONG), second.get(Waits.LONG))).containsExactlyInAnyOrderElementsOf(pids)
          .contains(held);
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).isTrue();
    }
    for (long pid : pids) {
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("worker %s gone", pid).isTrue();
    }
  }

  static long meetAndTellPid(Barrier meet) throws Exception {
    meet.await(Waits.LONG);
    return Multiprocessing.getpid();
  }

  @Test
  void theWorkersBootAtTheSameTimeNotOneAfterTheOther() throws Exception {
    // Each initializer waits until both workers are in theirs: a pool that started its second
    // worker only once the first was up would break at the barrier instead.
    Barrier both = new Barrier(2);
    List<Long> pids = new ArrayList<>();
    try (Pool pool = Pool.builder().processes(2).initializer(PoolColdStartTest::meetTheOthers, both).build()) {
      pids.addAll(pool.workerPids());
      assertThat(pool.apply(() -> 1)).isEqualTo(1);
      assertThat(both.isBroken()).isFalse();
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).isTrue();
    }
    for (long pid : pids) {
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("worker %s gone", pid).isTrue();
    }
  }
}
