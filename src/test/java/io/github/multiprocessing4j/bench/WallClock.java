package io.github.multiprocessing4j.bench;

import java.time.Instant;

/**
 * The clock of the time-to-target metrics: wall-clock time in microseconds since the epoch, read
 * the same way in the parent and in the child. {@link System#nanoTime()} is not comparable across
 * JVMs (its origin is arbitrary per JVM), so both sides use {@link Instant#now()}, which has
 * microsecond resolution on Linux (clock_gettime(CLOCK_REALTIME)).
 *
 * <p>Bias: the child's first {@code Instant.now()} loads and initialises a few java.time classes
 * before it reads the clock; that cost (a fraction of a millisecond, measured in BENCHMARKS.md) is
 * inside every time-to-target sample, the library's and the raw floor's alike.
 */
public final class WallClock {

  private WallClock() {}

  /** Microseconds since the epoch. */
  public static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
