package io.github.multiprocessing4j.internal.runtime;

/**
 * How a thread waits for a few microseconds before it parks: a handful of busy spins, then
 * {@link Thread#yield()}, which on a machine with more runnable threads than cores hands the core
 * to the thread being waited for instead of burning it.
 */
public final class Backoff {

  /** How long a waiter spins before it parks, in nanoseconds. */
  public static final long SPIN_NANOS = Tunable.SPIN_NANOS.longValue(50_000);
  /** The least an adaptive waiter spins (a tuning knob for benchmarks, not documented). */
  public static final long MIN_SPIN_NANOS = Math.min(SPIN_NANOS, Tunable.MIN_SPIN_NANOS.longValue(2_000));

  private Backoff() {}

  /**
   * Pauses once.
   *
   * @param i how many times this wait has paused before
   */
  public static void pause(int i) {
    if (i < 32) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }
}
