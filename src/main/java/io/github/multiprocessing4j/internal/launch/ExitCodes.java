package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.runtime.Signals;

/**
 * Turns a child JVM's exit status into CPython's {@code exitcode}.
 *
 * <p>The JDK reports a child killed by signal {@code N} as {@code 128+N}, the same number a
 * {@code System.exit(128+N)} gives. The child's {@link ExitReport} tells the two apart: a child that
 * exits through the JVM with a code it did not choose itself writes an orderly marker, a killed
 * one cannot. On Windows there are no signals: a child the library terminated ends with status 1
 * and no report, which is mapped to {@code -signal} as CPython does.
 */
public final class ExitCodes {

  private ExitCodes() {}

  /**
   * Decodes an exit status.
   *
   * @param status what {@link java.lang.Process#exitValue()} returned
   * @param orderly whether the child wrote an orderly marker or a failure report
   * @param signalSent the signal the library sent to the child, or 0
   * @return CPython's exit code: the status, or {@code -N} for a child killed by signal {@code N}
   */
  public static int decode(int status, boolean orderly, int signalSent) {
    if (orderly) {
      return status;
    }
    if (Signals.WINDOWS) {
      return signalSent != 0 && status == 1 ? -signalSent : status;
    }
    if (status > 128 && status <= 128 + 64) {
      return -(status - 128);
    }
    return status;
  }

  /**
   * Names a signal as CPython's repr does ({@code SIGTERM}), or returns its number.
   *
   * @param signal the signal number
   * @return the name
   */
  public static String signalName(int signal) {
    switch (signal) {
      case 1: return "SIGHUP";
      case 2: return "SIGINT";
      case 3: return "SIGQUIT";
      case 4: return "SIGILL";
      case 6: return "SIGABRT";
      case 8: return "SIGFPE";
      case 9: return "SIGKILL";
      case 10: return "SIGUSR1";
      case 11: return "SIGSEGV";
      case 12: return "SIGUSR2";
      case 13: return "SIGPIPE";
      case 14: return "SIGALRM";
      case 15: return "SIGTERM";
      default: return Integer.toString(signal);
    }
  }
}
