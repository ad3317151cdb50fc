package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.shared.Value;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;

/**
 * A shared counter incremented by two processes, the workload of CPython's
 * {@code shared/bench/python/mp_value.py}: 2 children each increment a {@code Value('i')} 100k
 * times; timed from the parent's go to the later child's last increment (start-up and exit
 * excluded; each child writes its {@link System#nanoTime()}, CLOCK_MONOTONIC on Linux and so
 * comparable across processes, into a shared array). Not a test: run it with
 * {@code bench/ipc.sh --only value}.
 *
 * <p>Variants ({@link Variant}): {@code value_atomic}, lock-free {@link RawValue#getAndAdd(long)}
 * (beyond CPython, which has no atomic increment), and {@code value_lock}, CPython's workload
 * ({@code with v.get_lock(): v.value += 1}) with the locked {@link Value} and its cross-process
 * {@code RLock}.
 *
 * <p>Metrics per variant: {@code java.<variant>.2x100k} (ms, median of 5 trials, or {@code --trials}, after a trial of a
 * tenth), {@code java.<variant>.2x100k.rate} (increments/s) and {@code java.<variant>.1x100k} (the
 * parent alone, uncontended, after the same warm-up as the children's). Each child first runs
 * rounds of increments on a counter of its own for at least a second, unmeasured, so that both
 * JVMs run compiled code (CPython has no JIT to warm); then the parent wakes both through an
 * {@link Event} and both increment one other counter for 300 ms, so that the wake connections
 * between the three JVMs are made (the first wake between two JVMs makes theirs: tens of ms on a
 * busy machine); both then wait on one {@link Event}, as in CPython's script. Options:
 * {@code --quick} (10k, 2 trials), {@code --trials N}.
 */
public final class ValueBench {

  /** The least a child runs on its own counter before the timed round: rounds, and time. */
  private static final int WARM_UP_ROUNDS = 3;
  private static final long WARM_UP_NANOS = 1_000_000_000L;
  /** How long both children increment one counter in the warm-up. */
  private static final long SHARED_WARM_UP_NANOS = 300_000_000L;

  /** A way to increment the shared counter: what the bench compares. */
  enum Variant {
    /** {@code v.getAndAdd(1)}: one atomic instruction on the shared int, no lock. */
    VALUE_ATOMIC("value_atomic") {
      @Override
      Object create() {
        return RawValue.create('i');
      }

      @Override
      void increment(Object counter, int n) {
        RawValue v = (RawValue) counter;
        for (int i = 0; i < n; i++) {
          v.getAndAdd(1);
        }
      }

      @Override
      long value(Object counter) {
        return ((RawValue) counter).getLong();
      }
    },
    /**
     * CPython's {@code with v.get_lock(): v.value += 1}: the value's {@code RLock} held around a
     * get and a set (each of which takes the recursive lock again, as CPython's property does).
     */
    VALUE_LOCK("value_lock") {
      @Override
      Object create() {
        return Value.create('i');
      }

      @Override
      @SuppressWarnings("try") // the held lock is only closed
      void increment(Object counter, int n) throws InterruptedException {
        Value v = (Value) counter;
        for (int i = 0; i < n; i++) {
          try (Held held = v.hold()) {
            v.set(v.getInt() + 1);
          }
        }
      }

      @Override
      long value(Object counter) {
        return ((Value) counter).getLong();
      }
    };

    final String metric;

    Variant(String metric) {
      this.metric = metric;
    }

    /** A new counter at 0. */
    abstract Object create();

    /** Increments the counter {@code n} times. */
    abstract void increment(Object counter, int n) throws InterruptedException;

    /** The counter's value. */
    abstract long value(Object counter);
  }

  private ValueBench() {}

