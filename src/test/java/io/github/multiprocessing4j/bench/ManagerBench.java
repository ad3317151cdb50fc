package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.managers.Namespace;
import io.github.multiprocessing4j.managers.SyncManager;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.sync.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Managers, the workload of CPython's {@code shared/bench/python/mp_manager.py}, with its metric
 * names ({@code java.<method>.manager.*}): start to the first dict call (ms), a small map set and
 * get through a dict proxy (µs), a namespace set then get (µs), and 4 children appending 5000 ints
 * each to one list proxy (appends/s). Not a test: run its main with the test class path; options
 * {@code --quick}, {@code --method spawn|forkserver}.
 */
public final class ManagerBench {

  private ManagerBench() {}

  static void appender(Args a) throws Exception {
    @SuppressWarnings("unchecked")
    List<Integer> list = a.get(0, List.class);
    int n = a.getInt(1);
    a.get(2, Barrier.class).await();
    a.get(3, Event.class).await();
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
  }

  /**
   * Runs the bench.
   *
   * @param args {@code --quick}, {@code --method M}
   * @throws Exception if it fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int mi = List.of(args).indexOf("--method");
    String method = mi >= 0 ? args[mi + 1] : "spawn";
    int trials = quick ? 3 : 10;
    int rtts = quick ? 300 : 2000;
    int perChild = quick ? 1000 : 5000;
    Map<String, Object> small = new HashMap<>(Map.of("a", 1, "b", "hello", "c", 3.0));

    double[] starts = new double[trials];
    for (int i = 0; i < trials; i++) {
      long t = System.nanoTime();
      try (SyncManager m = new SyncManager(SyncManager.builder().startMethod(method))) {
        m.start();
        Map<String, Object> d = m.dict();
        d.put("k", 1);
        starts[i] = (System.nanoTime() - t) / 1e9;
      }
    }
    Metrics.emit("java." + method + ".manager.start_first_call", starts, "ms", 1e3, null);

    try (SyncManager m = new SyncManager(SyncManager.builder().startMethod(method))) {
      m.start();
      Map<String, Object> d = m.dict();
      for (int i = 0; i < 2000; i++) { // warm-up: both JVMs compile the path
        d.put("k", small);
        d.get("k");
      }
      double[] sets = new double[rtts];
      double[] gets = new double[rtts];
      for (int i = 0; i < rtts; i++) {
        long t = System.nanoTime();
        d.put("k", small);
        sets[i] = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        d.get("k");
        gets[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit("java." + method + ".manager.dict_set_rtt", sets, "us", 1e6, null);
      Metrics.emit("java." + method + ".manager.dict_get_rtt", gets, "us", 1e6, null);

      Namespace ns = m.namespace();
      ns.set("x", 0);
      double[] nss = new double[rtts];
      for (int i = 0; i < rtts; i++) {
        long t = System.nanoTime();
        ns.set("x", i);
        ns.get("x");
        nss[i] = (System.nanoTime() - t) / 1e9;
      }
      Metrics.emit("java." + method + ".manager.namespace_rtt", nss, "us", 1e6, null);

      int rounds = quick ? 1 : 3;
      double[] rates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        List<Integer> list = m.list();
        Barrier ready = new Barrier(5);
        Event go = new Event();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          Process p = Process.builder().startMethod(method).target(ManagerBench::appender)
              .args(list, perChild, ready, go).build();
          p.start();
          ps.add(p);
        }
        ready.await();
        long t = System.nanoTime();
        go.set();
        for (Process p : ps) {
          p.join();
        }
        double el = (System.nanoTime() - t) / 1e9;
        if (list.size() != 4 * perChild) {
          throw new IllegalStateException("appends lost: " + list.size());
        }
        rates[r] = 4 * perChild / el;
      }
      Metrics.emit("java." + method + ".manager.list_append_4p", rates, "appends/s", 1, null);
    }
  }
}
