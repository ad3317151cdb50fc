package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;

/**
 * A process's identity in one long, for the owner word of a cross-process lock: the pid in the
 * high 32 bits and the low 32 bits of its start time in the low ones (clock ticks since boot from
 * {@code /proc/PID/stat} on Linux, else hundredths of a second from {@link ProcessHandle}), so a
 * pid reused by a later process does not pass for the owner. Never 0.
 */
final class ProcessToken {

  private static final boolean PROC = Files.isReadable(Paths.get("/proc/self/stat"));
  private static volatile long self;

  private ProcessToken() {}

  /**
   * Returns this JVM's token.
   *
   * @return the token, not 0
   */
  public static long self() {
    long s = self;
    if (s == 0) {
      long pid = CurrentProcess.pid();
      s = token(pid, startOf(pid));
      self = s;
    }
    return s;
  }

  /**
   * Returns the pid of a token.
   *
   * @param token the token
   * @return its pid
   */
  public static long pid(long token) {
    return token >>> 32;
  }

  private static long token(long pid, long start) {
    return (pid << 32) | (start & 0xffff_ffffL);
  }

  /**
   * Tells whether the process of a token has ended: no process has its pid, the process with its
   * pid is a zombie (it exited and was not reaped yet), or it started at another time (the pid was
   * reused).
   *
   * @param token a token from {@link #self()}
   * @return whether that process is gone
   */
  public static boolean isDead(long token) {
    long pid = pid(token);
    if (pid == CurrentProcess.pid()) {
      return token != self();
    }
    if (PROC) {
      String stat;
      try {
        stat = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")), StandardCharsets.US_ASCII);
      } catch (NoSuchFileException e) {
        return true;
      } catch (IOException e) {
        return false; // cannot tell: assume alive
      }
      String[] f = fieldsAfterName(stat);
      if (f == null) {
        return false;
      }
      if (f[0].equals("Z") || f[0].equals("X") || f[0].equals("x")) {
        return true;
      }
      return token(pid, Long.parseLong(f[19])) != token;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return true;
    }
    return token(pid, hundredths(h.get().info().startInstant())) != token;
  }

  /**
   * Tells whether no live process has this pid (none, or a zombie).
   *
   * @param pid the pid
   * @return whether it is gone
   */
  public static boolean pidDead(long pid) {
    if (PROC) {
      try {
        String[] f = fieldsAfterName(new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")),
            StandardCharsets.US_ASCII));
        return f != null && (f[0].equals("Z") || f[0].equals("X") || f[0].equals("x"));
      } catch (NoSuchFileException e) {
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The fields of a stat line after {@code (comm)}: index 0 is the state, 19 the start time. */
  private static String[] fieldsAfterName(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 > stat.length()) {
      return null;
    }
    String[] f = stat.substring(close + 2).trim().split(" ");
    return f.length > 19 ? f : null;
  }

  private static long startOf(long pid) {
    if (PROC) {
      try {
        String[] f = fieldsAfterName(new String(Files.readAllBytes(Path.of("/proc/self/stat")),
            StandardCharsets.US_ASCII));
        if (f != null) {
          return Long.parseLong(f[19]);
        }
      } catch (IOException | NumberFormatException e) {
        // fall back below
      }
    }
    return hundredths(ProcessHandle.current().info().startInstant());
  }

  private static long hundredths(Optional<Instant> start) {
    return start.map(i -> i.toEpochMilli() / 10).orElse(0L);
  }
}
