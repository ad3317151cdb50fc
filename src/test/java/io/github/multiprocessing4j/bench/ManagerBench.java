package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.managers.BaseManager;
import io.github.multiprocessing4j.managers.Namespace;
import io.github.multiprocessing4j.managers.SyncManager;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Managers, side by side with CPython's {@code shared/bench/python/mp_manager.py} (the metrics pair
 * up as {@code java.manager.X} and {@code py.<method>.manager.X}). Not a test: run it with
 * {@code bench/ipc.sh --only manager}.
 *
 * <ul>
 *   <li>{@code java.manager.start_first_call}: {@code new SyncManager()}, {@code start()}, a
 *       {@code dict()} and one {@code put} through it, ms (median of trials; the manager is shut
 *       down after each, untimed), with the {@code spawn} start method; beside it
 *       {@code java.manager.process_start_join}, a plain {@link Process} with a trivial target
 *       started and joined in the same run (the goal is within 1.2× of it), and the same two with
 *       {@code forkserver} ({@code start_first_call_forkserver}, {@code process_start_join_forkserver};
 *       spares warm between trials).
 *   <li>{@code java.manager.dict_set_rtt}, {@code dict_get_rtt}: {@code d.put("k", SMALL_DICT)} and
 *       {@code d.get("k")} through a map proxy from this process, µs (median of 2000 after 200
 *       untimed, as the script, plus a JIT warm-up of a second).
 *   <li>{@code java.manager.namespace_rtt}: {@code ns.set("x", i)} then {@code ns.get("x")}, µs per
 *       pair.
 *   <li>{@code java.manager.list_append_4p}: 4 child processes append 5000 ints each to one list
 *       proxy, timed from the go signal to the last join, appends/s (median of 3).
 * </ul>
 *
 * <p>And the floors under the speed goals, measured the same way with no manager at all
 * ({@link ManagerFloors}):
 * <ul>
 *   <li>{@code java.manager.floor.socket_child_first_reply} (and {@code _forkserver}): a child
 *       process whose target binds a Unix-domain socket, accepts one connection and echoes one
 *       byte, from {@code start()} to the echo, ms: what any process that serves a socket costs
 *       before a manager's own work (authentication, the protocol, the object) begins.
 *   <li>{@code java.manager.floor.raw_rtt_4p}: 4 child processes each doing 5000 round trips of 32
 *       bytes over a Unix-domain socket with a thread of this JVM, timed as
 *       {@code list_append_4p}, round trips/s: the most synchronous calls 4 new JVMs make here.
 * </ul>
 *
 * <p>Options: {@code --quick} (3 start trials, 300 round trips, 1000 appends per child).
 */
public final class ManagerBench {

  private ManagerBench() {}

  /** A child of the list benchmark: waits at the barrier, then for go, then appends n ints. */
  @SuppressWarnings("unchecked")
  static void appender(Args args) throws Exception {
    List<Object> list = (List<Object>) args.get(0);
    int n = args.getInt(1);
    Barrier ready = args.get(2, Barrier.class);
    Event go = args.get(3, Event.class);
    ready.await();
    go.await();
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
  }

