package io.github.multiprocessing4j.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pid helpers for tests whose processes outlive their parent: an orphan is no longer a descendant
 * of the test JVM, so {@link NoLeakedProcesses} cannot see it, and where PID 1 does not reap it,
 * {@link ProcessHandle#onExit()} never completes for it. These helpers poll with
 * {@link NoLeakedProcesses#reallyAlive(ProcessHandle)} instead.
 */
public final class Pids {

  private Pids() {}

  /**
   * Tells whether the process with this pid runs (a zombie does not).
   *
   * @param pid the pid
   * @return whether it runs
   */
  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(NoLeakedProcesses::reallyAlive).orElse(false);
  }

  /**
   * Waits until a condition holds, polling it every few milliseconds; the same as
   * {@link Waits#holdsWithin(BooleanSupplier, Duration)}, kept for the tests that call it here.
   *
   * @param condition the condition
   * @param timeout the longest wait
   * @return whether it held in time
   */
  public static boolean await(BooleanSupplier condition, Duration timeout) {
    return Waits.holdsWithin(condition, timeout);
  }

  /**
   * Waits until the process with this pid no longer runs.
   *
   * @param pid the pid
   * @param timeout the longest wait
   * @return whether it ended in time
   */
  public static boolean awaitGone(long pid, Duration timeout) {
    return await(() -> !alive(pid), timeout);
  }

  /**
   * Kills a process by pid if it still runs and waits for it to be gone; for cleanup in
   * {@code finally} blocks.
   *
   * @param pid the pid, or {@code null} (nothing to do)
   * @return whether it is gone
   */
  public static boolean killQuietly(Long pid) {
    if (pid == null) {
      return true;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    h.ifPresent(ProcessHandle::destroyForcibly);
    return awaitGone(pid, Duration.ofSeconds(10));
  }

  /**
   * Finds the number after {@code key} in {@code text}, e.g. {@code find("child-pid=4242", "child-pid=")}.
   *
   * @param text the text
   * @param key what precedes the number
   * @return the number
   * @throws AssertionError if it is not there
   */
  public static long find(String text, String key) {
    Matcher m = Pattern.compile(Pattern.quote(key) + "(-?\\d+)").matcher(text);
    if (!m.find()) {
      throw new AssertionError("no '" + key + "<number>' in:\n" + text);
    }
    return Long.parseLong(m.group(1));
  }
}
