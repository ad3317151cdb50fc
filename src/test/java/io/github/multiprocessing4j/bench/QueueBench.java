package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.queues.SimpleQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Queue throughput, the workloads of CPython's {@code shared/bench/python/mp_queue.py} and
 * {@code bench/mp_queue2.py}: producer child processes put 100k small ints or small dicts
 * ({@code HashMap} {@code {"a":1,"b":"hello","c":3.0}}) and then a null; the parent takes them all.
 * Each producer first puts a fifth as many items untimed, which the parent drains, so that both
 * sides run compiled code (CPython has no JIT to warm). Timing starts when the parent tells the waiting producers to go (over a pipe each, in place of
 * CPython's Event; each producer says it is ready first) and stops when it has every producer's null; start-up is excluded. Not a test:
 * run it with {@code bench/ipc.sh}.
 *
 * <p>Metrics: {@code java.queue.int}, {@code java.queue.dict}, {@code java.simplequeue.int},
 * {@code java.simplequeue.dict} (one producer) and {@code java.queue2.int}, {@code java.queue2.dict}
 * (two producers), in items/s, median of 5 trials after a warm-up trial of a tenth of the items.
 * Options: {@code --quick} (10k items, 2 trials).
 */
public final class QueueBench {

  private QueueBench() {}

  /** The producer: waits for "go", puts n items, then null. */
  @SuppressWarnings("unchecked")
  static void producer(Args args) throws Exception {
    Object q = args.get(0);
    Connection go = args.get(1, Connection.class);
    int n = args.getInt(2);
    boolean dict = "dict".equals(args.getString(3));
    Map<String, Object> item = PipeBench.smallDict();
    produce(q, n / 5, dict ? item : null); // warm-up: the parent drains it before the timed round
    go.send("ready");
    go.recv();
    produce(q, n, dict ? item : null);
  }

  @SuppressWarnings("unchecked")
  private static void produce(Object q, int n, Map<String, Object> dict) throws InterruptedException {
    if (q instanceof Queue) {
      Queue<Object> queue = (Queue<Object>) q;
      for (int i = 0; i < n; i++) {
        queue.put(dict != null ? dict : (Object) i);
      }
      queue.put(null);
    } else {
      SimpleQueue<Object> queue = (SimpleQueue<Object>) q;
      for (int i = 0; i < n; i++) {
        queue.put(dict != null ? dict : (Object) i);
      }
      queue.put(null);
    }
  }

  private static double trial(boolean simple, int producers, int n, String kind) throws Exception {
    Object q = simple ? new SimpleQueue<>() : new Queue<>();
    List<Process> ps = new ArrayList<>();
    List<Connection> gos = new ArrayList<>();
    try {
      for (int k = 0; k < producers; k++) {
        Pipe go = Pipe.open();
        Process p = Process.builder().target(QueueBench::producer).args(q, go.conn2(), n / producers, kind).build();
        p.start();
        go.conn2().close();
        ps.add(p);
        gos.add(go.conn1());
      }
      drain(q, producers); // the warm-up items
      for (Connection c : gos) {
        c.recv(); // "ready": the producer waits for "go" (CPython's script sleeps instead)
      }
      long t0 = System.nanoTime();
      for (Connection c : gos) {
        c.send("go");
      }
      int count = drain(q, producers);
      long dt = System.nanoTime() - t0;
      if (count != n / producers * producers) {
        throw new AssertionError("got " + count + " items, expected " + n);
      }
      return count / (dt / 1e9);
    } finally {
      for (Process p : ps) {
        p.join(Duration.ofSeconds(30));
        if (p.isAlive()) {
          p.kill();
          p.join();
        }
      }
      for (Connection c : gos) {
        c.close();
      }
    }
  }

  private static int drain(Object q, int producers) throws InterruptedException {
    boolean simple = q instanceof SimpleQueue;
    int nulls = 0;
    int count = 0;
    while (nulls < producers) {
      Object o = simple ? ((SimpleQueue<?>) q).get() : ((Queue<?>) q).get();
      if (o == null) {
        nulls++;
      } else {
        count++;
      }
    }
    return count;
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --quick} for a smoke run
   * @throws Exception if a trial fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int n = quick ? 10_000 : 100_000;
    int trials = quick ? 2 : 5;
    System.out.println("# QueueBench: java " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " cpus");
    String[][] cases = {{"queue", "1"}, {"simplequeue", "1"}, {"queue2", "2"}};
    for (String[] c : cases) {
      for (String kind : new String[] {"int", "dict"}) {
        boolean simple = c[0].equals("simplequeue");
        int producers = Integer.parseInt(c[1]);
        trial(simple, producers, n / 10, kind);
        double[] xs = new double[trials];
        for (int i = 0; i < trials; i++) {
          xs[i] = trial(simple, producers, n, kind);
        }
        Metrics.emit("java." + c[0] + "." + kind, xs, "msgs/s", 1, n + " items/trial");
      }
    }
  }
}