  /**
   * Runs the benchmark and prints its metrics.
   *
   * @param argv {@code --quick}
   * @throws Exception if a step fails
   */
  public static void main(String[] argv) throws Exception {
    boolean quick = argv.length > 0 && argv[0].equals("--quick");
    Watchdog.start("ManagerBench", 900);
    int trials = quick ? 3 : 10;
    int rtts = quick ? 300 : 2000;
    int perChild = quick ? 1000 : 5000;
    int rounds = quick ? 1 : 3;

    for (String method : List.of("spawn", "forkserver")) {
      String suffix = method.equals("spawn") ? "" : "_" + method;
      if (method.equals("forkserver")) {
        warmSpare(method);
      }
      double[] starts = new double[trials];
      double[] plain = new double[trials];
      for (int i = 0; i < trials; i++) {
        plain[i] = processStartJoin(method);
        if (method.equals("forkserver")) {
          warmSpare(method);
        }
        long t = System.nanoTime();
        SyncManager m = new SyncManager(BaseManager.builder().startMethod(method));
        try {
          m.start();
          Map<String, Object> d = m.dict();
          d.put("k", 1);
          starts[i] = (System.nanoTime() - t) / 1e9;
        } finally {
          m.shutdown();
        }
        if (method.equals("forkserver")) {
          warmSpare(method);
        }
      }
      Metrics.emit("java.manager.start_first_call" + suffix, starts, "ms", 1e3, method);
      Metrics.emit("java.manager.process_start_join" + suffix, plain, "ms", 1e3, method + ", trivial target");
      double[] floor = new double[trials];
      for (int i = 0; i < trials; i++) {
        if (method.equals("forkserver")) {
          warmSpare(method);
        }
        floor[i] = ManagerFloors.socketChildFirstReply(method);
      }
      Metrics.emit("java.manager.floor.socket_child_first_reply" + suffix, floor, "ms", 1e3,
          method + ", bind + accept + 1-byte echo, no manager");
    }

    try (SyncManager m = new SyncManager()) {
      m.start();
      Map<String, Object> d = m.dict();
      Map<String, Object> small = PipeBench.smallDict();
      long warm = System.nanoTime() + 1_000_000_000L; // JIT warm-up of both sides; CPython has none to do
      for (int i = 0; i < 200 || System.nanoTime() < warm; i++) {
        d.put("k", small);
        d.get("k");
      }
      double[] sets = new double[rtts];
      double[] gets = new double[rtts];
      for (int i = 0; i < rtts; i++) {
        long t = System.nanoTime();
        d.put("k", small);
        long u = System.nanoTime();
        d.get("k");
        long v = System.nanoTime();
        sets[i] = (u - t) / 1e9;
        gets[i] = (v - u) / 1e9;
      }
      Metrics.emit("java.manager.dict_set_rtt", sets, "us", 1e6, rtts + " round trips, SMALL_DICT");
      Metrics.emit("java.manager.dict_get_rtt", gets, "us", 1e6, rtts + " round trips");

      Namespace ns = m.namespace();
      ns.set("x", 0);
      for (int i = 0; i < 200; i++) {
        ns.set("x", i);
        ns.get("x");
      }
      double[] nss = new double[rtts];
      for (int i = 0; i < rtts; i++) {
        long t = System.nanoTime();
        ns.set("x", i);
        ns.get("x");
        nss[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit("java.manager.namespace_rtt", nss, "us", 1e6, "set + get");

      double[] rates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        List<Object> list = m.list();
        Barrier ready = new Barrier(5);
        Event go = new Event();
        List<Process> ps = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          Process p = Process.builder().target(ManagerBench::appender).args(list, perChild, ready, go).build();
          p.start();
          ps.add(p);
        }
        ready.await(Waits.LONG);
        long t = System.nanoTime();
        go.set();
        for (Process p : ps) {
          if (!p.join(Waits.LONG) || p.exitCode() != 0) {
            ps.forEach(Process::kill);
            throw new IllegalStateException(p + " did not append: exit code " + p.exitCode());
          }
        }
        double el = (System.nanoTime() - t) / 1e9;
        if (list.size() != 4 * perChild) {
          throw new IllegalStateException("the list has " + list.size() + " items, not " + 4 * perChild);
        }
        rates[r] = 4 * perChild / el;
      }
      Metrics.emit("java.manager.list_append_4p", rates, "appends/s", 1, "4 children x " + perChild);
    }
    double[] raw = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      raw[r] = ManagerFloors.rawRoundTrips4p(perChild);
    }
    Metrics.emit("java.manager.floor.raw_rtt_4p", raw, "round trips/s", 1,
        "4 children x " + perChild + " x 32 bytes, raw Unix socket, no manager");
  }

  /** Start to join of a plain process with a trivial target, seconds. */
  private static double processStartJoin(String method) throws InterruptedException {
    long t = System.nanoTime();
    Process p = Process.builder().startMethod(method).target(NoopTarget.class).build(); // a class, as the server's
    p.start();
    if (!p.join(Waits.JOIN)) {
      p.kill();
      throw new IllegalStateException(p + " did not end");
    }
    return (System.nanoTime() - t) / 1e9;
  }

  /** Waits until the forkserver spares are warm, so that each trial finds one. */
  private static void warmSpare(String method) throws InterruptedException {
    if (!io.github.multiprocessing4j.Multiprocessing.awaitSpares(Waits.LONG)) {
      throw new IllegalStateException("the " + method + " spares did not warm up");
    }
  }
}
