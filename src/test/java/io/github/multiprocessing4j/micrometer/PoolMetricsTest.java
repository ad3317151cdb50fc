package io.github.multiprocessing4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.pool.WorkerDiedException;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PoolMetrics} over a {@link SimpleMeterRegistry}: the counts after a map with a failing
 * task and a worker killed in a task, the gauges of an idle pool, and an executor's meters.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PoolMetricsTest {

  @TempDir
  Path dir;

  static int failOnTwo(int x) {
    if (x == 2) {
      throw new IllegalArgumentException("two");
    }
    return x;
  }

  private static double value(SimpleMeterRegistry registry, String name) {
    return registry.get("multiprocessing4j.pool." + name).tag("pool", "test").meter().measure().iterator().next()
        .getValue();
  }

  @Test
  void countsAFailedTaskAKilledWorkerAndTheCompletedOnes() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    String gate = dir.toString();
    try (Pool pool = new Pool(2)) {
      new PoolMetrics(pool, "test", Tag.of("team", "imaging")).bindTo(registry);

      assertThatThrownBy(() -> pool.map(PoolMetricsTest::failOnTwo, List.of(1, 2, 3, 4), 1))
          .isInstanceOf(ExecutionException.class);
      AsyncResult<Long> dies = pool.applyAsync(() -> {
        Files.writeString(Path.of(gate, "running.tmp"), Long.toString(Multiprocessing.getpid()));
        Files.move(Path.of(gate, "running.tmp"), Path.of(gate, "running"));
        Thread.sleep(Waits.UNTIL_KILLED.toMillis());
        return 0L;
      });
      Waits.until(() -> Files.exists(Path.of(gate, "running")), "the task runs");
      assertThat(value(registry, "workers.busy")).as("busy while the task runs").isEqualTo(1);
      long victim = Long.parseLong(Files.readString(Path.of(gate, "running")));
      Multiprocessing.kill(victim, Multiprocessing.SIGKILL);
      assertThatThrownBy(() -> dies.get(Waits.JOIN)).hasCauseInstanceOf(WorkerDiedException.class);
      Waits.until(() -> pool.statistics().workers() == 2, "the worker was replaced");

      assertThat(value(registry, "tasks.completed")).isEqualTo(3);
      assertThat(value(registry, "tasks.failed")).as("the task that threw and the one that died").isEqualTo(2);
      assertThat(value(registry, "workers.deaths")).isEqualTo(1);
      assertThat(value(registry, "workers.busy")).isZero();
      assertThat(value(registry, "workers.idle")).isEqualTo(2);
      assertThat(value(registry, "tasks.queued")).isZero();
      FunctionTimer latency = registry.get("multiprocessing4j.pool.tasks").tags("pool", "test", "team", "imaging")
          .functionTimer();
      assertThat(latency.count()).isEqualTo(5);
      assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }
  }

  @Test
  void aWorkerThatRetiresAfterMaxTasksIsNoDeath() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(1).build()) {
      new PoolMetrics(pool, "test").bindTo(registry);
      assertThat(pool.apply(() -> 1)).isEqualTo(1);
      assertThat(pool.apply(() -> 2)).isEqualTo(2);
      assertThat(value(registry, "tasks.completed")).isEqualTo(2);
      assertThat(value(registry, "workers.deaths")).isZero();
    }
  }

  @Test
  void anExecutorsMetersCountItsTasks() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ProcessPoolExecutor executor = new ProcessPoolExecutor(1)) {
      new PoolMetrics(executor, "test").bindTo(registry);
      assertThat(executor.submit(() -> 42).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
      assertThat(value(registry, "tasks.completed")).isEqualTo(1);
      assertThat(value(registry, "workers.idle") + value(registry, "workers.busy")).isEqualTo(1);
    }
  }

  /** A program that uses a pool and its statistics, run without Micrometer on its class path. */
  public static final class WithoutMicrometer {
    private WithoutMicrometer() {}

    /**
     * Runs a map and prints the pool's statistics.
     *
     * @param args none
     * @throws Exception if the map fails
     */
    public static void main(String[] args) throws Exception {
      boolean micrometer;
      try {
        Class.forName("io.micrometer.core.instrument.MeterRegistry");
        micrometer = true;
      } catch (ClassNotFoundException e) {
        micrometer = false;
      }
      try (Pool pool = new Pool(1)) {
        System.out.println("micrometer=" + micrometer + " map=" + pool.map(x -> x + 1, List.of(1, 2), 1)
            + " completed=" + pool.statistics().completedTasks());
      }
    }
  }

  @Test
  void theCoreRunsWithoutMicrometerOnTheClassPath() throws Exception {
    String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(e -> !e.contains("micrometer"))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    try (JavaMain main = JavaMain.start(classPath, List.of(), WithoutMicrometer.class.getName())) {
      assertThat(main.waitFor(Waits.LONG)).as("exit status; stderr: %s", main.stderr()).isZero();
      assertThat(main.stdout()).contains("micrometer=false map=[2, 3] completed=2");
    }
  }
}
