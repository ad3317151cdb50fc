package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.launch.ExitCodes;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a pool counts about its tasks and workers, for {@link PoolStatistics}, and the flight
 * recorder events it emits ({@link FlightEvents}): one per pool, told by {@link WorkerPool} when a
 * worker answers a task, when a task dies with its worker and when a worker is replaced. The
 * counters are always kept (a few adds per task); the events are built only while a recording runs.
 * Called without the pool's lock.
 */
final class PoolTelemetry {

  static final String OK = "ok";
  static final String ERROR = "error";
  static final String WORKER_DIED = "worker died";

  /** The pool's name in events, {@code pool-N}. */
  final String pool;
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder workerDeaths = new LongAdder();
  private final LongAdder taskNanos = new LongAdder();

  PoolTelemetry(String pool) {
    this.pool = pool;
  }

  /** A worker answered {@code t}: OK or ERROR. */
  void answered(PoolTask t, WorkerSlot s, boolean ok) {
    ended(t, s, ok ? OK : ERROR);
  }

  /** {@code t} was running when its worker died. */
  void died(PoolTask t, WorkerSlot s) {
    ended(t, s, WORKER_DIED);
  }

  private void ended(PoolTask t, WorkerSlot s, String outcome) {
    long now = System.nanoTime();
    (OK.equals(outcome) ? completed : failed).increment();
    taskNanos.add(now - t.submittedAt);
    if (FlightEvents.recording()) {
      Object fn = t.fn.fn;
      FlightEvents.poolTask(pool, fn == null ? "(sent by another JVM)" : fn.getClass().getName(),
          s.process != null ? s.process.name() : s.where, s.process != null ? s.process.pid() : 0,
          t.sentAt - t.submittedAt, now - t.sentAt, outcome);
    }
  }

  /**
   * A worker ended on its own, not stopped by the pool.
   *
   * @param s the worker
   * @param exitCode its exit code, null if unknown
   * @param replacement the worker started in its place, or null
   */
  void workerEnded(WorkerSlot s, Integer exitCode, WorkerSlot replacement) {
    boolean retired = s.retired(exitCode);
    if (!retired) {
      workerDeaths.increment();
    }
    if (replacement != null && FlightEvents.recording()) {
      String cause = retired ? "maxTasksPerChild reached"
          : exitCode == null ? "unknown"
          : exitCode < 0 ? "killed by " + ExitCodes.signalName(-exitCode)
          : "exit code " + exitCode;
      FlightEvents.workerReplaced(pool, s.process.pid(), replacement.process.pid(), cause);
    }
  }

  /** The counters, with the gauges the pool read under its lock. */
  PoolStatistics snapshot(int workers, int busy, int queued) {
    return new PoolStatistics(workers, busy, queued, completed.sum(), failed.sum(), workerDeaths.sum(),
        taskNanos.sum());
  }
}
