package io.github.multiprocessing4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The summary of {@link ClusterBench}: one row per case, the medians of the cluster's and the local
 * pool's rounds, their ratio, the spread of the per-round ratios, and the verdict against a goal.
 */
final class ClusterBenchTable {

  /** One compared case: samples of both sides, taken in alternating rounds. */
  private record Row(String name, String unit, double[] cluster, double[] local, boolean higherIsBetter,
      double goal) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /**
   * Adds a compared case.
   *
   * @param goal the largest acceptable slowdown of the cluster (1.10 for "within 10%"), or NaN
   * @param higherIsBetter true for a rate (items/s), false for a time
   */
  void add(String name, String unit, double[] cluster, double[] local, boolean higherIsBetter, double goal) {
    rows.add(new Row(name, unit, cluster, local, higherIsBetter, goal));
  }

  /** Adds a line printed under the table as it is. */
  void note(String line) {
    notes.add(line);
  }

  /** The cluster's slowdown against the local pool: above 1 means slower, whatever the unit. */
  private static double slowdown(Row r, double cluster, double local) {
    return r.higherIsBetter ? local / cluster : cluster / local;
  }

  void print(String header) {
    System.out.println();
    System.out.println("== " + header);
    System.out.println(String.format(Locale.ROOT, "%-46s %-8s %11s %11s %9s %15s %7s %s", "case", "unit",
        "cluster", "local", "slowdown", "rounds min-max", "goal", "verdict"));
    for (Row r : rows) {
      double c = Metrics.median(r.cluster);
      double l = Metrics.median(r.local);
      double s = slowdown(r, c, l);
      double lo = Double.MAX_VALUE;
      double hi = -Double.MAX_VALUE;
      for (int i = 0; i < r.cluster.length; i++) {
        double x = slowdown(r, r.cluster[i], r.local[i]);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      String verdict = Double.isNaN(r.goal) ? "-" : s <= r.goal ? "met" : "MISSED";
      System.out.println(String.format(Locale.ROOT, "%-46s %-8s %11s %11s %9.3f %7.3f-%-7.3f %7s %s", r.name,
          r.unit, Metrics.fmt(c), Metrics.fmt(l), s, lo, hi,
          Double.isNaN(r.goal) ? "-" : String.format(Locale.ROOT, "<=%.2f", r.goal), verdict));
    }
    System.out.println("slowdown = cluster time / local time (for items/s: local / cluster), of the medians; "
        + "rounds min-max: the same per round");
    for (String n : notes) {
      System.out.println(n);
    }
    System.out.flush();
  }
}
