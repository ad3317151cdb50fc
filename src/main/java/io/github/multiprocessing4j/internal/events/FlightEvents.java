package io.github.multiprocessing4j.internal.events;

/**
 * The one entry point to the library's JDK Flight Recorder events: the callers ask
 * {@link #recording()} (a static volatile read, nothing else) and, only if it is true, call the
 * method that builds and commits the event. So when no recording runs, an event costs one read and
 * no allocation, and its class is not even loaded.
 *
 * <p><b>Without {@code jdk.jfr}.</b> The module is optional ({@code requires static jdk.jfr}): a
 * jlink image may leave it out, and on the module path it is resolved only when something asks for
 * it ({@code --add-modules jdk.jfr}, or {@code -XX:StartFlightRecording}, which adds it). This class
 * names no {@code jdk.jfr} type: its static initializer looks the recorder up through
 * {@link RecordingWatch}, catching the {@link LinkageError} a missing module gives, and then
 * {@link #recording()} stays false for good. The event classes, which extend
 * {@code jdk.jfr.Event}, are reached only through static calls behind that flag; HotSpot resolves a
 * class at its first use, and the verifier needs no event type to check these methods (they pass
 * only strings and numbers), so without the module no event class is ever loaded.
 *
 * <p><b>When recordings start and stop.</b> {@link RecordingWatch} listens to the recorder and keeps
 * {@link #recording()} true while any recording is running, in any state of the settings; whether
 * the event itself is enabled (and above its threshold) is then the event's own
 * {@code shouldCommit()}.
 */
public final class FlightEvents {

  /** The events' category, and the first part of their names ({@code multiprocessing4j.PoolTask}). */
  static final String NAMESPACE = "multiprocessing4j";

  /** Whether some recording runs; set by {@link RecordingWatch}. */
  private static volatile boolean recording;

  static {
    try {
      RecordingWatch.install();
    } catch (LinkageError | SecurityException e) {
      // No jdk.jfr in this runtime (or not readable): no events, nothing else changes.
    }
  }

  private FlightEvents() {}

  /**
   * Tells whether a flight recording is running, so that events may be wanted. Callers test this
   * before computing anything for an event.
   *
   * @return false when no recording runs, or the runtime has no flight recorder
   */
  public static boolean recording() {
    return recording;
  }

  static void recording(boolean running) {
    recording = running;
  }

  /**
   * Starts timing a process start; call only when {@link #recording()}.
   *
   * @return the event being timed, to give to {@link #processStarted}; null if not enabled
   */
  public static Object processStarting() {
    try {
      return ProcessStartEvent.started();
    } catch (RuntimeException e) {
      return null; // see emitted()
    }
  }

  /**
   * Commits a process start begun by {@link #processStarting()}.
   *
   * @param event what {@link #processStarting()} returned; null does nothing
   * @param name the process's name
   * @param pid its pid
   * @param startMethod its start method's CPython name, {@code spawn} or {@code forkserver}
   * @param spareUsed whether a warm spare JVM was used
   */
  public static void processStarted(Object event, String name, long pid, String startMethod, boolean spareUsed) {
    if (event != null) {
      emitted(() -> ProcessStartEvent.finish(event, name, pid, startMethod, spareUsed));
    }
  }

  /**
   * Records a child's exit; call only when {@link #recording()}.
   *
   * @param name the process's name
   * @param pid its pid
   * @param exitCode CPython's exit code: {@code -N} when killed by signal N
   * @param signal the signal's name when killed by one, else null
   * @param lifetimeNanos from its launch to its exit
   */
  public static void processExited(String name, long pid, int exitCode, String signal, long lifetimeNanos) {
    emitted(() -> ProcessExitEvent.emit(name, pid, exitCode, signal, lifetimeNanos));
  }

  /**
   * Records a pool task's end; call only when {@link #recording()}.
   *
   * @param pool the pool's name
   * @param function the function's class
   * @param workerName the worker's process name
   * @param workerPid the worker's pid, 0 for a remote worker
   * @param queuedNanos from submission to the send to the worker
   * @param runNanos from the send to the answer (or the worker's death)
   * @param outcome {@code ok}, {@code error} or {@code worker died}
   */
  public static void poolTask(String pool, String function, String workerName, long workerPid, long queuedNanos,
      long runNanos, String outcome) {
    emitted(() -> PoolTaskEvent.emit(pool, function, workerName, workerPid, queuedNanos, runNanos, outcome));
  }

  /**
   * Records the replacement of a pool worker; call only when {@link #recording()}.
   *
   * @param pool the pool's name
   * @param oldPid the worker that ended
   * @param newPid its replacement
   * @param cause why it ended
   */
  public static void workerReplaced(String pool, long oldPid, long newPid, String cause) {
    emitted(() -> WorkerReplacedEvent.emit(pool, oldPid, newPid, cause));
  }

  /**
   * Runs an event's commit; whatever the recorder throws is dropped: the callers go on to complete
   * a task or an exit that someone waits for, which an event must never prevent.
   */
  private static void emitted(Runnable commit) {
    try {
      commit.run();
    } catch (RuntimeException e) {
      // a recorder that fails (being shut down, say) loses the event, nothing else
    }
  }
}
