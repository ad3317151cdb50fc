package io.github.multiprocessing4j.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How long tests wait, in one place, and a polling wait that fails with a message.
 *
 * <p>Every duration here is a bound for a failing test, never a synchronisation: a passing test
 * returns as soon as what it waits for happens. They are generous because the suite runs on loaded
 * two-core machines, where a child JVM can take many seconds to start.
 */
public final class Waits {

  /**
   * Waiting for a child to start, answer or end, or for a thread of the test to do so: JVM
   * start-up on a loaded machine included.
   */
  public static final Duration JOIN = Duration.ofSeconds(30);

  /**
   * Waiting for work that involves several children or much data (big arrays, many rounds), where
   * {@link #JOIN} has proved tight under load.
   */
  public static final Duration LONG = Duration.ofSeconds(60);

  /**
   * How long a child that should run until the test kills it sleeps: longer than any wait above,
   * so that it cannot end on its own while a test still expects it running.
   */
  public static final Duration UNTIL_KILLED = Duration.ofSeconds(120);

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private Waits() {}

  /**
   * Polls a condition every few milliseconds until it holds or {@link #JOIN} has passed.
   *
   * @param condition the condition
   * @param what what the condition means, for the failure message ("the child printed ready")
   * @throws AssertionError if the condition does not hold in time
   */
  public static void until(BooleanSupplier condition, String what) {
    until(condition, what, JOIN);
  }

  /**
   * Polls a condition every few milliseconds until it holds or the timeout has passed.
   *
   * @param condition the condition
   * @param what what the condition means, for the failure message
   * @param timeout the longest wait
   * @throws AssertionError if the condition does not hold in time
   */
  public static void until(BooleanSupplier condition, String what, Duration timeout) {
    if (!holdsWithin(condition, timeout)) {
      throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
    }
  }

  /**
   * Polls a condition every few milliseconds until it holds or the timeout has passed; for tests
   * that assert on the outcome themselves.
   *
   * @param condition the condition
   * @param timeout the longest wait
   * @return whether it held in time (checked once more at the deadline)
   */
  public static boolean holdsWithin(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return condition.getAsBoolean();
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return true;
  }
}
