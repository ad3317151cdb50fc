package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.internal.launch.ClassDataSharing;
import io.github.multiprocessing4j.internal.launch.Classpath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Start latency of a child JVM: the library's {@link Process} against the raw floor, a plain
 * {@link ProcessBuilder} running a no-op main with the same class path. Not a test: run it with
 * {@code bench/start.sh} or {@code mvn -q test-compile exec:exec@bench -Dbench.args="--trials 30"}.
 *
 * <p>Metrics, each printed as one line {@code metric=median unit  # min=.. max=.. n=..} (the format
 * of the CPython scripts under {@code shared/bench/python}):
 * <ul>
 *   <li>{@code java.lib.start_join}: {@code new Process(NoopTarget.class)}, {@code start()},
 *       {@code join()}; the library's default output handling (both streams pumped).</li>
 *   <li>{@code java.lib.start_only}: the part of the above until {@code start()} returned.</li>
 *   <li>{@code java.lib.start_join.child_cpu} (and {@code java.raw.}): the mean CPU time of one
 *       such child from start to exit, from this JVM's reaped-children CPU ({@code /proc/self/stat},
 *       10 ms ticks, hence a mean over the trials), which a loaded machine disturbs less than the
 *       wall time.</li>
 *   <li>{@code java.lib.start8_join}: 8 processes started at once, then all joined.</li>
 *   <li>{@code java.lib.time_to_target}: from before the Process is created to the first line of
 *       the child's target, by the wall clock (see {@link WallClock}); the child prints its time
 *       on stdout, which the parent reads through {@link ChildOutput#toLines}.</li>
 *   <li>{@code java.lib.first_start_join}: the first start+join in this JVM (one sample), which
 *       also loads and initialises the library's parent side.</li>
 *   <li>{@code java.warm.start_join}, {@code java.warm.start_only}, {@code java.warm.time_to_target},
 *       {@code java.warm.start8_join}: the same as {@code java.lib.*} with
 *       {@code startMethod("forkserver")} and the default output handling (pumped, so a spare can
 *       serve): {@code start()} takes a spare JVM launched ahead of time with the same settings and
 *       has a new spare launched in the background. These measure the steady state, in which a
 *       spare is ready: one untimed warm start first (it is cold and has the first spare launched),
 *       then before every timed warm trial {@link Multiprocessing#awaitSpares} (the spare launched
 *       by the previous start has warmed up) and a pause of {@code --warm-settle-ms} (default 50),
 *       so that the spare's last JIT compilations do not compete with the trial. A start that
 *       follows the previous one sooner may wait for its spare to boot, and is slower than these
 *       figures. {@code start8_join} needs 8 spares at once: the bench JVM must run with
 *       {@code -Dmultiprocessing4j.spares=8} ({@code bench/start.sh} passes it; the property is
 *       read once per JVM, so it cannot be set from here), else the metric is skipped with a note.
 *       Its untimed first batch of 8 has 8 spares launched. The spare launched during a timed trial
 *       is part of its cost. The warm trials run as their own block, after the lib/raw ones, and
 *       the spares are discarded at the end.</li>
 *   <li>{@code java.rawwarm.start_join}: the floor under {@code java.warm.start_join}, measured in
 *       the same loop (after each warm trial): a raw JVM ({@code NoopMain --wait}, the same class
 *       path and plumbing as {@code java.raw.*}) started ahead of time, which has written its ready
 *       byte and waits on its stdin, the same pause after it; timed from one byte written to its
 *       stdin (it then calls {@code System.exit(0)}, as a library child does) to {@code waitFor()}
 *       returning and its output drained: a handoff and a JVM's exit, with no library.</li>
 *   <li>{@code java.raw.*}: the same with {@code java -cp <the library's child class path>
 *       NoopMain}. To compare like with like, the raw child gets the library's default plumbing:
 *       stdin, stdout and stderr are pipes, and the parent drains stdout and stderr to their end
 *       (in its own thread) before {@code waitFor()}.</li>
 * </ul>
 *
 * <p>Lib and raw trials alternate (lib, raw, raw, lib, ...) so that drift on a noisy machine hits
 * both alike. Every child is killed on failure or interruption.
 *
 * <p>Options: {@code --trials N} (default 30; start8 uses N/3, at least 4), {@code --quick} (8
 * trials), {@code --child-opt OPT} (repeatable; a JVM option for every child, lib, warm and raw,
 * e.g. {@code -XX:TieredStopAtLevel=1}), {@code --warm-settle-ms MS} (default 50; the pause before
 * each timed warm trial once the spares are ready), {@code --no-warm} (skip the
 * {@code java.warm.*} metrics), {@code --cds} and {@code --short-lived} (lib and warm children
 * with {@code Process.Builder.classDataSharing(true)} and {@code shortLived(true)}; raw children do
 * not get them, use {@link StartOptionsBench} to compare settings; with {@code --cds} the bench
 * waits after its warm-up until the archive is created, and needs a class path of jars).
 */
public final class StartBench {

  private static final long TIMEOUT_S = 60;
  private static final int BATCH = 8;
  /** The forkserver spares kept per setting, as the library reads it (once per JVM). */
  private static final int SPARES = Math.max(0, Integer.getInteger("multiprocessing4j.spares", 1));

  /** Every child started and not yet reaped, for the cleanup. */
  private static final List<Process> LIVE_LIB = new CopyOnWriteArrayList<>();
  private static final List<java.lang.Process> LIVE_RAW = new CopyOnWriteArrayList<>();

  private final List<String> childOpts;
  private final List<String> rawCommand;
  private final List<String> rawTimeCommand;
  private final List<String> rawWaitCommand;
  private final long warmSettleMs;
  /** {@code Process.Builder.classDataSharing(true)} and {@code shortLived(true)} for lib and warm children. */
  private final boolean cds;
  private final boolean shortLived;

  private StartBench(List<String> childOpts, long warmSettleMs, boolean cds, boolean shortLived) throws IOException {
    this.childOpts = childOpts;
    this.cds = cds;
    this.shortLived = shortLived;
    this.warmSettleMs = warmSettleMs;
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(childOpts);
    // Exactly the class path arguments the library gives its children.
    cmd.addAll(Classpath.commandLineArgs(Classpath.entries()));
    cmd.add(NoopMain.class.getName());
    this.rawCommand = List.copyOf(cmd);
    cmd.add("--time");
    this.rawTimeCommand = List.copyOf(cmd);
    cmd.set(cmd.size() - 1, "--wait");
    this.rawWaitCommand = List.copyOf(cmd);
  }

  public static void main(String[] argv) throws Exception {
    int trials = 30;
    long warmSettleMs = 50;
    boolean warm = true;
    boolean cds = false;
    boolean shortLived = false;
    List<String> childOpts = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--quick":
          trials = 8;
          break;
        case "--trials":
          trials = Integer.parseInt(argv[++i]);
          break;
        case "--child-opt":
          childOpts.add(argv[++i]);
          break;
        case "--warm-settle-ms":
          warmSettleMs = Long.parseLong(argv[++i]);
          break;
        case "--no-warm":
          warm = false;
          break;
        case "--cds":
          cds = true;
          break;
        case "--short-lived":
          shortLived = true;
          break;
        case "-h":
        case "--help":
          System.out.println("usage: StartBench [--trials N | --quick] [--child-opt JVM_OPTION]..."
              + " [--warm-settle-ms MS] [--no-warm] [--cds] [--short-lived]");
          return;
        default:
          if (argv[i].isBlank()) {
            break; // an empty -Dbench.args
          }
          System.err.println("unknown option " + argv[i] + "; try --help");
          System.exit(2);
      }
    }
    if (trials < 1) {
      throw new IllegalArgumentException("--trials must be positive");
    }
    if (warmSettleMs < 0) {
      throw new IllegalArgumentException("--warm-settle-ms must not be negative");
    }
    Thread cleaner = new Thread(StartBench::cleanup, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleaner);
    try {
      new StartBench(childOpts, warmSettleMs, cds, shortLived).run(trials, warm);
    } finally {
      try {
        cleanup();
      } finally {
        Multiprocessing.discardSpares(); // the idle forkserver spares
      }
    }
  }

  private void run(int trials, boolean warm) throws Exception {
    System.out.println(String.format(Locale.ROOT, "# StartBench.java: java %s (%s, %s), %d cpus, canary loop(1e7)=%.2f ms",
        System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("java.home"),
        Runtime.getRuntime().availableProcessors(), Metrics.canary()));
    String cp = String.join(" ", rawCommand.subList(1 + childOpts.size(), rawCommand.size() - 1));
    System.out.println("# raw child: java " + String.join(" ", childOpts) + (childOpts.isEmpty() ? "" : " ")
        + (cp.length() > 60 ? cp.substring(0, 3) + " <" + cp.length() + " chars>" : cp) + " "
        + NoopMain.class.getName() + "; stdin/stdout/stderr piped, output drained; lib child: default"
        + " pumps" + (cds ? ", classDataSharing(true)" : "") + (shortLived ? ", shortLived(true)" : "")
        + "; trials alternate lib/raw");
    System.out.println("# warm child: lib with startMethod(\"forkserver\"); " + (!warm ? "skipped (--no-warm)"
        : "multiprocessing4j.spares=" + SPARES + " (spares kept per setting; start8 needs " + BATCH + "), "
        + "before each timed warm trial: awaitSpares, then a " + warmSettleMs + " ms pause"));
    System.out.flush();

    // The first of each in this JVM: raw first, so the lib's includes only the library's own warm-up.
    double firstRaw = rawStartJoin()[0];
    double firstLib = startJoin(false)[0];
    Metrics.emit("java.raw.first_start_join", new double[] {firstRaw}, "ms", 1, "first in this JVM");
    Metrics.emit("java.lib.first_start_join", new double[] {firstLib}, "ms", 1,
        "first in this JVM: includes the library's parent-side class loading");

    for (int i = 0; i < 3; i++) {
      startJoin(false);
      rawStartJoin();
    }
    if (cds && !ClassDataSharing.awaitCreations(Duration.ofSeconds(TIMEOUT_S))) {
      System.out.println("# the class-data sharing archive was not created within " + TIMEOUT_S + " s");
    }
    double[][] lib = new double[trials][];
    double[][] raw = new double[trials][];
    double[] libCpu = new double[trials];
    double[] rawCpu = new double[trials];
    for (int i = 0; i < trials; i++) {
      // The CPU of each joined child too (reaped children's CPU), which load disturbs less.
      double c0 = PoolFloors.reapedChildrenCpu();
      if (i % 2 == 0) {
        lib[i] = startJoin(false);
        double c1 = PoolFloors.reapedChildrenCpu();
        raw[i] = rawStartJoin();
        libCpu[i] = c1 - c0;
        rawCpu[i] = PoolFloors.reapedChildrenCpu() - c1;
      } else {
        raw[i] = rawStartJoin();
        double c1 = PoolFloors.reapedChildrenCpu();
        lib[i] = startJoin(false);
        rawCpu[i] = c1 - c0;
        libCpu[i] = PoolFloors.reapedChildrenCpu() - c1;
      }
    }
    Metrics.emit("java.lib.start_join", column(lib, 0), "ms", 1, null);
    Metrics.emit("java.raw.start_join", column(raw, 0), "ms", 1, null);
    // Means, not medians: the kernel counts CPU in 10 ms ticks, so a median of one child is a tick.
    Metrics.emit("java.lib.start_join.child_cpu", new double[] {mean(libCpu)}, "ms", 1e3,
        "mean CPU of a child, start to exit, over the trials (10 ms ticks)");
    Metrics.emit("java.raw.start_join.child_cpu", new double[] {mean(rawCpu)}, "ms", 1e3,
        String.format(Locale.ROOT, "the same for the raw child; lib/raw %.2f", mean(libCpu) / mean(rawCpu)));
    Metrics.emit("java.lib.start_only", column(lib, 1), "ms", 1, null);
    Metrics.emit("java.raw.start_only", column(raw, 1), "ms", 1, null);

    timeToTarget(false);
    rawTimeToTarget();
    double[] libT = new double[trials];
    double[] rawT = new double[trials];
    for (int i = 0; i < trials; i++) {
      if (i % 2 == 0) {
        libT[i] = timeToTarget(false);
        rawT[i] = rawTimeToTarget();
      } else {
        rawT[i] = rawTimeToTarget();
        libT[i] = timeToTarget(false);
      }
    }
    Metrics.emit("java.lib.time_to_target", libT, "ms", 1, "wall clock (Instant.now) in both JVMs");
    Metrics.emit("java.raw.time_to_target", rawT, "ms", 1, "wall clock (Instant.now) in both JVMs");

    int batches = Math.max(4, trials / 3);
    start8Join(false);
    rawStart8Join();
    double[] lib8 = new double[batches];
    double[] raw8 = new double[batches];
    for (int i = 0; i < batches; i++) {
      if (i % 2 == 0) {
        lib8[i] = start8Join(false);
        raw8[i] = rawStart8Join();
      } else {
        raw8[i] = rawStart8Join();
        lib8[i] = start8Join(false);
      }
    }
    Metrics.emit("java.lib.start8_join", lib8, "ms", 1, null);
    Metrics.emit("java.raw.start8_join", raw8, "ms", 1, null);

    if (warm) {
      runWarm(trials, batches);
    }
  }

  /**
   * The {@code java.warm.*} metrics, as their own block: before every timed trial the spare the
   * previous start had launched has warmed up (see the class comment).
   */
  private void runWarm(int trials, int batches) throws Exception {
    String note = "forkserver, spare warm (awaitSpares) + " + warmSettleMs + " ms pause; a start right after the"
        + " previous one may wait for the spare to boot";
    startJoin(true); // untimed: cold, has the first spare launched
    rawWarmStartJoin(rawWaiting()); // untimed: the first in this JVM
    double[][] warm = new double[trials][];
    double[] rawWarm = new double[trials];
    for (int i = 0; i < trials; i++) {
      settle(warmSettleMs);
      warm[i] = startJoin(true);
      java.lang.Process waiting = rawWaiting();
      Thread.sleep(warmSettleMs);
      rawWarm[i] = rawWarmStartJoin(waiting);
    }
    Metrics.emit("java.warm.start_join", column(warm, 0), "ms", 1, note);
    Metrics.emit("java.warm.start_only", column(warm, 1), "ms", 1, note);
    Metrics.emit("java.rawwarm.start_join", rawWarm, "ms", 1, String.format(Locale.ROOT,
        "a raw JVM waiting on its stdin: a byte, System.exit(0), waitFor; warm/rawwarm %.2f",
        median(column(warm, 0)) / median(rawWarm)));

    double[] warmT = new double[trials];
    for (int i = 0; i < trials; i++) {
      settle(warmSettleMs);
      warmT[i] = timeToTarget(true);
    }
    Metrics.emit("java.warm.time_to_target", warmT, "ms", 1, note + "; wall clock (Instant.now) in both JVMs");

    if (SPARES < BATCH) {
      System.out.println("# java.warm.start8_join skipped: this JVM keeps " + SPARES + " spare(s) per setting,"
          + " fewer than " + BATCH + "; run it with -Dmultiprocessing4j.spares=" + BATCH + " (bench/start.sh does)");
      return;
    }
    start8Join(true); // untimed: at most one spare is ready, the others start cold; has 8 spares launched
    double[] warm8 = new double[batches];
    for (int i = 0; i < batches; i++) {
      settle(warmSettleMs);
      warm8[i] = start8Join(true);
    }
    Metrics.emit("java.warm.start8_join", warm8, "ms", 1, "forkserver, spares=" + SPARES + ", spares warm + "
        + warmSettleMs + " ms pause; includes launching the 8 replacement spares; a batch right after"
        + " the previous one may wait for spares to boot");
  }

  /** Waits until the spares have warmed up, then pauses so that their JIT threads quiet down. */
  private static void settle(long millis) throws InterruptedException {
    if (!Multiprocessing.awaitSpares(Duration.ofSeconds(60))) {
      System.out.println("# spares not warm after 60 s: the next trial may include a spare's boot");
    }
    Thread.sleep(millis);
  }

  // -----------------------------------------------------------------------------------------------
  // The library: spawn, or forkserver with a spare ready

  private Process.Builder libBuilder() {
    Process.Builder b = Process.builder().classDataSharing(cds).shortLived(shortLived);
    if (!childOpts.isEmpty()) {
      b.jvmOptions(childOpts.toArray(new String[0]));
    }
    return b;
  }

  /**
   * A library process: cold (spawn) or, if {@code warm}, with the forkserver start method; the
   * default output handling unless {@code stdout} is given.
   */
  private Process newProcess(boolean warm, Class<? extends Target> target, ChildOutput stdout) {
    if (!warm && stdout == null && childOpts.isEmpty() && !cds && !shortLived) {
      return new Process(target);
    }
    Process.Builder b = libBuilder().target(target);
    if (warm) {
      b.startMethod("forkserver");
    }
    if (stdout != null) {
      b.stdout(stdout);
    }
    return b.build();
  }

  /** [start+join, start only] in ms. */
  private double[] startJoin(boolean warm) throws InterruptedException {
    long t0 = System.nanoTime();
    Process p = newProcess(warm, NoopTarget.class, null);
    LIVE_LIB.add(p);
    p.start();
    long t1 = System.nanoTime();
    libJoin(p);
    long t2 = System.nanoTime();
    return new double[] {ms(t2 - t0), ms(t1 - t0)};
  }

  private double start8Join(boolean warm) throws InterruptedException {
    long t0 = System.nanoTime();
    List<Process> ps = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      Process p = newProcess(warm, NoopTarget.class, null);
      LIVE_LIB.add(p);
      ps.add(p);
    }
    for (Process p : ps) {
      p.start();
    }
    for (Process p : ps) {
      libJoin(p);
    }
    return ms(System.nanoTime() - t0);
  }

  private double timeToTarget(boolean warm) throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    long t0 = WallClock.micros();
    Process p = newProcess(warm, TimeTarget.class, ChildOutput.toLines(first::complete));
    LIVE_LIB.add(p);
    p.start();
    String line = first.get(TIMEOUT_S, TimeUnit.SECONDS);
    libJoin(p);
    return (Long.parseLong(line.trim()) - t0) / 1e3;
  }

  private static void libJoin(Process p) throws InterruptedException {
    if (!p.join(Duration.ofSeconds(TIMEOUT_S))) {
      throw new IllegalStateException(p + " did not end within " + TIMEOUT_S + " s");
    }
    if (p.exitCode() != 0) {
      throw new IllegalStateException(p + " ended with exit code " + p.exitCode()
          + p.failure().map(f -> ": " + f).orElse(""));
    }
    LIVE_LIB.remove(p);
  }

  // -----------------------------------------------------------------------------------------------
  // The raw floor

  private java.lang.Process rawStart(List<String> command) throws IOException {
    java.lang.Process p = new ProcessBuilder(command).start(); // all three streams are pipes
    LIVE_RAW.add(p);
    return p;
  }

  private static double mean(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    return sum / xs.length;
  }

  /** A raw JVM started ahead of time, once it has written its ready byte. */
  private java.lang.Process rawWaiting() throws Exception {
    java.lang.Process p = rawStart(rawWaitCommand);
    if (p.getInputStream().read() != NoopMain.READY) {
      throw new IllegalStateException("raw waiting child " + p.pid() + " did not say it was ready");
    }
    return p;
  }

  private static double rawWarmStartJoin(java.lang.Process waiting) throws Exception {
    long t0 = System.nanoTime();
    waiting.getOutputStream().write(1);
    waiting.getOutputStream().flush();
    rawJoin(waiting);
    return ms(System.nanoTime() - t0);
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private double[] rawStartJoin() throws Exception {
    long t0 = System.nanoTime();
    java.lang.Process p = rawStart(rawCommand);
    long t1 = System.nanoTime();
    rawJoin(p);
    long t2 = System.nanoTime();
    return new double[] {ms(t2 - t0), ms(t1 - t0)};
  }

  private double rawStart8Join() throws Exception {
    long t0 = System.nanoTime();
    List<java.lang.Process> ps = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      ps.add(rawStart(rawCommand));
    }
    for (java.lang.Process p : ps) {
      rawJoin(p);
    }
    return ms(System.nanoTime() - t0);
  }

  private double rawTimeToTarget() throws Exception {
    long t0 = WallClock.micros();
    java.lang.Process p = rawStart(rawTimeCommand);
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    rawJoin(p);
    if (line == null) {
      throw new IllegalStateException("the raw child printed no time");
    }
    return (Long.parseLong(line.trim()) - t0) / 1e3;
  }

  /** Drains stdout and stderr to their end, waits, closes stdin, checks the exit status. */
  private static void rawJoin(java.lang.Process p) throws Exception {
    drain(p.getInputStream());
    drain(p.getErrorStream());
    if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      throw new IllegalStateException("raw child " + p.pid() + " did not end within " + TIMEOUT_S + " s");
    }
    p.getOutputStream().close();
    if (p.exitValue() != 0) {
      throw new IllegalStateException("raw child " + p.pid() + " ended with status " + p.exitValue());
    }
    LIVE_RAW.remove(p);
  }

  private static void drain(InputStream in) throws IOException {
    try (InputStream i = in) {
      byte[] buf = new byte[8192];
      while (i.read(buf) >= 0) {
        // discard
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Cleanup, canary, output

  /** Kills every child still alive; idempotent, also run as a shutdown hook. */
  private static synchronized void cleanup() {
    for (java.lang.Process p : LIVE_RAW) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LIVE_RAW.remove(p);
    }
    for (Process p : LIVE_LIB) {
      try {
        if (p.pid() != null && p.isAlive()) {
          p.kill();
        }
        if (p.pid() == null || p.join(Duration.ofSeconds(10))) {
          LIVE_LIB.remove(p);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        System.err.println("# cleanup of " + p.name() + " failed: " + e);
      }
    }
    if (!LIVE_RAW.isEmpty() || !LIVE_LIB.isEmpty()) {
      System.err.println("# WARNING: children left after cleanup: raw " + LIVE_RAW.size() + ", lib " + LIVE_LIB.size());
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double[] column(double[][] rows, int c) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][c];
    }
    return out;
  }
}
