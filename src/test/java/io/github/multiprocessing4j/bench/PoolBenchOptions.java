package io.github.multiprocessing4j.bench;

import java.util.Locale;

/**
 * The command line of {@link PoolBench} and {@link FuturesBench}: {@code --quick},
 * {@code --jit-warmup S} (seconds of untimed rounds per warm case, default 3) and
 * {@code --timeout S} (default 900). Parsing also starts the {@link Watchdog} and prints the header
 * line.
 */
final class PoolBenchOptions {

  final boolean quick;
  final double jitWarmup;

  private PoolBenchOptions(boolean quick, double jitWarmup) {
    this.quick = quick;
    this.jitWarmup = jitWarmup;
  }

  /**
   * Parses the options; exits with status 2 on an unknown one.
   *
   * @param bench the main class's simple name, for the usage line and the header
   * @param argv the arguments
   * @return the options, or null after {@code --help}
   */
  static PoolBenchOptions parse(String bench, String[] argv) {
    boolean quick = false;
    double jitWarmup = 3;
    long timeoutS = 900;
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--quick":
          quick = true;
          break;
        case "--jit-warmup":
          jitWarmup = Double.parseDouble(argv[++i]);
          break;
        case "--timeout":
          timeoutS = Long.parseLong(argv[++i]);
          break;
        case "-h":
        case "--help":
          System.out.println("usage: " + bench + " [--quick] [--jit-warmup S] [--timeout S]");
          return null;
        default:
          if (argv[i].isBlank()) {
            break; // an empty -Dbench.args
          }
          System.err.println("unknown option " + argv[i] + "; try --help");
          System.exit(2);
      }
    }
    if (jitWarmup < 0) {
      throw new IllegalArgumentException("--jit-warmup must not be negative");
    }
    Watchdog.start(bench, timeoutS);
    System.out.println(String.format(Locale.ROOT,
        "# %s.java: java %s (%s), %d cpus, canary loop(1e7)=%.2f ms, jit warm-up %.1f s per case", bench,
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), Metrics.canary(), jitWarmup));
    return new PoolBenchOptions(quick, jitWarmup);
  }
}
