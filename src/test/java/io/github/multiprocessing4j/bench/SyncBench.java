package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.Segment;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.Lock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The synchronisation objects' costs. Not a test: run it with {@code bench/ipc.sh --only sync}.
 *
 * <ul>
 *   <li>{@code java.sync.lock_uncontended}: {@code acquire()} + {@code release()} of a
 *       {@link Lock} by one thread, ns per pair (one CAS each, no system call); beside it
 *       {@code java.sync.reentrantlock_uncontended} for scale.
 *   <li>{@code java.sync.event_wake_latency}: from {@code set()} in this process to the return of
 *       {@code await()} in a child that was parked (not spinning) on it, µs, one way, read from
 *       {@link System#nanoTime()} on both sides (CLOCK_MONOTONIC, one clock for all processes on
 *       Linux); the child writes its wake time into a shared segment.
 *   <li>{@code java.sync.idle_waiter_cpu}: CPU a child parked in {@code Event.await()} uses per
 *       second, ms (from {@link ProcessHandle.Info#totalCpuDuration()}, 10 ms granularity).
 * </ul>
 *
 * <p>Options: {@code --quick} (fewer samples).
 */
public final class SyncBench {

  private SyncBench() {}

  /** The child: waits for ping, writes its wake time, answers pong; until stop. */
  static void ponger(Args args) throws Exception {
    Event ping = args.get(0, Event.class);
    Event pong = args.get(1, Event.class);
    Segment times = Segment.attach(args.getString(2));
    Event stop = args.get(3, Event.class);
    while (true) {
      ping.await();
      times.setLongVolatile(0, System.nanoTime());
      ping.clear();
      if (stop.isSet()) {
        return;
      }
      pong.set();
    }
  }

  /** An idle child: parked until set. */
  static void idle(Args args) throws Exception {
    Event e = args.get(0, Event.class);
    System.out.println("parked");
    e.await();
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --quick} for a smoke run
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    System.out.println("# SyncBench: java " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " cpus");
    uncontended(quick);
    wakeLatency(quick ? 50 : 300, quick ? 300 : 1000); // warm-up rounds: both sides' wake paths compiled
    idleCpu(quick ? 2 : 5);
  }

  private static void uncontended(boolean quick) throws InterruptedException {
    Lock lock = new Lock();
    ReentrantLock rl = new ReentrantLock();
    int n = 2_000_000;
    int trials = quick ? 3 : 7;
    for (int w = 0; w < 5; w++) { // JIT warm-up
      for (int i = 0; i < n; i++) {
        lock.acquire();
        lock.release();
        rl.lock();
        rl.unlock();
      }
    }
    double[] ours = new double[trials];
    double[] jdk = new double[trials];
    for (int t = 0; t < trials; t++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        lock.acquire();
        lock.release();
      }
      ours[t] = (System.nanoTime() - t0) / (double) n;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rl.lock();
        rl.unlock();
      }
      jdk[t] = (System.nanoTime() - t0) / (double) n;
    }
    Metrics.emit("java.sync.lock_uncontended", ours, "ns", 1, "acquire+release pairs, " + n + "/trial");
    Metrics.emit("java.sync.reentrantlock_uncontended", jdk, "ns", 1, "lock+unlock pairs, for scale");
  }

  private static void wakeLatency(int samples, int warmUp) throws Exception {
    Event ping = new Event();
    Event pong = new Event();
    Event stop = new Event();
    try (Segment times = Segment.create(null, "syncbench_", 64)) {
      Process p = Process.builder().target(SyncBench::ponger).args(ping, pong, times.name(), stop).build();
      p.start();
      double[] oneWay = new double[samples];
      double[] roundTrip = new double[samples];
      for (int i = -warmUp; i < samples; i++) {
        waitParked(ping);
        long t0 = System.nanoTime();
        ping.set();
        if (!pong.await(Duration.ofSeconds(30))) {
          throw new AssertionError("no pong");
        }
        long t1 = System.nanoTime();
        pong.clear();
        if (i >= 0) {
          oneWay[i] = (times.getLongVolatile(0) - t0) / 1e3;
          roundTrip[i] = (t1 - t0) / 1e3;
        }
      }
      stop.set();
      waitParked(ping);
      ping.set();
      p.join(Duration.ofSeconds(30));
      times.unlink();
      Metrics.emit("java.sync.event_wake_latency", oneWay, "us", 1,
          "set() here -> await() returns in a parked child, one way");
      Metrics.emit("java.sync.event_ping_pong", roundTrip, "us", 1,
          "set -> child wakes, sets back -> this side wakes (this side spins first)");
    }
  }

  /** Waits until the child is registered as a waiter, and then past its spin phase. */
  private static void waitParked(Event e) throws Exception {
    java.lang.reflect.Method cell = Event.class.getDeclaredMethod("cell");
    cell.setAccessible(true);
    io.github.multiprocessing4j.internal.SyncCell c = (io.github.multiprocessing4j.internal.SyncCell) cell.invoke(e);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (c.waiters() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the child does not wait");
      }
      LockSupport.parkNanos(50_000);
    }
    LockSupport.parkNanos(2_000_000); // registered: it parks right after; 2 ms to be sure
  }

  private static void idleCpu(int seconds) throws Exception {
    Event e = new Event();
    Process p = Process.builder().target(SyncBench::idle).args(e).build();
    p.start();
    waitParked(e);
    p.join(Duration.ofMillis(500)); // start-up work (JIT, GC) settles
    ProcessHandle h = ProcessHandle.of(p.pid()).orElseThrow();
    double[] ms = new double[seconds];
    for (int s = 0; s < seconds; s++) {
      Duration before = h.info().totalCpuDuration().orElseThrow();
      p.join(Duration.ofSeconds(1));
      ms[s] = h.info().totalCpuDuration().orElseThrow().minus(before).toNanos() / 1e6;
    }
    e.set();
    p.join(Duration.ofSeconds(30));
    Metrics.emit("java.sync.idle_waiter_cpu", ms, "ms/s", 1, "a child parked in Event.await(), CPU per second");
  }
}
