package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.internal.launch.ClassDataSharing;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.pool.SerializableFunction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@link Pool} of two workers, the workloads of CPython's {@code shared/bench/python/mp_pool.py}
 * run with this library. Not a test: run it with {@code bench/ipc.sh --only pool} or
 * {@code mvn -q test-compile exec:exec@bench -Dbench.args="" -Dbench.mainClass=io.github.multiprocessing4j.bench.PoolBench}.
 *
 * <p>Metrics, one line each in the format of the CPython scripts
 * ({@code metric=median unit  # min=.. max=.. n=.. [p99=..] [note]}); "trials" is 5 (2 with
 * {@code --quick}) and every cold measurement runs one more, unrecorded, first trial, as the script
 * does:
 * <ul>
 *   <li>{@code java.serial.cpu_1000x1ms}: {@link #burn} of the calibrated ~1 ms, 1000 times in the
 *       parent (reference), ms.</li>
 *   <li>{@code java.pool.create}: {@code new Pool(2)} returns (it starts both worker JVMs), ms.</li>
 *   <li>{@code java.pool.create_first_result}: {@code new Pool(2)} and {@code apply(noop)}: the cold
 *       start of a usable pool, ms.</li>
 *   <li>{@code java.floor.jvm_first_byte}, {@code java.floor.2jvm_first_byte},
 *       {@code java.floor.2jvm_last_byte}: the floor under the cold pool ({@link PoolFloors}), in
 *       the same trials: a new JVM with the workers' class path runs a trivial main that connects
 *       back and sends one byte; one alone, then two started at once (the first byte, the last),
 *       ms. {@code create_first_result}'s note gives its ratio to the two-JVM first byte.
 *       {@code java.floor.2jvm_cpu} and {@code java.pool.create_first_result.workers_cpu}: the CPU
 *       time those two JVMs and the pool's two workers used from start to exit, which a loaded
 *       machine disturbs less than wall time (the kernel's 10 ms ticks), ms. After the
 *       cold cases, {@code # breakdown} lines show one more cold pool's worker steps.</li>
 *   <li>{@code java.pool.teardown}: {@code shutdown()} and {@code join()} of that pool (CPython's
 *       {@code close()} and {@code join()}), ms.</li>
 *   <li>{@code java.pool.map_trivial_100k.cold}: {@code new Pool(2)} and
 *       {@code map(trivial, 0..99999)} with the default chunk size (4 chunks per worker), timed to the
 *       result list; the pool is then terminated untimed (CPython: {@code with Pool(2) as pool:},
 *       whose exit calls {@code terminate()} after the clock has stopped), ms.</li>
 *   <li>{@code java.pool.map_trivial_100k.warm}: the same map on a pool that has already run it, ms;
 *       the note gives items/s.</li>
 *   <li>{@code java.pool.map_cpu_1000x1ms.cold}: {@code new Pool(2)} and {@code map(burn, 1000
 *       items)}, default chunk size, ms. Cold means cold JVMs too: it includes starting the workers
 *       and {@code burn} running interpreted and C1-compiled in each worker until C2 has compiled
 *       it (an OSR compilation within its first calls).</li>
 *   <li>{@code java.floor.2jvm_map_trivial_100k}, {@code java.floor.2jvm_map_cpu_1000x1ms}: the
 *       floors under the two cold maps ({@link MapFloors}: two new JVMs serve the same chunks over a
 *       plain socket), each alternating with its cold map in the same trials, ms; the cold map's
 *       note gives its ratio to its floor.</li>
 *   <li>{@code java.pool.map_cpu_1000x1ms.warm}: the same on the warm pool after an untimed
 *       {@code map(burn, first 100 items)} (CPython's warm-up, which here also gets {@code burn}
 *       compiled in both workers), ms; the note gives the ideal (items &times; 1 ms / 2 workers) and
 *       the ratio warm/ideal.</li>
 *   <li>{@code java.pool.apply_async_rtt}: {@code applyAsync(noop).get()} on the warm pool, µs,
 *       median of 2000 (300 with {@code --quick}) after 200 unmeasured ones.</li>
 * </ul>
 * With {@code --quick} the sizes are CPython's quick ones: {@code map_trivial_10k},
 * {@code cpu_100x1ms}.
 *
 * <p><b>burn.</b> {@link #burn}{@code (n)} runs a dependent multiply-add chain of {@code n} steps
 * and returns its value, which every caller checks, so the JIT can neither fold nor drop it.
 * {@code n} is calibrated as CPython's {@code calibrate()} does (doubling to 2 ms, then refining
 * until the median of 51 runs is within 3% of 1 ms), in the parent after a JIT warm-up of about a
 * second of {@code burn} calls. The workers are JVMs of their own: their first calls are slower
 * (see the cold case) and a worker may run it a little faster or slower than the parent (so the
 * serial reference divided by two is printed next to the ideal).
 *
 * <p><b>JIT warm-up.</b> CPython has no JIT. Besides the script's own warm-up (one untimed map of
 * all the items before the warm trivial map, of 100 items before the warm CPU map, 200 round trips
 * before the RTTs), each warm case first repeats its own workload untimed for
 * {@code --jit-warmup S} seconds (default 3): trivial maps of 100k items (also with
 * {@code --quick}), CPU maps of 100 items, or round trips, so that the parent and both worker JVMs
 * run compiled code; {@code --jit-warmup 0} measures with CPython's warm-up only. The cold cases
 * get none.
 *
 * <p>Options: {@code --quick}, {@code --jit-warmup S}, {@code --timeout S} (default 900: the run is
 * abandoned after it, and the daemonic workers die with the JVM). Every pool is terminated and
 * joined in a {@code finally}.
 */
public final class PoolBench {

  private static final SerializableCallable<Object> NOOP = PoolBench::noop;
  private static final SerializableFunction<Integer, Integer> TRIVIAL = PoolBench::trivial;
  private static final SerializableFunction<Integer, Long> BURN = PoolBench::burn;

  /** Items of each JIT warm-up round of the trivial map, also with {@code --quick}. */
  private static final int JIT_ITEMS = 100_000;

  /** Keeps results alive. */
  private static volatile long sink;

  private PoolBench() {}

  /**
   * One trial of the floors: one JVM's first byte, then two JVMs' first and last byte and their CPU.
   *
   * @return {one JVM's first byte, two JVMs' first byte, their last byte (seconds), their CPU}
   */
  private static double[] floors() throws IOException, InterruptedException {
    double f1 = PoolFloors.firstBytes(1)[0];
    double cpu0 = PoolFloors.reapedChildrenCpu();
    double[] f2 = PoolFloors.firstBytes(2);
    return new double[] {f1, f2[0], f2[1], PoolFloors.reapedChildrenCpu() - cpu0};
  }

  /**
   * One cold map on the floor ({@link MapFloors}), its results checked.
   *
   * @return seconds
   */
  private static double floorMap(List<Integer> items, String function, int size, long expected) throws Exception {
    List<Long> r = new ArrayList<>(size);
    double seconds = MapFloors.map(items, function, r);
    if (function.equals("burn")) {
      checkBurn(r, size, expected);
    } else if (r.size() != size || r.get(size - 1) != size - 1) {
      throw new AssertionError("the floor's map(trivial) gave " + r.size() + " results, expected " + size);
    }
    return seconds;
  }

  /** CPython's {@code noop()}. */
  static Object noop() {
    return null;
  }

  /** CPython's {@code trivial(x)}. */
  static Integer trivial(Integer x) {
    return x;
  }

  /**
   * The CPU-bound item: {@code n} steps of a dependent multiply-add chain (CPython's
   * {@code burn(n)} adds {@code 0..n-1}, which a JIT could vectorise or fold; this chain it cannot).
   *
   * @param n the number of steps
   * @return the value of the chain, which the callers check
   */
  static long burn(int n) {
    long x = n;
    for (int i = 0; i < n; i++) {
      x = x * 6364136223846793005L + i;
    }
    return x;
  }

  private static double medTime(int n, int reps) {
    double[] ts = new double[reps];
    long s = 0;
    for (int r = 0; r < reps; r++) {
      long t = System.nanoTime();
      s += burn(n);
      ts[r] = (System.nanoTime() - t) / 1e9;
    }
    sink += s;
    java.util.Arrays.sort(ts);
    return ts[reps / 2];
  }

  /**
   * CPython's {@code calibrate()}: the step count of ~1 ms of {@link #burn}, refined until the
   * median of 51 runs is within 3% of 1 ms; after a JIT warm-up of about a second.
   */
  static int calibrate() {
    long s = 0;
    long end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end) {
      s += burn(100_000);
    }
    sink += s;
    long n = 10_000;
    while (medTime((int) n, 5) < 0.002) {
      n *= 2;
    }
    n = (long) (n * 0.001 / medTime((int) n, 11));
    for (int k = 0; k < 5; k++) {
      double dt = medTime((int) n, 51);
      if (Math.abs(dt - 0.001) < 0.00003) {
        break;
      }
      n = (long) (n * 0.001 / dt);
    }
    return (int) n;
  }

  private static void checkBurn(List<Long> r, int size, long expected) {
    if (r.size() != size) {
      throw new AssertionError("map(burn) gave " + r.size() + " results, expected " + size);
    }
    long s = 0;
    for (Long v : r) {
      if (v != expected) {
        throw new AssertionError("burn gave " + v + " in a worker, " + expected + " in the parent");
      }
      s += v;
    }
    sink += s;
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

  /**
   * Runs the benchmark.
   *
   * @param argv {@code --quick}, {@code --jit-warmup S}, {@code --timeout S}
   * @throws Exception if a measurement fails
   */
  public static void main(String[] argv) throws Exception {
    PoolBenchOptions options = PoolBenchOptions.parse("PoolBench", argv);
    if (options == null) {
      return;
    }
    boolean quick = options.quick;
    double jitWarmup = options.jitWarmup;
    int trials = quick ? 2 : 5;
    int nitems = quick ? 10_000 : 100_000;
    int ncpu = quick ? 100 : 1000;

    int n1ms = calibrate();
    long expected = burn(n1ms);
    List<Integer> work = Collections.nCopies(ncpu, n1ms);
    double[] ser = new double[trials];
    for (int i = 0; i < trials; i++) {
      long t = System.nanoTime();
      List<Long> r = new ArrayList<>(ncpu);
      for (Integer n : work) {
        r.add(burn(n));
      }
      ser[i] = (System.nanoTime() - t) / 1e9;
      checkBurn(r, ncpu, expected);
    }
    String cpu = "cpu_" + ncpu + "x1ms";
    Metrics.emit("java.serial." + cpu, ser, "ms", 1e3, "burn(" + n1ms + ")");

    List<Integer> items = new ArrayList<>(nitems);
    for (int i = 0; i < nitems; i++) {
      items.add(i);
    }
    String triv = "map_trivial_" + nitems / 1000 + "k";

    // cold measurements: a new pool each trial
    double[] create = new double[trials];
    double[] first = new double[trials];
    double[] teardown = new double[trials];
    double[] coldTriv = new double[trials];
    double[] coldCpu = new double[trials];
    double[] floor1 = new double[trials];
    double[][] floor2 = new double[trials][];
    double[] poolCpu = new double[trials];
    double[] floor2Cpu = new double[trials];
    for (int i = 0; i < trials + 1; i++) {
      // The floors alternate with the pool, before it in odd trials and after it in even ones, so
      // that drift, and whatever a pool leaves running in this JVM (its JIT), hits both alike.
      boolean floorsFirst = i % 2 == 1;
      double[] floors = floorsFirst ? floors() : null;
      Pool pool = null;
      double cpu0 = PoolFloors.reapedChildrenCpu();
      try {
        long t0 = System.nanoTime();
        pool = new Pool(2);
        long t1 = System.nanoTime();
        pool.apply(NOOP);
        long t2 = System.nanoTime();
        pool.shutdown();
        pool.join();
        long t3 = System.nanoTime();
        if (i > 0) {
          create[i - 1] = (t1 - t0) / 1e9;
          first[i - 1] = (t2 - t0) / 1e9;
          teardown[i - 1] = (t3 - t2) / 1e9;
        }
      } finally {
        dispose(pool);
      }
      if (i == 0 && ClassDataSharing.enabledByDefault()
          && !ClassDataSharing.awaitCreations(java.time.Duration.ofSeconds(120))) {
        throw new IllegalStateException("the class-data sharing archive was not made within 120 s");
      }
      double cpu1 = PoolFloors.reapedChildrenCpu();
      if (!floorsFirst) {
        floors = floors();
      }
      if (i > 0) {
        floor1[i - 1] = floors[0];
        floor2[i - 1] = new double[] {floors[1], floors[2]};
        poolCpu[i - 1] = cpu1 - cpu0;
        floor2Cpu[i - 1] = floors[3];
      }
    }
    double[] floorTriv = new double[trials];
    double[] floorCpu = new double[trials];
    for (int i = 0; i < trials + 1; i++) {
      // Each cold map and its floor (MapFloors) alternate, as the first result and its floors do.
      boolean floorsFirst = i % 2 == 1;
      double ft = floorsFirst ? floorMap(items, "trivial", nitems, expected) : 0;
      Pool pool = null;
      try {
        long t0 = System.nanoTime();
        pool = new Pool(2);
        List<Integer> r = pool.map(TRIVIAL, items);
        long t1 = System.nanoTime();
        checkTrivial(r, nitems);
        if (i > 0) {
          coldTriv[i - 1] = (t1 - t0) / 1e9;
        }
      } finally {
        dispose(pool);
      }
      if (!floorsFirst) {
        ft = floorMap(items, "trivial", nitems, expected);
      }
      double fc = floorsFirst ? floorMap(work, "burn", ncpu, expected) : 0;
      pool = null;
      try {
        long t0 = System.nanoTime();
        pool = new Pool(2);
        List<Long> r = pool.map(BURN, work);
        long t1 = System.nanoTime();
        checkBurn(r, ncpu, expected);
        if (i > 0) {
          coldCpu[i - 1] = (t1 - t0) / 1e9;
        }
      } finally {
        dispose(pool);
      }
      if (!floorsFirst) {
        fc = floorMap(work, "burn", ncpu, expected);
      }
      if (i > 0) {
        floorTriv[i - 1] = ft;
        floorCpu[i - 1] = fc;
      }
    }
    Metrics.emit("java.pool.create", create, "ms", 1e3, null);
    double[] floor2First = new double[trials];
    double[] floor2Last = new double[trials];
    for (int i = 0; i < trials; i++) {
      floor2First[i] = floor2[i][0];
      floor2Last[i] = floor2[i][1];
    }
    Metrics.emit("java.floor.jvm_first_byte", floor1, "ms", 1e3, "a new JVM's trivial main connects back and sends a byte");
    Metrics.emit("java.floor.2jvm_first_byte", floor2First, "ms", 1e3, "two such JVMs started at once: the first byte");
    Metrics.emit("java.floor.2jvm_last_byte", floor2Last, "ms", 1e3, "and the second");
    Metrics.emit("java.pool.create_first_result", first, "ms", 1e3, String.format(Locale.ROOT,
        "%.2fx the two-JVM floor's first byte", Metrics.median(first) / Metrics.median(floor2First)));
    Metrics.emit("java.floor.2jvm_cpu", floor2Cpu, "ms", 1e3, "CPU of the two floor JVMs, start to exit (10 ms ticks)");
    Metrics.emit("java.pool.create_first_result.workers_cpu", poolCpu, "ms", 1e3, String.format(Locale.ROOT,
        "CPU of both workers, start to exit after shutdown; %.2fx the floor's",
        Metrics.median(poolCpu) / Metrics.median(floor2Cpu)));
    Metrics.emit("java.pool.teardown", teardown, "ms", 1e3, "shutdown()+join()");
    Metrics.emit("java.floor.2jvm_" + triv, floorTriv, "ms", 1e3,
        "two new JVMs serve the same map's chunks over a plain socket, ints in and longs out (MapFloors)");
    Metrics.emit("java.pool." + triv + ".cold", coldTriv, "ms", 1e3, String.format(Locale.ROOT,
        "incl. Pool(2) creation; %.2fx the floor's map", Metrics.median(coldTriv) / Metrics.median(floorTriv)));
    Metrics.emit("java.floor.2jvm_map_" + cpu, floorCpu, "ms", 1e3,
        "two new JVMs serve the same map's chunks over a plain socket, burn's JIT warm-up included (MapFloors)");
    PoolFloors.breakdown(NOOP);

    // warm pool
    Pool pool = null;
    try {
      pool = new Pool(2);
      checkTrivial(pool.map(TRIVIAL, items), nitems); // CPython's warm-up
      List<Integer> jitItems = new ArrayList<>(JIT_ITEMS);
      for (int i = 0; i < JIT_ITEMS; i++) {
        jitItems.add(i);
      }
      for (long end = Metrics.deadline(jitWarmup); System.nanoTime() < end; ) {
        checkTrivial(pool.map(TRIVIAL, jitItems), JIT_ITEMS);
      }
      double[] warmTriv = new double[trials];
      for (int i = 0; i < trials; i++) {
        long t = System.nanoTime();
        List<Integer> r = pool.map(TRIVIAL, items);
        warmTriv[i] = (System.nanoTime() - t) / 1e9;
        checkTrivial(r, nitems);
      }
      Metrics.emit("java.pool." + triv + ".warm", warmTriv, "ms", 1e3,
          String.format(Locale.ROOT, "%.0f items/s", nitems / Metrics.median(warmTriv)));
      Metrics.emit("java.pool.map_" + cpu + ".cold", coldCpu, "ms", 1e3, String.format(Locale.ROOT,
          "incl. Pool(2) creation, worker JVM start and burn's JIT warm-up; %.2fx the floor's map",
          Metrics.median(coldCpu) / Metrics.median(floorCpu)));

      List<Integer> work100 = work.subList(0, Math.min(100, ncpu));
      for (long k = 0, end = Metrics.deadline(jitWarmup); k < 1 || System.nanoTime() < end; k++) {
        checkBurn(pool.map(BURN, work100), work100.size(), expected);
      }
      double[] warmCpu = new double[trials];
      for (int i = 0; i < trials; i++) {
        long t = System.nanoTime();
        List<Long> r = pool.map(BURN, work);
        warmCpu[i] = (System.nanoTime() - t) / 1e9;
        checkBurn(r, ncpu, expected);
      }
      double ideal = ncpu * 1e-3 / 2;
      Metrics.emit("java.pool.map_" + cpu + ".warm", warmCpu, "ms", 1e3, String.format(Locale.ROOT,
          "burn(%d) ideal=%s ms (%d x 1 ms / 2 workers) warm/ideal=%.3f; serial/2=%s ms, warm/(serial/2)=%.3f",
          n1ms, Metrics.fmt(ideal * 1e3), ncpu, Metrics.median(warmCpu) / ideal,
          Metrics.fmt(Metrics.median(ser) / 2 * 1e3), Metrics.median(warmCpu) / (Metrics.median(ser) / 2)));

      for (long k = 0, end = Metrics.deadline(jitWarmup); k < 200 || System.nanoTime() < end; k++) {
        pool.applyAsync(NOOP).get();
      }
      double[] rtts = new double[quick ? 300 : 2000];
      for (int i = 0; i < rtts.length; i++) {
        long t = System.nanoTime();
        pool.applyAsync(NOOP).get();
        rtts[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit("java.pool.apply_async_rtt", rtts, "us", 1e6, null);
    } finally {
      dispose(pool);
    }
  }
}
