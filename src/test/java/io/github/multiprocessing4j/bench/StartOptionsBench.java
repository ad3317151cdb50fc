package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.internal.launch.ClassDataSharing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cold-start options side by side: library children (spawn) started with different child JVM
 * settings, in one JVM, the configurations rotating within every trial (trial i starts with
 * configuration i mod k), so that the machine's drift hits them all alike. Every figure is also
 * given as a ratio against the first configuration, {@code none} (no option). Not a test.
 *
 * <p>Usage: {@code StartOptionsBench [--trials N] [--work ROUNDS] [--config LABEL=ITEM[,ITEM]...]...}.
 * An item is a JVM option (starts with {@code -}) or a library option: {@code cds} for
 * {@code Process.Builder.classDataSharing(true)}, {@code short} for {@code shortLived(true)}.
 * Without {@code --config}: none, cds, short, cds+short.
 *
 * <p>Metrics per configuration: {@code opt.<label>.start_join} (a {@link NoopTarget}, start to
 * join), {@code opt.<label>.time_to_target} (to the target's first line, wall clock),
 * {@code opt.<label>.lambda_join} (a no-op lambda target, which the child deserializes with Java
 * serialization, start to join), and with
 * {@code --work R}, {@code opt.<label>.work_join} (a {@link WorkTarget} of R rounds, start to
 * join: what the options cost a target that is not short). Each line ends with the ratio of its
 * median against {@code none}'s and the median of the per-trial ratios.
 */
public final class StartOptionsBench {

  private static final long TIMEOUT_S = 120;

  private StartOptionsBench() {}

  public static void main(String[] argv) throws Exception {
    int trials = 15;
    int work = 0;
    Map<String, List<String>> configs = new LinkedHashMap<>();
    configs.put("none", List.of());
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--trials":
          trials = Integer.parseInt(argv[++i]);
          break;
        case "--work":
          work = Integer.parseInt(argv[++i]);
          break;
        case "--config":
          String c = argv[++i];
          int eq = c.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--config LABEL=ITEM[,ITEM]..., not " + c);
          }
          configs.put(c.substring(0, eq), List.of(c.substring(eq + 1).split(",")));
          break;
        default:
          if (argv[i].isBlank()) {
            break;
          }
          throw new IllegalArgumentException("unknown option " + argv[i]
              + "; usage: [--trials N] [--work ROUNDS] [--config LABEL=ITEM[,ITEM]...]...");
      }
    }
    if (configs.size() == 1) {
      configs.put("cds", List.of("cds"));
      configs.put("short", List.of("short"));
      configs.put("cds+short", List.of("cds", "short"));
    }
    System.out.println(String.format(Locale.ROOT, "# StartOptionsBench.java: java %s (%s), %d cpus, canary=%.2f ms,"
        + " %d trials, configs %s", System.getProperty("java.version"), System.getProperty("java.home"),
        Runtime.getRuntime().availableProcessors(), Metrics.canary(), trials, configs));
    List<String> labels = new ArrayList<>(configs.keySet());
    int k = labels.size();
    // Warm-up: the parent side, and whatever a first child with each option has created (an
    // archive, which is awaited: the children of the trials all have it).
    for (String label : labels) {
      for (int i = 0; i < 2; i++) {
        startJoin(configs.get(label), NoopTarget.class);
      }
    }
    if (!ClassDataSharing.awaitCreations(Duration.ofSeconds(TIMEOUT_S))) {
      System.out.println("# the class-data sharing archives were not created within " + TIMEOUT_S + " s");
    }
    double[][] join = new double[k][trials];
    double[][] ttt = new double[k][trials];
    double[][] lambda = new double[k][trials];
    double[][] wk = new double[k][work > 0 ? trials : 0];
    for (int t = 0; t < trials; t++) {
      for (int j = 0; j < k; j++) {
        int c = (t + j) % k;
        join[c][t] = startJoin(configs.get(labels.get(c)), NoopTarget.class);
      }
      for (int j = 0; j < k; j++) {
        int c = (t + j) % k;
        ttt[c][t] = timeToTarget(configs.get(labels.get(c)));
      }
      for (int j = 0; j < k; j++) {
        int c = (t + j) % k;
        lambda[c][t] = lambdaJoin(configs.get(labels.get(c)));
      }
      if (work > 0) {
        for (int j = 0; j < k; j++) {
          int c = (t + j) % k;
          wk[c][t] = startJoin(configs.get(labels.get(c)), WorkTarget.class, work);
        }
      }
    }
    report(labels, "start_join", join);
    report(labels, "time_to_target", ttt);
    report(labels, "lambda_join", lambda);
    if (work > 0) {
      report(labels, "work_join", wk);
    }
  }

  private static void report(List<String> labels, String metric, double[][] samples) {
    double base = Metrics.median(samples[0]);
    for (int c = 0; c < labels.size(); c++) {
      double[] paired = new double[samples[c].length];
      for (int t = 0; t < paired.length; t++) {
        paired[t] = samples[c][t] / samples[0][t];
      }
      Metrics.emit("opt." + labels.get(c) + "." + metric, samples[c], "ms", 1, String.format(Locale.ROOT,
          "ratio=%.3f paired=%.3f", Metrics.median(samples[c]) / base, Metrics.median(paired)));
    }
  }

  private static Process.Builder builder(List<String> items) {
    Process.Builder b = Process.builder();
    for (String item : items) {
      if (item.startsWith("-")) {
        b.jvmOptions(item);
      } else if (item.equals("cds")) {
        b.classDataSharing(true);
      } else if (item.equals("short")) {
        b.shortLived(true);
      } else if (!item.isEmpty()) {
        throw new IllegalArgumentException("unknown config item " + item + ": a JVM option, cds or short");
      }
    }
    return b;
  }

  private static double startJoin(List<String> items, Class<? extends Target> target, Object... args)
      throws InterruptedException {
    long t0 = System.nanoTime();
    Process p = builder(items).target(target).args(args).build();
    p.start();
    join(p);
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double lambdaJoin(List<String> items) throws InterruptedException {
    long t0 = System.nanoTime();
    Process p = builder(items).target(a -> { }).build();
    p.start();
    join(p);
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double timeToTarget(List<String> items) throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    long t0 = WallClock.micros();
    Process p = builder(items).target(TimeTarget.class).stdout(ChildOutput.toLines(first::complete)).build();
    p.start();
    String line = first.get(TIMEOUT_S, TimeUnit.SECONDS);
    join(p);
    return (Long.parseLong(line.trim()) - t0) / 1e3;
  }

  private static void join(Process p) throws InterruptedException {
    if (!p.join(Duration.ofSeconds(TIMEOUT_S))) {
      p.kill();
      p.join();
      throw new IllegalStateException(p + " did not end within " + TIMEOUT_S + " s");
    }
    if (p.exitCode() != 0) {
      throw new IllegalStateException(p + " ended with exit code " + p.exitCode());
    }
  }
}
