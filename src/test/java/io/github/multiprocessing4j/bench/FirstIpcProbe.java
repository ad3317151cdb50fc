package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.queues.Queue;
import java.time.Duration;

/**
 * What a child's first queue operation costs: start→join of a child that puts one item on a queue,
 * alternating with a child that does nothing with it (both get the queue as an argument, so both
 * decode it). Not a test: run it with
 * {@code mvn -q test-compile exec:exec@bench -Dbench.mainClass=io.github.multiprocessing4j.bench.FirstIpcProbe -Dbench.args=""}.
 * Prints the median of 9 of each, in milliseconds, in the format of the CPython scripts.
 */
public final class FirstIpcProbe {

  private FirstIpcProbe() {}

  @SuppressWarnings("unchecked")
  static void put(Args a) throws InterruptedException {
    ((Queue<Object>) a.get(0)).put(1);
  }

  static void idle(Args a) {
    // decodes the queue argument, and nothing else
  }

  /**
   * Runs the probe.
   *
   * @param args ignored
   * @throws Exception if a child fails
   */
  public static void main(String[] args) throws Exception {
    Queue<Object> q = new Queue<>();
    double[] withPut = new double[9];
    double[] idle = new double[9];
    for (int i = 0; i < 9; i++) {
      long t0 = System.nanoTime();
      Process p = Process.builder().target(FirstIpcProbe::put).args(q).build();
      p.start();
      q.get(Duration.ofSeconds(30));
      p.join(Duration.ofSeconds(30));
      withPut[i] = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      Process n = Process.builder().target(FirstIpcProbe::idle).args(q).build();
      n.start();
      n.join(Duration.ofSeconds(30));
      idle[i] = (System.nanoTime() - t0) / 1e6;
    }
    Metrics.emit("java.first_put.start_join", withPut, "ms", 1, null);
    Metrics.emit("java.idle_with_queue.start_join", idle, "ms", 1, null);
  }
}