  /**
   * The child: argument 0 the variant, 1 the counter, 2 the ready pipe, 3 the warm-up event, 4 the
   * go event, 5 the array of end times, 6 this child's slot in it, 7 the number of increments, 8 a
   * counter both children increment in the warm-up.
   */
  static void child(Args args) throws Exception {
    Variant variant = Variant.valueOf(args.getString(0));
    Object counter = args.get(1);
    Connection ready = args.get(2, Connection.class);
    Event warm = args.get(3, Event.class);
    Event go = args.get(4, Event.class);
    RawArray ends = args.get(5, RawArray.class);
    int slot = args.getInt(6);
    int n = args.getInt(7);
    Object warmCounter = args.get(8);
    // JIT warm-up on a counter of its own, so that the timed round runs compiled code (CPython has
    // no JIT to warm): with a fifth of a round, children ran the round in C1 code at 300 ns an
    // increment, and the compiler threads took cores from the other child.
    warmUp(variant, n);
    ready.send("warm");
    // Wakes through the parking lot first, in every direction: the first wake from one JVM to
    // another makes their connection, in a thread that a busy holder starves (measured: 40 ms,
    // while the holder ran alone and paid 3 µs a release for wakes that waited for it). The parent's
    // event connects it to each child; a contended round on a counter of both connects the children.
    warm.await();
    long until = System.nanoTime() + SHARED_WARM_UP_NANOS;
    while (System.nanoTime() - until < 0) {
      variant.increment(warmCounter, n / 100);
    }
    ready.send("ready");
    go.await();
    variant.increment(counter, n);
    ends.set(slot, System.nanoTime());
  }

  /** Runs rounds of {@code n} increments on a new counter for at least a second. */
  private static void warmUp(Variant variant, int n) throws InterruptedException {
    Object own = variant.create();
    long start = System.nanoTime();
    for (int i = 0; i < WARM_UP_ROUNDS || System.nanoTime() - start < WARM_UP_NANOS; i++) {
      variant.increment(own, n);
    }
  }

  private static double trial(Variant variant, int n) throws Exception {
    Object counter = variant.create();
    RawArray ends = RawArray.create('q', 2);
    Event warm = new Event();
    Event go = new Event();
    Object warmCounter = variant.create();
    List<Process> ps = new ArrayList<>();
    List<Connection> readies = new ArrayList<>();
    try {
      for (int k = 0; k < 2; k++) {
        Pipe ready = Pipe.open();
        Process p = Process.builder().target(ValueBench::child).daemon(true)
            .args(variant.name(), counter, ready.conn2(), warm, go, ends, k, n, warmCounter).build();
        p.start();
        ready.conn2().close();
        ps.add(p);
        readies.add(ready.conn1());
      }
      for (Connection c : readies) {
        c.recv(); // "warm"
      }
      warm.set();
      for (Connection c : readies) {
        c.recv(); // "ready"
      }
      long t0 = System.nanoTime();
      go.set(); // as CPython's script: one event wakes both
      for (Process p : ps) {
        if (!p.join(Waits.LONG)) {
          throw new AssertionError("a child did not end in " + Waits.LONG);
        }
        if (p.exitCode() != 0) {
          throw new AssertionError("a child failed: " + p);
        }
      }
      long expected = 2L * n;
      if (variant.value(counter) != expected) {
        throw new AssertionError("counter " + variant.value(counter) + ", expected " + expected);
      }
      return (Math.max(ends.getLong(0), ends.getLong(1)) - t0) / 1e9;
    } finally {
      for (Process p : ps) {
        if (p.isAlive()) {
          p.kill();
        }
        p.join(Waits.LONG);
      }
      for (Connection c : readies) {
        c.close();
      }
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --quick} for a smoke run; {@code --trials N} for N timed trials (default 5)
   * @throws Exception if a trial fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int n = quick ? 10_000 : 100_000;
    int trials = quick ? 2 : 5;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--trials")) {
        trials = Integer.parseInt(args[i + 1]);
      }
    }
    Watchdog.start("ValueBench", 600);
    System.out.println("# ValueBench: java " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " cpus, canary " + Metrics.fmt(Metrics.canary()) + " ms");
    String k = (n / 1000) + "k";
    for (Variant variant : Variant.values()) {
      warmUp(variant, n);
      Object solo = variant.create();
      double[] alone = new double[trials];
      for (int i = 0; i < trials; i++) {
        long t = System.nanoTime();
        variant.increment(solo, n);
        if (i >= 0) {
          alone[i] = (System.nanoTime() - t) / 1e9;
        }
      }
      Metrics.emit("java." + variant.metric + ".1x" + k, alone, "ms", 1e3, "one process, uncontended");
      trial(variant, n / 10);
      double[] ts = new double[trials];
      double[] rates = new double[trials];
      for (int i = 0; i < trials; i++) {
        ts[i] = trial(variant, n);
        rates[i] = 2.0 * n / ts[i];
      }
      Metrics.emit("java." + variant.metric + ".2x" + k, ts, "ms", 1e3, null);
      Metrics.emit("java." + variant.metric + ".2x" + k + ".rate", rates, "incr/s", 1, null);
    }
  }
}
