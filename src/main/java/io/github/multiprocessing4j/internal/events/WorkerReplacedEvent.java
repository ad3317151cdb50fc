package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A pool started a worker in place of one that ended. */
@Name(FlightEvents.NAMESPACE + ".WorkerReplaced")
@Label("Worker Replaced")
@Category(FlightEvents.NAMESPACE)
@Description("A pool replaced a worker process that ended: it died (killed, crashed, System.exit) or ran its "
    + "maxTasksPerChild tasks")
@StackTrace(false)
final class WorkerReplacedEvent extends Event {

  @Label("Pool")
  @Description("The pool's name, pool-N in the order pools were made")
  String pool;

  @Label("Old PID")
  @Description("The worker that ended")
  long oldPid;

  @Label("New PID")
  @Description("The worker started in its place")
  long newPid;

  @Label("Cause")
  @Description("Why the old worker ended: killed by SIGKILL, exit code 3, maxTasksPerChild reached, ...")
  String cause;

  static void emit(String pool, long oldPid, long newPid, String cause) {
    WorkerReplacedEvent e = new WorkerReplacedEvent();
    if (e.shouldCommit()) {
      e.pool = pool;
      e.oldPid = oldPid;
      e.newPid = newPid;
      e.cause = cause;
      e.commit();
    }
  }
}
