package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A child JVM was started; the event's duration is the launch latency, as the caller of start() saw it. */
@Name(FlightEvents.NAMESPACE + ".ProcessStart")
@Label("Process Start")
@Category(FlightEvents.NAMESPACE)
@Description("A child process was started: the duration is the time Process.start() took (serializing the "
    + "target, launching the JVM or taking a warm spare, writing the bootstrap)")
@StackTrace(true)
final class ProcessStartEvent extends Event {

  @Label("Name")
  @Description("The process's name, e.g. SpawnPoolWorker-3")
  String name;

  @Label("PID")
  @Description("The child's operating-system process id")
  long pid;

  @Label("Start Method")
  @Description("spawn (a new JVM) or forkserver (a warm spare JVM when one is ready)")
  String startMethod;

  @Label("Spare Used")
  @Description("Whether a warm spare JVM was taken instead of launching one")
  boolean spareUsed;

  static Object started() {
    ProcessStartEvent e = new ProcessStartEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  static void finish(Object event, String name, long pid, String startMethod, boolean spareUsed) {
    ProcessStartEvent e = (ProcessStartEvent) event;
    e.end();
    if (e.shouldCommit()) {
      e.name = name;
      e.pid = pid;
      e.startMethod = startMethod;
      e.spareUsed = spareUsed;
      e.commit();
    }
  }
}
