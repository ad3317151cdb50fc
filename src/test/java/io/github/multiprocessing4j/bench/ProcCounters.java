package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Linux scheduler counters of this process, for {@link PipeProbe}: CPU time, time spent runnable
 * but waiting for a core, and context switches, of the calling thread and of all threads, from
 * {@code /proc/self/task/<tid>/schedstat} and {@code status}. Zeros where {@code /proc} lacks them.
 */
final class ProcCounters {

  /** Indices into a snapshot. */
  static final int SELF_RUN_NS = 0;
  static final int SELF_WAIT_NS = 1;
  static final int SELF_VOLUNTARY = 2;
  static final int SELF_INVOLUNTARY = 3;
  static final int ALL_RUN_NS = 4;
  static final int ALL_WAIT_NS = 5;
  static final int ALL_VOLUNTARY = 6;
  static final int ALL_INVOLUNTARY = 7;
  static final int SIZE = 8;

  private ProcCounters() {}

  /** A snapshot: the values at the indices above. */
  static long[] snapshot() {
    long[] s = new long[SIZE];
    read(Paths.get("/proc/thread-self"), s, SELF_RUN_NS);
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
      for (Path t : tasks) {
        read(t, s, ALL_RUN_NS);
      }
    } catch (IOException e) {
      // not Linux: zeros
    }
    return s;
  }

  /**
   * Minor page faults of this process so far ({@code /proc/self/stat}, field 10): each the first
   * touch of a page, which is what a 1 MiB array in heap memory the JVM never used before costs.
   * 0 where {@code /proc} lacks it.
   */
  static long minorFaults() {
    try {
      String stat = Files.readString(Paths.get("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]); // fields after the name start at field 3; minflt is field 10
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Adds the thread's run ns, wait ns, voluntary and involuntary switches at {@code s[at..at+3]}. */
  private static void read(Path task, long[] s, int at) {
    try {
      String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
      s[at] += Long.parseLong(sched[0]);
      s[at + 1] += Long.parseLong(sched[1]);
      for (String line : Files.readAllLines(task.resolve("status"))) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          s[at + 2] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
          s[at + 3] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // a thread that ended meanwhile, or no such file: leave it out
    }
  }

  /** CPU ns of every thread, by {@code "<name>/<tid>"}. */
  static HashMap<String, Long> byThread() {
    HashMap<String, Long> m = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
      for (Path t : tasks) {
        try {
          String name = Files.readString(t.resolve("comm")).trim();
          m.put(name + "/" + t.getFileName(), Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]));
        } catch (IOException | RuntimeException e) {
          // ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return m;
  }

  /** The {@code n} threads that used most CPU between two {@link #byThread} maps, as "name µs/msg". */
  static String top(Map<String, Long> after, Map<String, Long> before, int n, double msgs) {
    List<Map.Entry<String, Long>> d = new ArrayList<>();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      d.add(Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)));
    }
    d.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, d.size()); i++) {
      sb.append(String.format(Locale.ROOT, "%s %.2f; ", d.get(i).getKey().replaceAll("/\\d+$", ""), d.get(i).getValue() / 1e3 / msgs));
    }
    return sb.toString();
  }

  static long[] minus(long[] a, long[] b) {
    long[] d = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }
}
