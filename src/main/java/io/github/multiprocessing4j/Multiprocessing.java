package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.Messages;
import io.github.multiprocessing4j.internal.Signals;
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
}
