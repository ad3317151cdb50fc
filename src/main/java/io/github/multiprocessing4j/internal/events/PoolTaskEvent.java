package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** One pool task (a call, or a chunk of a map) ended. */
@Name(FlightEvents.NAMESPACE + ".PoolTask")
@Label("Pool Task")
@Category(FlightEvents.NAMESPACE)
@Description("A task of a Pool or ProcessPoolExecutor (one call, or one chunk of a map) ended: where it ran, "
    + "how long it waited and ran, and how it ended")
@StackTrace(false)
final class PoolTaskEvent extends Event {

  @Label("Pool")
  @Description("The pool's name, pool-N in the order pools were made")
  String pool;

  @Label("Function")
  @Description("The class of the task's function (a lambda's is its capturing class followed by $$Lambda)")
  String function;

  @Label("Worker")
  @Description("The worker process's name, e.g. SpawnPoolWorker-3")
  String worker;

  @Label("Worker PID")
  @Description("The worker's operating-system process id; 0 for a worker elsewhere (a cluster)")
  long workerPid;

  @Label("Queued Time")
  @Description("From submission until the task was sent to its worker")
  @Timespan(Timespan.NANOSECONDS)
  long queuedTime;

  @Label("Run Time")
  @Description("From the send to the worker until its answer arrived (or the worker died): the run, plus the "
      + "transfer of the task and its result")
  @Timespan(Timespan.NANOSECONDS)
  long runTime;

  @Label("Outcome")
  @Description("ok, error (the task threw) or worker died")
  String outcome;

  static void emit(String pool, String function, String worker, long workerPid, long queuedNanos, long runNanos,
      String outcome) {
    PoolTaskEvent e = new PoolTaskEvent();
    if (e.shouldCommit()) {
      e.pool = pool;
      e.function = function;
      e.worker = worker;
      e.workerPid = workerPid;
      e.queuedTime = queuedNanos;
      e.runTime = runNanos;
      e.outcome = outcome;
      e.commit();
    }
  }
}
