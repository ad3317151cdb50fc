package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A child JVM ended, as its parent's waiter thread saw it. */
@Name(FlightEvents.NAMESPACE + ".ProcessExit")
@Label("Process Exit")
@Category(FlightEvents.NAMESPACE)
@Description("A child process ended: its exit code, the signal that killed it if one did, and how long it lived")
@StackTrace(false)
final class ProcessExitEvent extends Event {

  @Label("Name")
  @Description("The process's name")
  String name;

  @Label("PID")
  @Description("The child's operating-system process id")
  long pid;

  @Label("Exit Code")
  @Description("As Process.exitCode(): 0, 1 after an uncaught exception, n after System.exit(n), -N when killed "
      + "by signal N")
  int exitCode;

  @Label("Signal")
  @Description("The signal that killed the process (SIGTERM, SIGKILL, ...), or null")
  String signal;

  @Label("Lifetime")
  @Description("From the launch of the child to its exit")
  @Timespan(Timespan.NANOSECONDS)
  long lifetime;

  static void emit(String name, long pid, int exitCode, String signal, long lifetimeNanos) {
    ProcessExitEvent e = new ProcessExitEvent();
    if (e.shouldCommit()) {
      e.name = name;
      e.pid = pid;
      e.exitCode = exitCode;
      e.signal = signal;
      e.lifetime = lifetimeNanos;
      e.commit();
    }
  }
}
