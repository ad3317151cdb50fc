package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.shm.Segment;
import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.sync.Condition;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.SyncInternals;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.Semaphore;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The synchronisation objects' costs, side by side with CPython's {@code bench/mp_sync.py} (the
 * metrics pair up as {@code java.sync.X} and {@code py.<method>.sync.X}). Not a test: run it with
 * {@code bench/ipc.sh --only sync}.
 *
 * <ul>
 *   <li>{@code java.sync.lock_uncontended}: {@code acquire()} + {@code release()} of a
 *       {@link Lock} by one thread, ns per pair (one CAS each, no system call); beside it
 *       {@code java.sync.reentrantlock_uncontended} for scale (Java only).
 *   <li>{@code java.sync.event_wake_latency}: from {@code set()} in this process to the return of
 *       {@code await()} in a child that was parked (not spinning) on it, µs, one way, read from
 *       {@link System#nanoTime()} on both sides (CLOCK_MONOTONIC, one clock for all processes on
 *       Linux); the child writes its wake time into a shared segment. {@code java.sync.event_ping_pong}:
 *       the round trip of the same samples (the child sets a second event back).
 *   <li>{@code java.sync.first_wake_latency}: the same one-way wake, of a new child that this
 *       process has never woken, so the wake makes the connection between the two (Java only:
 *       CPython's semaphores need none), ms.
 *   <li>{@code java.sync.idle_waiter_cpu}: CPU a child parked in {@code Event.await()} uses per
 *       second, ms (from {@link ProcessHandle.Info#totalCpuDuration()}, 10 ms granularity).
 *   <li>{@code java.sync.semaphore_pingpong}: a contended hand-off, µs per round trip: this process
 *       releases {@code s1} and acquires {@code s2}, a child acquires {@code s1} and releases
 *       {@code s2} (two {@link Semaphore}{@code (0)}), batches of N round trips.
 *   <li>{@code java.sync.condition_pingpong}: the same hand-off through a {@link Condition} on a
 *       {@link Lock} and a shared turn flag (each side sets the turn, signals, and awaits its
 *       return): CPython's algorithm for conditions, so the cost of that beside the bare semaphores.
 * </ul>
 *
 * <p>A waiter here re-tries (spins) for up to 50 µs before it parks, so with a free core each the
 * turn passes through shared memory without a system call; CPython's waiters block in
 * {@code sem_wait} at once. Both hand-offs first run unmeasured round trips for at least a second,
 * so that this JVM and the child's run compiled code and the child's first wakes (which make its
 * connection) are not timed. Options: {@code --quick} (fewer samples).
 */
@SuppressWarnings("try") // try (Held held = cond.hold()) { ... } need not use held
public final class SyncBench {

  /** The least time of unmeasured hand-offs before the timed ones (both JVMs compile the path). */
  private static final long WARM_UP_NANOS = 1_000_000_000L;

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

  /** A child woken once: waits for the event, writes its wake time into slot 0 of the array. */
  static void wokenOnce(Args args) throws Exception {
    Event e = args.get(0, Event.class);
    RawArray times = args.get(1, RawArray.class);
    e.await();
    times.set(0, System.nanoTime());
  }

  /** The hand-off's other side: takes the turn on s1, gives it back on s2, until stop is set. */
  static void semaphorePonger(Args args) throws Exception {
    Semaphore s1 = args.get(0, Semaphore.class);
    Semaphore s2 = args.get(1, Semaphore.class);
    RawValue stop = args.get(2, RawValue.class);
    while (true) {
      s1.acquire();
      if (stop.getInt() != 0) { // a plain shared read, as CPython's side: ns against µs
        return;
      }
      s2.release();
    }
  }

  /** The condition hand-off's other side: turn 0 is the parent's, 1 this child's, 2 stop. */
  static void conditionPonger(Args args) throws Exception {
    Condition cond = args.get(0, Condition.class);
    RawValue turn = args.get(1, RawValue.class);
    try (Held held = cond.hold()) {
      while (true) {
        while (turn.getInt() == 0) {
          cond.await();
        }
        if (turn.getInt() == 2) {
          return;
        }
        turn.set(0);
        cond.signal();
      }
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --quick} for a smoke run
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Watchdog.start("SyncBench", 600);
    System.out.println("# SyncBench: java " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " cpus");
    uncontended(quick);
    wakeLatency(quick ? 50 : 300, quick ? 300 : 1000); // warm-up rounds: both sides' wake paths compiled
    idleCpu(quick ? 2 : 5);
    firstWakeLatency(quick ? 2 : 5);
    int n = quick ? 2_000 : 10_000;
    int trials = quick ? 3 : 7;
    semaphorePingPong(n, trials);
    conditionPingPong(n, trials);
  }

  /** Joins a child, killing it first if it has not ended: a failed step leaves no process. */
  private static void finish(Process p) throws InterruptedException {
    if (!p.join(Waits.JOIN)) {
      p.kill();
      p.join(Waits.JOIN);
    }
  }

  /** A batch of hand-offs, µs per round trip. */
  @FunctionalInterface
  private interface Batch {
    double run(int rounds) throws InterruptedException;
  }

  /** Unmeasured batches for at least {@link #WARM_UP_NANOS} and n round trips, then the trials. */
  private static double[] timeBatches(Batch batch, int n, int trials) throws InterruptedException {
    long start = System.nanoTime();
    for (int done = 0; done < n || System.nanoTime() - start < WARM_UP_NANOS; done += n / 10) {
      batch.run(n / 10);
    }
    double[] us = new double[trials];
    for (int t = 0; t < trials; t++) {
      us[t] = batch.run(n);
    }
    return us;
  }

  private static void semaphorePingPong(int n, int trials) throws Exception {
    Semaphore s1 = new Semaphore(0);
    Semaphore s2 = new Semaphore(0);
    RawValue stop = RawValue.create('i');
    Process p = Process.builder().target(SyncBench::semaphorePonger).daemon(true).args(s1, s2, stop).build();
    p.start();
    double[] us;
    try {
      us = timeBatches(rounds -> {
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
          s1.release();
          s2.acquire();
        }
        return (System.nanoTime() - t0) / 1e3 / rounds;
      }, n, trials);
      stop.set(1);
      s1.release();
    } finally {
      finish(p);
    }
    Metrics.emit("java.sync.semaphore_pingpong", us, "us", 1, n + " round trips/trial");
  }

  private static void conditionPingPong(int n, int trials) throws Exception {
    Condition cond = new Condition(new Lock());
    RawValue turn = RawValue.create('i'); // guarded by cond's lock
    Process p = Process.builder().target(SyncBench::conditionPonger).daemon(true).args(cond, turn).build();
    p.start();
    double[] us;
    try {
      us = timeBatches(rounds -> {
        long t0 = System.nanoTime();
        try (Held held = cond.hold()) {
          for (int i = 0; i < rounds; i++) {
            turn.set(1);
            cond.signal();
            while (turn.getInt() != 0) {
              cond.await();
            }
          }
        }
        return (System.nanoTime() - t0) / 1e3 / rounds;
      }, n, trials);
      try (Held held = cond.hold()) {
        turn.set(2);
        cond.signal();
      }
    } finally {
      finish(p);
    }
    Metrics.emit("java.sync.condition_pingpong", us, "us", 1, n + " round trips/trial");
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
      Process p = Process.builder().target(SyncBench::ponger).daemon(true)
          .args(ping, pong, times.name(), stop).build();
      p.start();
      double[] oneWay = new double[samples];
      double[] roundTrip = new double[samples];
      try {
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
      } finally {
        finish(p);
        times.unlink();
      }
      Metrics.emit("java.sync.event_wake_latency", oneWay, "us", 1,
          "set() here -> await() returns in a parked child, one way");
      Metrics.emit("java.sync.event_ping_pong", roundTrip, "us", 1,
          "set -> child wakes, sets back -> this side wakes (this side spins first)");
    }
  }

  /**
   * The first wake of a new child: the same as {@code event_wake_latency}, but the waking process
   * has no connection to the child yet, so the wake makes it (a thread, a handshake), in code the
   * child has not compiled. A new child and a new event per sample.
   */
  private static void firstWakeLatency(int samples) throws Exception {
    double[] ms = new double[samples];
    for (int i = 0; i < samples; i++) {
      Event e = new Event();
      RawArray times = RawArray.create('q', 1);
      Process p = Process.builder().target(SyncBench::wokenOnce).daemon(true).args(e, times).build();
      p.start();
      long t0;
      try {
        waitParked(e);
        t0 = System.nanoTime();
        e.set();
      } finally {
        finish(p);
      }
      ms[i] = (times.getLong(0) - t0) / 1e6;
    }
    Metrics.emit("java.sync.first_wake_latency", ms, "ms", 1,
        "set() here -> await() returns in a new child, the wake making the connection (Java only)");
  }

  /** Waits until the child is registered as a waiter, and then past its spin phase. */
  private static void waitParked(Event e) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (SyncInternals.waiters(e) == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the child does not wait");
      }
      LockSupport.parkNanos(50_000);
    }
    LockSupport.parkNanos(2_000_000); // registered: it parks right after; 2 ms to be sure
  }

  private static void idleCpu(int seconds) throws Exception {
    Event e = new Event();
    Process p = Process.builder().target(SyncBench::idle).daemon(true).args(e).build();
    p.start();
    double[] ms = new double[seconds];
    try {
      waitParked(e);
      p.join(Duration.ofMillis(500)); // start-up work (JIT, GC) settles
      ProcessHandle h = ProcessHandle.of(p.pid()).orElseThrow();
      for (int s = 0; s < seconds; s++) {
        Duration before = h.info().totalCpuDuration().orElseThrow();
        p.join(Duration.ofSeconds(1));
        ms[s] = h.info().totalCpuDuration().orElseThrow().minus(before).toNanos() / 1e6;
      }
      e.set();
    } finally {
      finish(p);
    }
    Metrics.emit("java.sync.idle_waiter_cpu", ms, "ms/s", 1, "a child parked in Event.await(), CPU per second");
  }
}
