package io.github.multiprocessing4j.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;

/**
 * The output of the benchmarks, in the format of the CPython scripts' {@code _common.py}: one line
 * per metric, {@code metric=median unit  # min=.. max=.. n=.. [p99=..] [note]}, numbers formatted as
 * {@code _common.fmt} does.
 */
final class Metrics {

  private Metrics() {}

  /**
   * Prints one metric: {@code _common.emit_samples}. Samples are multiplied by {@code scale}; a p99
   * is added from 100 samples on.
   */
  static void emit(String name, double[] samples, String unit, double scale, String note) {
    double[] s = new double[samples.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = samples[i] * scale;
    }
    Arrays.sort(s);
    StringBuilder line = new StringBuilder(name).append('=').append(fmt(median(s))).append(' ').append(unit)
        .append("  # min=").append(fmt(s[0])).append(" max=").append(fmt(s[s.length - 1]))
        .append(" n=").append(s.length);
    if (s.length >= 100) {
      line.append(" p99=").append(fmt(pct(s, 0.99)));
    }
    if (note != null) {
      line.append(' ').append(note);
    }
    System.out.println(line);
    System.out.flush();
  }

  /**
   * The {@link System#nanoTime()} at which a warm-up of {@code seconds} ends.
   *
   * @param seconds how long; 0 or less for no warm-up beyond the script's own
   * @return the deadline
   */
  static long deadline(double seconds) {
    return System.nanoTime() + (long) (Math.max(0, seconds) * 1e9);
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** {@code _common.pct}: the sample at rank round(q * (n - 1)) of the sorted samples. */
  static double pct(double[] xs, double q) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }

  /** The number format of the CPython scripts' {@code _common.fmt}. */
  static String fmt(double v) {
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 10) {
      String s = String.format(Locale.ROOT, "%.2f", v);
      s = s.replaceAll("0+$", "");
      return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
    if (v == 0) {
      return "0";
    }
    // Python's %.3g: three significant digits, trailing zeros dropped.
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** Median ms of a fixed integer loop (10^7 steps), to see the host's speed drift between runs. */
  static double canary() {
    double[] ts = new double[7];
    long sink = 0;
    for (int r = 0; r < ts.length; r++) {
      long t = System.nanoTime();
      long x = r;
      for (int i = 0; i < 10_000_000; i++) {
        x = x * 6364136223846793005L + i; // a dependent chain the JIT cannot fold
      }
      sink += x;
      ts[r] = (System.nanoTime() - t) / 1e6;
    }
    if (sink == 42) {
      System.out.print(""); // keep the loop's result alive
    }
    return median(ts);
  }
}
