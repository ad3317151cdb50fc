package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.micrometer.PoolMetrics;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.PoolStatistics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** docs/observability.md's snippets. */
final class ObservabilitySnippets {

  private ObservabilitySnippets() {}

  static long recordInProcess(Path file) throws Exception {
    // snippet:jfr-recording
    try (Recording recording = new Recording(); Pool pool = new Pool(2)) {
      recording.enable("multiprocessing4j.PoolTask");   // the others: ProcessStart, ProcessExit, WorkerReplaced
      recording.start();
      pool.map(x -> x * x, List.of(1, 2, 3, 4), 1);
      recording.stop();
      recording.dump(file);
    }
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      System.out.println(e.getString("outcome") + " on pid " + e.getLong("workerPid")
          + ", ran " + e.getDuration("runTime").toNanos() / 1000 + " us");   // ok on pid 4242, ran 310 us
    }
    // end:jfr-recording
    return RecordingFile.readAllEvents(file).size();
  }

  static MeterRegistry micrometer() throws Exception {
    // snippet:micrometer
    MeterRegistry registry = new SimpleMeterRegistry();     // or your Prometheus, Datadog, ... registry
    Pool pool = new Pool(2);
    new PoolMetrics(pool, "thumbnails").bindTo(registry);   // tag pool=thumbnails on every meter
    pool.map(x -> x + 1, List.of(1, 2, 3), 1);
    System.out.println(registry.get("multiprocessing4j.pool.tasks.completed").functionCounter().count()); // 3.0
    // end:micrometer
    pool.terminate();
    pool.join();
    return registry;
  }

  static PoolStatistics statistics() throws Exception {
    try (Pool pool = new Pool(2)) {
      pool.map(x -> x, List.of(1, 2), 1);
      // snippet:statistics
      PoolStatistics s = pool.statistics();
      System.out.println(s.busyWorkers() + " busy, " + s.queuedTasks() + " queued, " + s.completedTasks()
          + " done, " + s.failedTasks() + " failed, " + s.workerDeaths() + " worker deaths");  // 0 busy, 0 queued, 2 done, ...
      // end:statistics
      return s;
    }
  }
}
