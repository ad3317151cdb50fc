package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.Signals;
import java.util.List;
import java.util.Optional;

/**
 * The module-level functions of CPython's {@code multiprocessing}, and the {@code os} functions
 * that go with them ({@code os.getpid}, {@code os.getppid}, {@code os.kill}), in one place.
 *
 * <p>All methods are static and thread-safe.
 */
public final class Multiprocessing {

  /** Signal 15, what {@link Process#terminate()} sends. */
  public static final int SIGTERM = Signals.SIGTERM;
  /** Signal 9, what {@link Process#kill()} sends. */
  public static final int SIGKILL = Signals.SIGKILL;

  private Multiprocessing() {}

  /**
   * Returns the number of CPUs this JVM may use ({@link Runtime#availableProcessors()}, which
   * honours CPU affinity and container limits, as CPython 3.13's {@code process_cpu_count()}).
   *
   * @return the number of CPUs, at least 1
   */
  public static int cpuCount() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Returns the process id of this JVM, as {@code os.getpid()}.
   *
   * @return this process's pid
   */
  public static long getpid() {
    return ProcessRuntime.PID;
  }

  /**
   * Returns the process id of this JVM's parent as the operating system sees it, as
   * {@code os.getppid()}; in a child started by this library, the parent JVM's pid.
   *
   * @return the parent's pid, or 0 if the operating system does not tell
   */
  public static long getppid() {
    return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L);
  }

  /**
   * Sends a signal to a process, as {@code os.kill(pid, signal)}, e.g.
   * {@code kill(getpid(), SIGKILL)}. Killing the current process with SIGKILL waits for the signal
   * to land (up to 10 s), so the caller's next statement does not run.
   *
   * <p>SIGTERM and SIGKILL work everywhere (on Windows both end the process at once); other
   * signals need a POSIX system and its {@code kill} command.
   *
   * @param pid the process id
   * @param signal the signal number, 1 to 64; 0 sends nothing and only checks that the process
   *     exists, as {@code os.kill(pid, 0)}
   * @throws IllegalArgumentException if there is no such process, or the signal is invalid or not
   *     supported on this platform
   * @throws SecurityException if the process may not be signalled
   */
  public static void kill(long pid, int signal) {
    Signals.kill(pid, signal);
  }

  /**
   * Returns the current process, as {@link Process#currentProcess()}.
   *
   * @return the current process
   */
  public static Process currentProcess() {
    return Process.currentProcess();
  }

  /**
   * Returns the parent process, as {@link Process#parentProcess()}.
   *
   * @return the parent process, or empty in the main JVM
   */
  public static Optional<Process> parentProcess() {
    return Process.parentProcess();
  }

  /**
   * Returns the live children after reaping the ended ones, as {@link Process#activeChildren()}.
   *
   * @return a new list of the live children
   */
  public static List<Process> activeChildren() {
    return Process.activeChildren();
  }

  /**
   * Sets a deserialization filter that every pipe, queue and connection of this process applies
   * to the objects it receives, after the library's own (limits on depth, references and array
   * lengths, and a deny-list of known gadget classes) and the JVM-wide one ({@code jdk.serialFilter}).
   * A class any of them rejects is refused: the receive fails with a
   * {@link io.github.multiprocessing4j.connection.ConnectionException} naming it.
   *
   * <p>Children do not inherit a filter object; to filter in every process, give the pattern as the
   * system property {@code multiprocessing4j.serialFilter} (the syntax of {@code jdk.serialFilter},
   * e.g. {@code "com.example.**;java.base/*;!*"}): a child started by this library gets the
   * property of its parent unless its builder sets another.
   *
   * @param filter the filter, or null to remove it (the property's pattern, if any, is also removed)
   */
  public static void setSerialFilter(java.io.ObjectInputFilter filter) {
    Messages.setProcessFilter(filter);
  }

  /**
   * Sets how child JVMs are started from now on: CPython's {@code set_start_method}.
   * <ul>
   *   <li>{@code "spawn"} (the default): a JVM is launched for each process when it starts.</li>
   *   <li>{@code "forkserver"}: the JVM's answer to CPython's forkserver. A spare JVM, launched
   *       ahead of time with a process's exact settings (JVM options, system properties, class
   *       path, environment, working directory) and already booted, takes the process, and a new
   *       spare is launched in the background. A spare never runs more than one process, so
   *       nothing leaks from one process to the next; a process whose settings match no spare,
   *       or whose output is not piped to the parent ({@link ChildOutput#inherit()}, files),
   *       starts cold. The first process of each setting starts cold too. Spares wait blocked on
   *       their standard input (no CPU), are discarded after a minute unused and when the program
   *       ends, and end by themselves when their parent dies.</li>
   * </ul>
   *
   * @param method {@code "spawn"} or {@code "forkserver"}
   * @throws IllegalStateException {@code "context has already been set"} if the start method was
   *     set, or read by {@link #getStartMethod()}, before
   * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
   */
  public static void setStartMethod(String method) {
    DefaultStartMethod.set(StartMethod.of(method), false);
  }

  /**
   * Sets the start method; with {@code force}, even if it was set before, and {@code null}
   * forgets it (the next {@link #getStartMethod()} gives the default again).
   *
   * @param method {@code "spawn"}, {@code "forkserver"}, or {@code null} with {@code force}
   * @param force whether to replace a start method set before
   * @throws IllegalStateException {@code "context has already been set"} without {@code force}
   * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
   */
  public static void setStartMethod(String method, boolean force) {
    DefaultStartMethod.set(method == null && force ? null : StartMethod.of(method), force);
  }

  /**
   * Returns the start method, fixing the default ({@code "spawn"}, or the system property
   * {@code multiprocessing4j.startMethod}) if none was set: CPython's {@code get_start_method()}.
   *
   * @return the start method
   */
  public static String getStartMethod() {
    return DefaultStartMethod.name(false);
  }

  /**
   * Returns the start method, or {@code null} if none was set and {@code allowNone}, without
   * fixing it: CPython's {@code get_start_method(allow_none=True)}.
   *
   * @param allowNone whether to answer {@code null} rather than fix the default
   * @return the start method, or null
   */
  public static String getStartMethod(boolean allowNone) {
    return DefaultStartMethod.name(allowNone);
  }

  /**
   * Returns the context of the process-wide start method, fixing the default if none was set (as
   * {@link #getStartMethod()} does): CPython's {@code get_context()}, which likewise returns the
   * concrete context of the current start method. Its processes, pools and executors keep that
   * method even if the process-wide one is later changed with {@code setStartMethod(m, true)}.
   *
   * @return the context of {@link #getStartMethod()}
   */
  public static Context getContext() {
    return Context.of(DefaultStartMethod.get(false));
  }

  /**
   * Returns the context of a start method: CPython's {@code get_context(method)}. Its processes,
   * pools and executors start with that method whatever the process-wide start method is, and are
   * named after it ({@code SpawnProcess-N}, {@code ForkServerPoolWorker-N}). The process-wide
   * start method is neither read nor fixed. The same method always gives the same instance.
   *
   * @param method {@code "spawn"} or {@code "forkserver"}
   * @return the context
   * @throws NullPointerException if {@code method} is null (CPython's {@code get_context(None)} is
   *     {@link #getContext()})
   * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
   */
  public static Context getContext(String method) {
    return Context.of(method);
  }

  /**
   * Returns the start methods this library offers: CPython's {@code get_all_start_methods()}.
   *
   * @return {@code ["spawn", "forkserver"]}
   */
  public static List<String> getAllStartMethods() {
    return StartMethod.NAMES;
  }

  /**
   * Discards the idle spare JVMs of the {@code forkserver} start method, e.g. before measuring
   * this program's memory or at the end of a test, and returns once they have ended, including a
   * spare that was being launched: a caller that lists its child processes right after finds no
   * spare. New spares are launched when processes start again. Spares are also discarded after a
   * minute unused and when the program ends. Thread-safe.
   */
  public static void discardSpares() {
    Spares.discardAll();
  }

  /**
   * Waits until the spare JVMs of the {@code forkserver} start method have warmed up: until no
   * spare is due to be launched and every idle spare is ready to run a process at once. Spares are
   * launched after a {@code forkserver} start (about 100 ms after starts pause), one per distinct
   * set of launch options; a program that wants its next starts to find warm spares, say before a
   * latency-sensitive phase, can start one process and then call this. Returns at once if no spare
   * is wanted. Thread-safe.
   *
   * @param timeout how long to wait at most
   * @return true if the spares are ready, false if the timeout elapsed first
   * @throws NullPointerException if timeout is null
   * @throws IllegalArgumentException if timeout is negative
   * @throws InterruptedException if interrupted while waiting
   */
  public static boolean awaitSpares(java.time.Duration timeout) throws InterruptedException {
    java.util.Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    // Saturated: Duration.toNanos() throws beyond 292 years.
    return Spares.awaitReady(timeout.compareTo(java.time.Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : timeout.toNanos());
  }
}
