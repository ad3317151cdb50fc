package io.github.multiprocessing4j.internal.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Signals: sending any signal to any process ({@code os.kill}). The child's SIGTERM handler is
 * {@code SigtermHalt}.
 */
public final class Signals {

  /** SIGKILL. */
  public static final int SIGKILL = 9;
  /** SIGTERM. */
  public static final int SIGTERM = 15;

  /** Whether this JVM runs on Windows, where there are no signals. */
  public static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

  private Signals() {}

  /**
   * Sends a signal to a process, as {@code os.kill(pid, sig)}.
   *
   * <p>SIGTERM and SIGKILL to another process go through {@link ProcessHandle}; any other signal,
   * and any signal to this process, through the system's {@code kill} command (POSIX only). On
   * Windows, SIGTERM and SIGKILL both end the process; other signals are refused.
   *
   * @param pid the process id
   * @param signal the signal number, from 1 to 64, or 0 to check that the process exists
   * @throws IllegalArgumentException if there is no such process, or the signal is out of range
   *     or not supported on this platform
   * @throws SecurityException if the process cannot be signalled (permission denied)
   */
  public static void kill(long pid, int signal) {
    if (signal < 0 || signal > 64) {
      throw new IllegalArgumentException("invalid signal number " + signal
          + ": expected 0 to 64, e.g. 15 (SIGTERM) or 9 (SIGKILL)");
    }
    if (pid <= 0) {
      throw new IllegalArgumentException("invalid pid " + pid + ": expected a positive process id");
    }
    if (signal == 0) {
      // As kill(2): no signal, only the check that the process exists.
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IllegalArgumentException("no such process: " + pid);
      }
      return;
    }
    boolean self = pid == CurrentProcess.pid();
    if (WINDOWS) {
      if (signal != SIGTERM && signal != SIGKILL) {
        throw new IllegalArgumentException("signal " + signal + " is not supported on Windows; use 15 (SIGTERM) or 9 (SIGKILL)");
      }
      if (self) {
        Runtime.getRuntime().halt(1);
      }
      ProcessHandle handle = ProcessHandle.of(pid)
          .orElseThrow(() -> new IllegalArgumentException("no such process: " + pid));
      handle.destroyForcibly();
      return;
    }
    if (!self && (signal == SIGTERM || signal == SIGKILL)) {
      ProcessHandle handle = ProcessHandle.of(pid)
          .orElseThrow(() -> new IllegalArgumentException("no such process: " + pid));
      boolean sent = signal == SIGKILL ? handle.destroyForcibly() : handle.destroy();
      if (!sent && handle.isAlive()) {
        throw new SecurityException("not permitted to send signal " + signal + " to process " + pid);
      }
      return;
    }
    runKillCommand(pid, signal);
    if (self && (signal == SIGKILL)) {
      // The signal is on its way; do not let the caller run on meanwhile.
      waitForever();
    }
  }

  /**
   * Continues a process that is stopped (SIGSTOP, SIGTSTP: state {@code T} in
   * {@code /proc/PID/stat}), so that a signal already sent to it, such as SIGTERM, takes effect: a
   * stopped process acts on no signal but SIGKILL and SIGCONT until it is continued. Linux only
   * (elsewhere there is no cheap way to tell that a process is stopped, and this does nothing);
   * best effort: never throws.
   *
   * @param pid the process id
   * @return whether the process was stopped and SIGCONT was sent
   */
  public static boolean continueIfStopped(long pid) {
    if (!stopped(pid)) {
      return false;
    }
    try {
      runKillCommand(pid, "CONT");
      return true;
    } catch (RuntimeException e) {
      return false; // it ended meanwhile, or no kill command: the caller's SIGKILL still follows
    }
  }

  /** Whether /proc says the process is stopped by a signal or a tracer ({@code T} or {@code t}). */
  static boolean stopped(long pid) {
    Path stat = Paths.get("/proc", Long.toString(pid), "stat");
    try {
      String s = new String(Files.readAllBytes(stat), java.nio.charset.StandardCharsets.US_ASCII);
      // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
      int close = s.lastIndexOf(')');
      if (close < 0 || close + 2 >= s.length()) {
        return false;
      }
      char state = s.charAt(close + 2);
      return state == 'T' || state == 't';
    } catch (IOException | RuntimeException e) {
      return false; // no procfs (not Linux), or the process is gone
    }
  }

  private static void runKillCommand(long pid, int signal) {
    runKillCommand(pid, Integer.toString(signal));
  }

  /** Runs {@code kill -SIGNAL pid}; the signal by number or by name ({@code CONT}). */
  private static void runKillCommand(long pid, String signal) {
    String kill = Files.isExecutable(Paths.get("/bin/kill")) ? "/bin/kill"
        : Files.isExecutable(Path.of("/usr/bin/kill")) ? "/usr/bin/kill" : "kill";
    try {
      java.lang.Process p = new ProcessBuilder(kill, "-" + signal, Long.toString(pid))
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kill " + pid + " did not finish in 10 s");
      }
      if (p.exitValue() != 0) {
        if (!ProcessHandle.of(pid).isPresent()) {
          throw new IllegalArgumentException("no such process: " + pid);
        }
        throw new SecurityException("cannot send signal " + signal + " to process " + pid + ": " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + kill + " to send signal " + signal + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending signal " + signal + " to " + pid, e);
    }
  }

  private static void waitForever() {
    Object never = new Object();
    synchronized (never) {
      for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < deadline; ) {
        try {
          never.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
