package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.pool.SerializableFunction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * {@link ProcessPoolExecutor} of two workers, the workloads of CPython's
 * {@code shared/bench/python/mp_futures.py} ({@code concurrent.futures.ProcessPoolExecutor(2)})
 * run with this library. Not a test: run it with {@code bench/ipc.sh --only futures} or
 * {@code mvn -q test-compile exec:exec@bench -Dbench.args="" -Dbench.mainClass=io.github.multiprocessing4j.bench.FuturesBench}.
 *
 * <p>Metrics, one line each in the format of the CPython scripts; "trials" is 5 (2 with
 * {@code --quick}):
 * <ul>
 *   <li>{@code java.ppe.create_first_result}: {@code new ProcessPoolExecutor(2)} and
 *       {@code submit(noop).get()}: the first worker starts with that submission; ms, median of the
 *       trials after one unrecorded trial. Each executor is then closed untimed
 *       ({@code close()}, CPython's {@code shutdown()}).</li>
 *   <li>{@code java.ppe.submit_result_rtt}: {@code submit(noop).get()} on a warm executor, µs,
 *       median of 2000 (300 with {@code --quick}) after 200 unmeasured ones. Both workers exist
 *       first: as the script does, two tasks that sleep 0.2 s are submitted at once (the second
 *       finds no idle worker, so a second one starts) and awaited.</li>
 *   <li>{@code java.ppe.map_trivial_10k}: the whole {@code map(trivial, 0..9999)} iterator drained
 *       into a list, chunk size 1 (CPython's default), on the warm executor after an untimed map
 *       of 1000 items; ms, the note gives items/s. With {@code --quick}: {@code map_trivial_2k}.</li>
 *   <li>{@code java.ppe.map_trivial_10k.chunk100}: the same with {@code map(trivial, items, null,
 *       100)}.</li>
 * </ul>
 *
 * <p><b>JIT warm-up.</b> CPython has no JIT. Besides the script's own warm-up, each warm case
 * first repeats its own workload untimed for {@code --jit-warmup S} seconds (default 3): round
 * trips, or maps of 10k items at its chunk size (also with {@code --quick});
 * {@code --jit-warmup 0} measures with the script's warm-up only.
 *
 * <p>Options: {@code --quick}, {@code --jit-warmup S}, {@code --timeout S} (default 900). Every
 * executor is shut down with {@code shutdownNow()} in a {@code finally} if it is not closed
 * normally.
 */
public final class FuturesBench {

  private static final SerializableCallable<Object> NOOP = FuturesBench::noop;
  private static final SerializableFunction<Integer, Integer> TRIVIAL = FuturesBench::trivial;

  /** Items of each JIT warm-up round of the maps, also with {@code --quick}. */
  private static final int JIT_ITEMS = 10_000;

  private FuturesBench() {}

  /** CPython's {@code noop()}. */
  static Object noop() {
    return null;
  }

  /** CPython's {@code trivial(x)}. */
  static Integer trivial(Integer x) {
    return x;
  }

  /** CPython's {@code nap(s)}: the sleep is the workload. */
  static Object nap(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return null;
  }

  private static List<Integer> drain(Iterator<Integer> it, int expected) {
    List<Integer> r = new ArrayList<>(expected);
    while (it.hasNext()) {
      r.add(it.next());
    }
    if (r.size() != expected || r.get(expected - 1) != expected - 1) {
      throw new AssertionError("map(trivial) gave " + r.size() + " results, expected " + expected);
    }
    return r;
  }

  /**
   * Runs the benchmark.
   *
   * @param argv {@code --quick}, {@code --jit-warmup S}, {@code --timeout S}
   * @throws Exception if a measurement fails
   */
  public static void main(String[] argv) throws Exception {
    PoolBenchOptions options = PoolBenchOptions.parse("FuturesBench", argv);
    if (options == null) {
      return;
    }
    boolean quick = options.quick;
    double jitWarmup = options.jitWarmup;
    int trials = quick ? 2 : 5;
    int nitems = quick ? 2000 : 10_000;

    double[] cold = new double[trials];
    for (int i = 0; i < trials + 1; i++) {
      ProcessPoolExecutor ex = null;
      boolean closed = false;
      try {
        long t = System.nanoTime();
        ex = new ProcessPoolExecutor(2);
        ex.submit(NOOP).get();
        long dt = System.nanoTime() - t;
        ex.close();
        closed = true;
        if (i > 0) {
          cold[i - 1] = dt / 1e9;
        }
      } finally {
        if (ex != null && !closed) {
          ex.shutdownNow();
        }
      }
    }
    Metrics.emit("java.ppe.create_first_result", cold, "ms", 1e3, null);

    ProcessPoolExecutor ex = new ProcessPoolExecutor(2);
    boolean closed = false;
    try {
      List<AsyncResult<Object>> naps = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        naps.add(ex.submit(() -> nap(200))); // make sure both workers exist
      }
      for (AsyncResult<Object> f : naps) {
        f.get();
      }
      for (long k = 0, end = Metrics.deadline(jitWarmup); k < 200 || System.nanoTime() < end; k++) {
        ex.submit(NOOP).get();
      }
      double[] rtts = new double[quick ? 300 : 2000];
      for (int i = 0; i < rtts.length; i++) {
        long t = System.nanoTime();
        ex.submit(NOOP).get();
        rtts[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit("java.ppe.submit_result_rtt", rtts, "us", 1e6, null);

      List<Integer> items = new ArrayList<>(nitems);
      for (int i = 0; i < nitems; i++) {
        items.add(i);
      }
      String name = "java.ppe.map_trivial_" + nitems / 1000 + "k";
      drain(ex.map(TRIVIAL, items.subList(0, 1000)), 1000);
      List<Integer> jitItems = new ArrayList<>(JIT_ITEMS);
      for (int i = 0; i < JIT_ITEMS; i++) {
        jitItems.add(i);
      }
      for (long end = Metrics.deadline(jitWarmup); System.nanoTime() < end; ) {
        drain(ex.map(TRIVIAL, jitItems), JIT_ITEMS);
      }
      double[] ts = new double[trials];
      for (int i = 0; i < trials; i++) {
        long t = System.nanoTime();
        drain(ex.map(TRIVIAL, items), nitems);
        ts[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit(name, ts, "ms", 1e3,
          String.format(Locale.ROOT, "chunksize=1, %.0f items/s", nitems / Metrics.median(ts)));

      for (long end = Metrics.deadline(jitWarmup); System.nanoTime() < end; ) {
        drain(ex.map(TRIVIAL, jitItems, null, 100), JIT_ITEMS);
      }
      ts = new double[trials];
      for (int i = 0; i < trials; i++) {
        long t = System.nanoTime();
        drain(ex.map(TRIVIAL, items, null, 100), nitems);
        ts[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit(name + ".chunk100", ts, "ms", 1e3, null);
      ex.close();
      closed = true;
    } finally {
      if (!closed) {
        ex.shutdownNow();
      }
    }
  }
}
