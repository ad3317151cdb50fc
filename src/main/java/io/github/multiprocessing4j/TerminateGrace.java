package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * How long a child may take to end after SIGTERM before it gets SIGKILL: the default of
 * {@link Process.Builder#terminateGrace(Duration)}, from the system property {@value #PROPERTY}.
 */
final class TerminateGrace {

  /** The system property that sets the default grace period. */
  static final String PROPERTY = Tunable.TERMINATE_GRACE.key();
  /** A few seconds: a JVM that took SIGTERM ends in milliseconds, even on a loaded machine. */
  static final Duration DEFAULT = Duration.ofSeconds(3);

  private TerminateGrace() {}

  /**
   * The default grace period: the property as an ISO-8601 duration ({@code PT0.5S}) or a number of
   * milliseconds, else {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException if the property is set to anything else, or to a negative value
   */
  static Duration fromProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return DEFAULT;
    }
    Duration d;
    try {
      String v = value.trim();
      d = Character.isDigit(v.charAt(0)) || v.charAt(0) == '-' ? Duration.ofMillis(Long.parseLong(v)) : Duration.parse(v);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("system property " + PROPERTY + "=" + value
          + " is not a duration: use milliseconds (3000) or ISO-8601 (PT3S)", e);
    }
    return check(d, "system property " + PROPERTY);
  }

  static Duration check(Duration grace, String what) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative: " + grace);
    }
    return grace;
  }

  static long toNanos(Duration grace) {
    try {
      return grace.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2; // centuries: never, in practice
    }
  }
}
