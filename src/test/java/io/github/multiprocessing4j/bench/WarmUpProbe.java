package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import java.time.Duration;
import java.util.Locale;

/**
 * What the transport warm-up ({@code -Dmultiprocessing4j.transportWarmUp}) changes end to end:
 * children that do {@code W} ms of CPU work and then send one message on a pipe or put one item
 * on a queue, started with the warm-up on and off in turn, from the same parent. Times, from
 * before {@code start()} to the message's arrival in the parent, and the children's CPU. With
 * {@code W = 0} the first operation comes at once and the warm-up can only move work earlier;
 * with work before it, the warm-up runs beside the work. Not a test: run it with
 * {@code java -cp … io.github.multiprocessing4j.bench.WarmUpProbe [trials] [W…]} (default 15
 * trials of each, W = 0 and 100).
 */
public final class WarmUpProbe {

  private WarmUpProbe() {}

  private static long spin(long ms) {
    long end = System.nanoTime() + ms * 1_000_000;
    long x = 0;
    while (System.nanoTime() < end) {
      x++;
    }
    return x;
  }

  static void send(Args a) throws InterruptedException {
    spin(a.get(1, Integer.class));
    a.get(0, Connection.class).send(1);
  }

  @SuppressWarnings("unchecked")
  static void put(Args a) throws InterruptedException {
    spin(a.get(1, Integer.class));
    ((Queue<Object>) a.get(0)).put(1);
  }

  /**
   * Runs the probe.
   *
   * @param args the trials of each kind, then the work before the first operation, in ms
   * @throws Exception if a child fails
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int[] works = args.length > 1 ? new int[args.length - 1] : new int[] {0, 100};
    for (int i = 1; i < args.length; i++) {
      works[i - 1] = Integer.parseInt(args[i]);
    }
    Queue<Object> q = new Queue<>();
    String[] kinds = {"send", "put"};
    for (int work : works) {
      // [kind][on=0, off=1]
      double[][][] wall = new double[2][2][n];
      double[][] cpu = new double[2][2];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
          for (int off = 0; off < 2; off++) {
            String opt = "-Dmultiprocessing4j.transportWarmUp=" + (off == 0);
            double c0 = PoolFloors.reapedChildrenCpu();
            long t0 = System.nanoTime();
            if (k == 0) {
              Pipe pipe = Pipe.open();
              Process p = Process.builder().target(WarmUpProbe::send).args(pipe.conn2(), work)
                  .jvmOptions(opt).build();
              p.start();
              pipe.conn2().close();
              pipe.conn1().recv();
              wall[k][off][i] = (System.nanoTime() - t0) / 1e6;
              p.join(Duration.ofSeconds(30));
              pipe.conn1().close();
            } else {
              Process p = Process.builder().target(WarmUpProbe::put).args(q, work).jvmOptions(opt).build();
              p.start();
              q.get(Duration.ofSeconds(30));
              wall[k][off][i] = (System.nanoTime() - t0) / 1e6;
              p.join(Duration.ofSeconds(30));
            }
            cpu[k][off] += PoolFloors.reapedChildrenCpu() - c0;
          }
        }
      }
      for (int k = 0; k < 2; k++) {
        for (int off = 0; off < 2; off++) {
          String name = String.format(Locale.ROOT, "java.warm_up_%s.%s_after_%dms", off == 0 ? "on" : "off", kinds[k], work);
          Metrics.emit(name, wall[k][off], "ms", 1, String.format(Locale.ROOT,
              "start to the first message in the parent; children's mean CPU %.1f ms", cpu[k][off] / n * 1e3));
        }
      }
    }
  }
}
