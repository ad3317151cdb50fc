package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The waits of the managed synchronization objects, on their own monitors, in the server. */
final class ServerWaits {

  private ServerWaits() {}

  /**
   * Waits on {@code monitor}, which the calling thread holds, until {@code done} is true: at once
   * if not {@code block}, else for at most {@code timeout} (null: for ever; negative: 0).
   *
   * @return whether {@code done} became true
   * @throws IllegalStateException if the server thread is interrupted (the server is stopping)
   */
  static boolean until(Object monitor, BooleanSupplier done, boolean block, Duration timeout) {
    if (done.getAsBoolean()) {
      return true;
    }
    if (!block) {
      return false;
    }
    long nanos = timeout == null ? Long.MAX_VALUE : Math.max(0, saturated(timeout));
    long deadline = System.nanoTime() + nanos;
    try {
      while (!done.getAsBoolean()) {
        if (timeout == null) {
          monitor.wait();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in the manager's process while waiting", e);
    }
  }

  private static long saturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE / 2;
    }
  }
}
