package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.LaunchOptions;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.cluster.Cluster;
import io.github.multiprocessing4j.cluster.ClusterMember;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.SerializableFunction;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;

/**
 * The cluster pool ({@code io.github.multiprocessing4j.cluster}) against the local {@link Pool}, in
 * one run, cluster and local rounds alternating (the first side swaps every round) so that the
 * drift of a loaded machine falls on both; the summary gives medians and ratios. Not a test: run
 * it with {@code bench/cluster.sh [--quick]}.
 *
 * <ul>
 *   <li><b>overhead</b>: {@code map} of 1,000 tasks of 10 ms of CPU ({@link PoolBench#burn}
 *       calibrated to 10 ms) on one embedded member with N workers ({@code --workers}, default 2)
 *       against {@code new Pool(N)}; default chunk size. Goal: within 10%.</li>
 *   <li><b>spread</b>: the same map over 3 member JVMs on this machine, started with this
 *       library's {@link Process} ({@link ClusterMember} as the target), one worker each; this JVM
 *       submits as a member with {@code workers(0)}; against {@code new Pool(3)}. Goal: within
 *       15%.</li>
 *   <li><b>trivial</b>: items/s of {@code map(x -> x)} over 100k ints (10k for chunk size 1),
 *       default chunk size and a sweep, on the embedded member and on the 3 members, against the
 *       local pools.</li>
 *   <li><b>cost</b>: what the submitting JVM spends per chunk (3 members, trivial items, chunk
 *       sizes 1 to 1000): its CPU time (all its threads) per chunk, the bytes it writes and reads
 *       per chunk ({@code /proc/self/io} wchar and rchar: sockets for the cluster, the workers'
 *       pipes for the local pool), the chunks/s reached, and its CPU use while doing so.</li>
 * </ul>
 *
 * <p>Options: {@code --quick} (200 tasks, 20k items, 2 rounds), {@code --rounds R} (default 5),
 * {@code --workers N}, {@code --only overhead,trivial,spread,cost}, {@code --port P} (the first
 * port tried, default 6301), {@code --timeout S} (default 1800; then the member JVMs are killed
 * and the run exits with status 3). Every member JVM is killed with its workers in a shutdown
 * hook whatever happens; pools are terminated in {@code finally}.
 */
public final class ClusterBench {

  private static final SerializableFunction<Integer, Long> BURN = PoolBench::burn;
  private static final SerializableFunction<Integer, Integer> TRIVIAL = PoolBench::trivial;
  private static final int[] CHUNKS = {1, 10, 100, 1000};
  /** The member JVMs started here, killed by the shutdown hook if still alive. */
  private static final List<Process> MEMBERS = new CopyOnWriteArrayList<>();
  private static final ClusterBenchTable TABLE = new ClusterBenchTable();

  private static int rounds = 5;
  private static int tasks = 1000;
  private static int items = 100_000;
  private static int workers = 2;
  private static int port = 6301;
  private static Set<String> only = Set.of("overhead", "trivial", "spread", "cost");
  private static int n10ms;
  private static long expected;

  private ClusterBench() {}

  /** Runs {@link ClusterMember#main} in a member JVM started with {@link Process}. */
  public static final class MemberTarget implements Target {
    private static final long serialVersionUID = 1L;

    /** For the child. */
    public MemberTarget() {}

    @Override
    public void run(Args args) throws Exception {
      ClusterMember.main(args.positional().stream().map(String::valueOf).toArray(String[]::new));
    }
  }

  /** One side of a case: runs it once and returns the measured value. */
  private interface Side {
    double run() throws Exception;
  }

