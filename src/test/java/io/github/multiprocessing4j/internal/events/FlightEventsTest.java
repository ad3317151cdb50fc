package io.github.multiprocessing4j.internal.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.WorkerDiedException;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight recorder events, recorded in this JVM by a {@link Recording}, dumped and read back
 * with {@link RecordingFile}: their names and fields for a child that exits 3, a child killed by
 * SIGKILL, pool tasks that succeed, fail and die with their worker, and that worker's replacement.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class FlightEventsTest {

  private static final String PREFIX = "multiprocessing4j.";

  @TempDir
  Path dir;

  static int failOnTwo(int x) {
    if (x == 2) {
      throw new IllegalArgumentException("two");
    }
    return x;
  }

  private static List<RecordedEvent> record(Path file, ThrowingRunnable work) throws Exception {
    try (Recording r = new Recording()) {
      for (String e : List.of("ProcessStart", "ProcessExit", "PoolTask", "WorkerReplaced")) {
        r.enable(PREFIX + e).withoutThreshold();
      }
      r.start();
      Waits.until(FlightEvents::recording, "the library saw the recording start");
      work.run();
      r.stop();
      r.dump(file);
    }
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().startsWith(PREFIX))
        .collect(Collectors.toList());
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(PREFIX + name)).collect(Collectors.toList());
  }

  @Test
  void aProcessStartAndItsExitCodeOrSignalAreRecorded() throws Exception {
    Process exits3 = new Process(args -> System.exit(3));
    Process killed = new Process(Sleeper.class);

    List<RecordedEvent> events = record(dir.resolve("p.jfr"), () -> {
      exits3.start();
      killed.start();
      exits3.join(Waits.JOIN);
      killed.kill();
      killed.join(Waits.JOIN);
    });

    assertThat(exits3.exitCode()).isEqualTo(3);
    assertThat(killed.exitCode()).isEqualTo(-9);
    RecordedEvent start = named(events, "ProcessStart").stream()
        .filter(e -> e.getLong("pid") == exits3.pid()).findFirst().orElseThrow();
    assertThat(start.getString("name")).isEqualTo(exits3.name());
    assertThat(start.getString("startMethod")).isEqualTo(Multiprocessing.getStartMethod());
    assertThat(start.getDuration()).as("the launch latency").isPositive();
    assertThat(start.getEventType().getCategoryNames()).containsExactly("multiprocessing4j");
    assertThat(start.getEventType().getLabel()).isEqualTo("Process Start");

    RecordedEvent exit3 = named(events, "ProcessExit").stream()
        .filter(e -> e.getLong("pid") == exits3.pid()).findFirst().orElseThrow();
    assertThat(exit3.getInt("exitCode")).isEqualTo(3);
    assertThat(exit3.getString("signal")).isNull();
    assertThat(exit3.getDuration("lifetime")).isPositive();
    RecordedEvent exitKilled = named(events, "ProcessExit").stream()
        .filter(e -> e.getLong("pid") == killed.pid()).findFirst().orElseThrow();
    assertThat(exitKilled.getInt("exitCode")).isEqualTo(-9);
    assertThat(exitKilled.getString("signal")).isEqualTo("SIGKILL");
    exits3.close();
    killed.close();
  }

  @Test
  void poolTasksTheirOutcomesAndAWorkerReplacementAreRecorded() throws Exception {
    String gate = dir.toString();
    long[] victim = new long[1];
    long[] replacement = new long[1];
    List<RecordedEvent> events = record(dir.resolve("pool.jfr"), () -> {
      try (Pool pool = new Pool(1)) {
        assertThatThrownBy(() -> pool.map(FlightEventsTest::failOnTwo, List.of(1, 2, 3), 1))
            .isInstanceOf(ExecutionException.class);
        victim[0] = pool.workerPids().get(0);
        AsyncResult<Long> dies = pool.applyAsync(() -> {
          java.nio.file.Files.createFile(Path.of(gate, "running"));
          Thread.sleep(Waits.UNTIL_KILLED.toMillis());
          return 0L;
        });
        Waits.until(() -> java.nio.file.Files.exists(Path.of(gate, "running")), "the task runs");
        Multiprocessing.kill(victim[0], Multiprocessing.SIGKILL);
        assertThatThrownBy(() -> dies.get(Waits.JOIN)).hasCauseInstanceOf(WorkerDiedException.class);
        assertThat(pool.apply(() -> 7)).isEqualTo(7);
        replacement[0] = pool.workerPids().get(0);
      }
    });

    List<RecordedEvent> tasks = named(events, "PoolTask");
    assertThat(tasks).extracting(e -> e.getString("outcome"))
        .containsExactlyInAnyOrder("ok", "error", "ok", "worker died", "ok");
    RecordedEvent error = tasks.stream().filter(e -> e.getString("outcome").equals("error")).findFirst().orElseThrow();
    assertThat(error.getString("function")).startsWith(FlightEventsTest.class.getName());
    assertThat(error.getLong("workerPid")).isEqualTo(victim[0]);
    assertThat(error.getString("worker")).matches("(Spawn|ForkServer)PoolWorker-\\d+");
    assertThat(error.getDuration("runTime")).isPositive();
    assertThat(error.getDuration("queuedTime").isNegative()).isFalse();
    assertThat(error.getString("pool")).startsWith("pool-");
    RecordedEvent died = tasks.stream().filter(e -> e.getString("outcome").equals("worker died")).findFirst()
        .orElseThrow();
    assertThat(died.getLong("workerPid")).isEqualTo(victim[0]);

    List<RecordedEvent> replaced = named(events, "WorkerReplaced");
    assertThat(replaced).hasSize(1);
    assertThat(replaced.get(0).getLong("oldPid")).isEqualTo(victim[0]);
    assertThat(replaced.get(0).getLong("newPid")).isEqualTo(replacement[0]).isNotEqualTo(victim[0]);
    assertThat(replaced.get(0).getString("cause")).isEqualTo("killed by SIGKILL");
    assertThat(named(events, "ProcessStart")).as("the first worker and its replacement").hasSize(2);
  }

  @Test
  void withoutARecordingTheFlagIsDown() throws Exception {
    try (Recording r = new Recording()) {
      r.start();
      Waits.until(FlightEvents::recording, "the library saw the recording start");
      r.stop();
    }
    Waits.until(() -> !FlightEvents.recording(), "the library saw the recording stop");
  }

  /** A parent without jdk.jfr: starts a process and runs a pool map, then prints what it saw. */
  public static final class WithoutFlightRecorder {
    private WithoutFlightRecorder() {}

    /**
     * Runs the work.
     *
     * @param args none
     * @throws Exception if the work fails
     */
    public static void main(String[] args) throws Exception {
      boolean jfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
      Process p = new Process(a -> System.exit(3));
      p.start();
      p.join();
      try (Pool pool = new Pool(1)) {
        System.out.println("jfr=" + jfr + " exit=" + p.exitCode() + " map=" + pool.map(x -> x * 2, List.of(1, 2))
            + " recording=" + FlightEvents.recording());
      }
    }
  }

  @Test
  void aRuntimeWithoutTheJfrModuleStillStartsProcessesAndPools() throws Exception {
    try (JavaMain main = JavaMain.start(List.of("--limit-modules", "java.base,java.management"),
        WithoutFlightRecorder.class)) {
      assertThat(main.waitFor(Waits.LONG)).as("exit status; stderr: %s", main.stderr()).isZero();
      assertThat(main.stdout()).contains("jfr=false exit=3 map=[2, 4] recording=false");
    }
  }
}