  /**
   * Runs the benchmark.
   *
   * @param argv the options above
   * @throws Exception if a measurement fails
   */
  public static void main(String[] argv) throws Exception {
    quiet("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    quiet("org.slf4j.simpleLogger.log.com.hazelcast", "error");
    long timeoutS = 1800;
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--quick":
          rounds = 2;
          tasks = 200;
          items = 20_000;
          break;
        case "--rounds":
          rounds = Integer.parseInt(argv[++i]);
          break;
        case "--workers":
          workers = Integer.parseInt(argv[++i]);
          break;
        case "--port":
          port = Integer.parseInt(argv[++i]);
          break;
        case "--only":
          only = Set.of(argv[++i].split(","));
          break;
        case "--timeout":
          timeoutS = Long.parseLong(argv[++i]);
          break;
        default:
          System.err.println("usage: ClusterBench [--quick] [--rounds R] [--workers N] "
              + "[--only overhead,trivial,spread,cost] [--port P] [--timeout S]");
          System.exit(2);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ClusterBench::killMembers, "cluster-bench-cleanup"));
    Watchdog.start("ClusterBench", timeoutS);
    String load0 = loadavg();
    System.out.println(String.format(Locale.ROOT,
        "# ClusterBench.java: java %s, %d cpus, load average %s, canary loop(1e7)=%.2f ms, rounds %d, tasks %d, items %d, "
        + "common pool parallelism %d (1: Cluster gives Hazelcast a cached pool for its completions)",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), load0, Metrics.canary(),
        rounds, tasks, items, ForkJoinPool.getCommonPoolParallelism()));
    n10ms = 10 * PoolBench.calibrate();
    expected = PoolBench.burn(n10ms);
    System.out.println("# burn(" + n10ms + ") = 10 ms here");
    if (only.contains("overhead") || only.contains("trivial")) {
      embedded();
    }
    if (only.contains("spread") || only.contains("cost")) {
      spread();
    }
    TABLE.print(String.format(Locale.ROOT, "ClusterBench summary: medians of %d rounds, cluster and local alternating; "
        + "%d cpus; load average %s at the start, %s at the end", rounds, Runtime.getRuntime().availableProcessors(),
        load0, loadavg()));
  }

  /** Overhead and trivial maps: one embedded member with N workers against {@code new Pool(N)}. */
  private static void embedded() throws Exception {
    System.out.println("# embedded: one member in this JVM with " + workers + " workers, against new Pool(" + workers + ")");
    Cluster cluster = Cluster.builder().port(port).clusterName("clusterbench-" + ProcessHandle.current().pid())
        .workers(workers).start();
    Pool cpool = null;
    Pool lpool = null;
    try {
      cpool = cluster.pool();
      lpool = new Pool(workers);
      String n = "N=" + workers;
      if (only.contains("overhead")) {
        cpuMaps("overhead: map " + tasks + "x10ms, 1 member, " + n, "overhead", cpool, lpool, 1.10);
      }
      if (only.contains("trivial")) {
        trivialMaps("trivial, 1 member, " + n, "trivial.embedded", cpool, lpool, true);
      }
    } finally {
      dispose(cpool);
      dispose(lpool);
      cluster.close();
    }
  }

  /** Spread and submitter cost: 3 member JVMs of one worker each against {@code new Pool(3)}. */
  private static void spread() throws Exception {
    String name = "clusterbench-spread-" + ProcessHandle.current().pid();
    System.out.println("# spread: this JVM a member with workers(0); 3 member JVMs (Process), 1 worker each; "
        + "against new Pool(3)");
    Cluster submitter = Cluster.builder().port(port + 20).clusterName(name).workers(0).start();
    Pool cpool = null;
    Pool lpool = null;
    List<Process> mine = new ArrayList<>();
    try {
      int bound = submitter.hazelcast().getCluster().getLocalMember().getAddress().getPort();
      for (int i = 0; i < 3; i++) {
        mine.add(startMember(bound, name));
      }
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (submitter.workers() < 3) {
        for (Process p : mine) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a member JVM exited with " + p.exitCode() + " before joining");
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("3 members did not join within 120 s (workers: " + submitter.workers() + ")");
        }
        Thread.sleep(50); // polling a condition with a deadline
      }
      cpool = submitter.pool();
      lpool = new Pool(3);
      if (only.contains("spread")) {
        cpuMaps("spread: map " + tasks + "x10ms, 3 members x 1 worker", "spread", cpool, lpool, 1.15);
        trivialMaps("trivial, 3 members x 1 worker", "trivial.spread", cpool, lpool, false);
      }
      if (only.contains("cost")) {
        submitterCost(cpool, lpool);
      }
    } finally {
      dispose(cpool);
      dispose(lpool);
      for (Process p : mine) {
        p.terminate();
      }
      for (Process p : mine) {
        if (!p.join(Duration.ofSeconds(20))) {
          p.kill();
          p.join(Duration.ofSeconds(20));
        }
        MEMBERS.remove(p);
      }
      submitter.close();
    }
  }

  private static Process startMember(int joinPort, String clusterName) {
    Process p = Process.builder().target(MemberTarget.class)
        .args("--join", "127.0.0.1:" + joinPort, "--port", Integer.toString(joinPort + 1), "--cluster-name",
            clusterName, "--workers", "1")
        .launchOptions(LaunchOptions.builder().killDescendants(true)
            .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
            .systemProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error").build())
        .daemon(false) // a member starts worker JVMs: a daemonic process may not have children
        .build();
    MEMBERS.add(p);
    p.start();
    return p;
  }

  /** The map of 10 ms tasks, cluster and local alternating, after an untimed warm-up of each. */
  private static void cpuMaps(String label, String key, Pool cpool, Pool lpool, double goal) throws Exception {
    List<Integer> work = Collections.nCopies(tasks, n10ms);
    List<Integer> warm = work.subList(0, Math.min(tasks, 200));
    checkBurn(cpool.map(BURN, warm), warm.size());
    checkBurn(lpool.map(BURN, warm), warm.size());
    double[][] t = alternate(key, "s", () -> timeBurn(cpool, work), () -> timeBurn(lpool, work));
    double ideal = tasks * 0.010 / cpool.processes();
    TABLE.add(label, "s", t[0], t[1], false, goal);
    System.out.println(String.format(Locale.ROOT, "# %s: ideal %.2f s (%d x 10 ms / %d workers)", key, ideal, tasks,
        cpool.processes()));
  }

  private static double timeBurn(Pool pool, List<Integer> work) throws Exception {
    long t0 = System.nanoTime();
    List<Long> r = pool.map(BURN, work);
    double s = (System.nanoTime() - t0) / 1e9;
    checkBurn(r, work.size());
    return s;
  }

  /** Items/s of trivial maps: the default chunk size and, if asked, the sweep. */
  private static void trivialMaps(String label, String key, Pool cpool, Pool lpool, boolean sweep) throws Exception {
    List<Integer> all = range(items);
    checkTrivial(cpool.map(TRIVIAL, all), items); // warm-up, untimed
    checkTrivial(lpool.map(TRIVIAL, all), items);
    double[][] d = alternate(key + ".default", "items/s", () -> rate(cpool, all, 0), () -> rate(lpool, all, 0));
    TABLE.add(label + ", " + items / 1000 + "k, default chunk", "items/s", d[0], d[1], true, Double.NaN);
    if (!sweep) {
      return;
    }
    for (int c : CHUNKS) {
      List<Integer> some = c == 1 ? all.subList(0, items / 10) : all;
      double[][] r = alternate(key + ".chunk" + c, "items/s", () -> rate(cpool, some, c), () -> rate(lpool, some, c));
      TABLE.add(label + ", " + some.size() / 1000 + "k, chunk " + c, "items/s", r[0], r[1], true, Double.NaN);
    }
  }

  private static double rate(Pool pool, List<Integer> some, int chunk) throws Exception {
    long t0 = System.nanoTime();
    List<Integer> r = chunk == 0 ? pool.map(TRIVIAL, some) : pool.map(TRIVIAL, some, chunk);
    double s = (System.nanoTime() - t0) / 1e9;
    checkTrivial(r, some.size());
    return some.size() / s;
  }

  /**
   * What the submitting JVM spends per chunk: trivial items in chunks of 1 to 1000, a fixed number
   * of chunks each, cluster (3 members, this JVM runs no workers) and local alternating.
   */
  private static void submitterCost(Pool cpool, Pool lpool) throws Exception {
    int base = tasks == 1000 ? 2000 : 500;
    long idle0 = processCpuNanos();
    long w0 = System.nanoTime();
    Thread.sleep(2000); // the measurement window of the idle JVM's own CPU use, not synchronisation
    double idle = (processCpuNanos() - idle0) / 1e3 / ((System.nanoTime() - w0) / 1e9);
    TABLE.note("");
    TABLE.note("submitter cost per chunk (trivial items; cluster: this JVM a member with workers(0), 3 member JVMs; "
        + "local: new Pool(3)); medians of " + rounds + " rounds");
    TABLE.note(String.format(Locale.ROOT, "%-8s %-7s %7s %12s %12s %12s %12s %10s", "chunk", "side", "chunks",
        "cpu us/chunk", "out B/chunk", "in B/chunk", "chunks/s", "cpu use"));
    for (int c : CHUNKS) {
      int chunks = c >= 1000 ? base / 4 : base; // getProcessCpuTime counts 10 ms ticks: windows of 0.1 s of CPU at least
      List<Integer> some = range(chunks * c);
      checkTrivial(cpool.map(TRIVIAL, some, c), some.size()); // warm-up, untimed
      checkTrivial(lpool.map(TRIVIAL, some, c), some.size());
      double[][] cc = new double[4][rounds];
      double[][] lc = new double[4][rounds];
      for (int r = 0; r < rounds; r++) {
        boolean clusterFirst = r % 2 == 0;
        costRound(clusterFirst ? cpool : lpool, some, c, chunks, clusterFirst ? cc : lc, r);
        costRound(clusterFirst ? lpool : cpool, some, c, chunks, clusterFirst ? lc : cc, r);
      }
      for (int side = 0; side < 2; side++) {
        double[][] m = side == 0 ? cc : lc;
        String s = side == 0 ? "cluster" : "local";
        double cpu = Metrics.median(m[0]);
        double rate = Metrics.median(m[3]);
        TABLE.note(String.format(Locale.ROOT, "%-8d %-7s %7d %12s %12s %12s %12s %9.0f%%", c, s, chunks,
            Metrics.fmt(cpu), side == 0 ? Metrics.fmt(Metrics.median(m[1])) : "-", Metrics.fmt(Metrics.median(m[2])),
            Metrics.fmt(rate),
            cpu * rate / 1e4));
        Metrics.emit("java.cluster.cost.chunk" + c + "." + s + ".cpu_per_chunk", m[0], "us", 1, null);
        Metrics.emit("java.cluster.cost.chunk" + c + "." + s + ".out_per_chunk", m[1], "B", 1, null);
        Metrics.emit("java.cluster.cost.chunk" + c + "." + s + ".in_per_chunk", m[2], "B", 1, null);
        Metrics.emit("java.cluster.cost.chunk" + c + "." + s + ".chunks_per_s", m[3], "chunks/s", 1, null);
      }
    }
    TABLE.note(String.format(Locale.ROOT, "idle, this JVM (the submitting member and the local pool's parent) uses %s us "
        + "of CPU per second, included above", Metrics.fmt(idle)));
    TABLE.note("cpu us/chunk: CPU time of this whole JVM (getProcessCpuTime, 10 ms ticks) per chunk; out/in B/chunk: /proc/self/io "
        + "wchar/rchar per chunk (the local pool's writes to its workers do not show in wchar: '-'); cpu use: of one core, while mapping");
  }

  private static void costRound(Pool pool, List<Integer> some, int c, int chunks, double[][] into, int r)
      throws Exception {
    long cpu0 = processCpuNanos();
    long[] io0 = io();
    long t0 = System.nanoTime();
    List<Integer> out = pool.map(TRIVIAL, some, c);
    long t1 = System.nanoTime();
    long[] io1 = io();
    long cpu1 = processCpuNanos();
    checkTrivial(out, some.size());
    into[0][r] = (cpu1 - cpu0) / 1e3 / chunks;
    into[1][r] = (double) (io1[1] - io0[1]) / chunks;
    into[2][r] = (double) (io1[0] - io0[0]) / chunks;
    into[3][r] = chunks / ((t1 - t0) / 1e9);
  }

  /**
   * The CPU time of this JVM, every thread, dead ones too ({@code getProcessCpuTime} of the JDK's
   * {@code com.sun.management} bean, by reflection: this module does not read {@code jdk.management}).
   */
  private static long processCpuNanos() {
    try {
      Object bean = ManagementFactory.getOperatingSystemMXBean();
      return (long) Class.forName("com.sun.management.OperatingSystemMXBean").getMethod("getProcessCpuTime")
          .invoke(bean);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return ProcCounters.snapshot()[ProcCounters.ALL_RUN_NS]; // live threads only
    }
  }

  /** {@code rchar} and {@code wchar} of {@code /proc/self/io}; zeros where it cannot be read. */
  private static long[] io() {
    long[] rw = new long[2];
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/io"))) {
        if (line.startsWith("rchar:")) {
          rw[0] = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("wchar:")) {
          rw[1] = Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the byte counts read 0
    }
    return rw;
  }

  /**
   * Runs both sides {@link #rounds} times, alternating (cluster first in even rounds), prints one
   * metric line per side, and returns the samples: [0] cluster, [1] local.
   */
  private static double[][] alternate(String key, String unit, Side cluster, Side local) throws Exception {
    double[][] s = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        s[0][r] = cluster.run();
        s[1][r] = local.run();
      } else {
        s[1][r] = local.run();
        s[0][r] = cluster.run();
      }
    }
    Metrics.emit("java.cluster." + key + ".cluster", s[0], unit, 1, null);
    Metrics.emit("java.cluster." + key + ".local", s[1], unit, 1, null);
    return s;
  }

  private static List<Integer> range(int n) {
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(i);
    }
    return l;
  }

  private static void checkBurn(List<Long> r, int size) {
    if (r.size() != size) {
      throw new AssertionError("map(burn) gave " + r.size() + " results, expected " + size);
    }
    for (Long v : r) {
      if (v != expected) {
        throw new AssertionError("burn gave " + v + " in a worker, " + expected + " here");
      }
    }
  }

  private static void checkTrivial(List<Integer> r, int size) {
    if (r.size() != size || r.get(size - 1) != size - 1) {
      throw new AssertionError("map(trivial) gave " + r.size() + " results, expected " + size);
    }
  }

  private static void dispose(Pool pool) throws InterruptedException {
    if (pool != null) {
      pool.terminate();
      pool.join();
    }
  }

  /** The shutdown hook: kills what is left of the member JVMs (and, with them, their workers). */
  private static void killMembers() {
    for (Process p : MEMBERS) {
      try {
        if (p.isAlive()) {
          p.kill();
        }
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  private static void quiet(String property, String level) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, level);
    }
  }

  private static String loadavg() {
    try {
      String[] f = Files.readString(Paths.get("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
