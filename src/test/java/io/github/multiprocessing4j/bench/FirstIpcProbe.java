package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a child's first queue operation costs: start→join of a child that puts one item on a queue,
 * alternating with a child that does nothing with it (both get the queue as an argument, so both
 * decode it). Not a test: run it with
 * {@code mvn -q test-compile exec:exec@bench -Dbench.mainClass=io.github.multiprocessing4j.bench.FirstIpcProbe -Dbench.args=""}.
 * Prints the median of 9 of each, in milliseconds, in the format of the CPython scripts, and the
 * mean CPU time of each kind of child ({@code *.child_cpu}), which a loaded machine disturbs less.
 *
 * <p>Then the classes of the first operation, which a loaded machine does not disturb: one more
 * child of each kind runs with {@code -Xlog:class+load}, and the probe prints the classes the
 * child loaded from the start of the operation to its end (between two marker classes), by source
 * (the JDK's CDS archive, the JDK's modules, the class path), for a queue's {@code put} and for a
 * pipe end's {@code send}.
 *
 * <p>Also the first operation's own time, measured in the child ({@code java.first_put.in_child},
 * {@code java.first_send.in_child}), against its floor in the same run
 * ({@code java.floor.first_exchange}, see {@link FirstIpcFloor}).
 */
public final class FirstIpcProbe {

  private FirstIpcProbe() {}

  @SuppressWarnings("unchecked")
  static void put(Args a) throws InterruptedException {
    ((Queue<Object>) a.get(0)).put(1);
  }

  /** Marks where the first operation starts in a class-load log. */
  static final class Before {
    private Before() {}
  }

  /** Marks where it ends. */
  static final class After {
    private After() {}
  }

  @SuppressWarnings("unchecked")
  static void markedPut(Args a) throws InterruptedException {
    new Before().hashCode();
    ((Queue<Object>) a.get(0)).put(1);
    new After().hashCode();
  }

  static void markedSend(Args a) throws InterruptedException {
    new Before().hashCode();
    a.get(0, Connection.class).send(1);
    new After().hashCode();
  }

  /** Puts one item, then the nanoseconds the first put took. */
  @SuppressWarnings("unchecked")
  static void timedPut(Args a) throws InterruptedException {
    Queue<Object> q = (Queue<Object>) a.get(0);
    long t0 = System.nanoTime();
    q.put(1);
    q.put(System.nanoTime() - t0);
  }

  /** Sends one message, then the nanoseconds the first send took. */
  static void timedSend(Args a) throws InterruptedException {
    Connection c = a.get(0, Connection.class);
    long t0 = System.nanoTime();
    c.send(1);
    c.send(System.nanoTime() - t0);
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
    double putCpu = 0;
    double idleCpu = 0;
    for (int i = 0; i < 9; i++) {
      double c0 = PoolFloors.reapedChildrenCpu();
      long t0 = System.nanoTime();
      Process p = Process.builder().target(FirstIpcProbe::put).args(q).build();
      p.start();
      q.get(Duration.ofSeconds(30));
      p.join(Duration.ofSeconds(30));
      withPut[i] = (System.nanoTime() - t0) / 1e6;
      double c1 = PoolFloors.reapedChildrenCpu();
      t0 = System.nanoTime();
      Process n = Process.builder().target(FirstIpcProbe::idle).args(q).build();
      n.start();
      n.join(Duration.ofSeconds(30));
      idle[i] = (System.nanoTime() - t0) / 1e6;
      putCpu += c1 - c0;
      idleCpu += PoolFloors.reapedChildrenCpu() - c1;
    }
    Metrics.emit("java.first_put.start_join", withPut, "ms", 1, null);
    Metrics.emit("java.idle_with_queue.start_join", idle, "ms", 1, null);
    // Means over the 9: the kernel counts a child's CPU in 10 ms ticks.
    Metrics.emit("java.first_put.child_cpu", new double[] {putCpu / 9}, "ms", 1e3,
        "mean CPU of a child that puts, start to exit (10 ms ticks)");
    Metrics.emit("java.idle_with_queue.child_cpu", new double[] {idleCpu / 9}, "ms", 1e3, String.format(Locale.ROOT,
        "the same for the idle child; the first put's CPU %.1f ms", (putCpu - idleCpu) / 9 * 1e3));

    inChild(q);

    Path dir = Files.createTempDirectory("mp4j-firstipc");
    try {
      Path putLog = dir.resolve("put.log");
      Process p = Process.builder().target(FirstIpcProbe::markedPut).args(q)
          .jvmOptions("-Xlog:class+load:file=" + putLog).build();
      p.start();
      q.get(Duration.ofSeconds(30));
      p.join(Duration.ofSeconds(30));
      System.out.println("# first queue put: " + classesBetweenMarkers(putLog));
      Path sendLog = dir.resolve("send.log");
      Pipe pipe = Pipe.open();
      Process s = Process.builder().target(FirstIpcProbe::markedSend).args(pipe.conn2())
          .jvmOptions("-Xlog:class+load:file=" + sendLog).build();
      s.start();
      pipe.conn2().close();
      pipe.conn1().recv();
      s.join(Duration.ofSeconds(30));
      pipe.conn1().close();
      System.out.println("# first pipe send: " + classesBetweenMarkers(sendLog));
      Files.deleteIfExists(putLog);
      Files.deleteIfExists(sendLog);
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  /**
   * The first operation's own time, in the child, against the floor of a JVM's first socket
   * exchange ({@link FirstIpcFloor}), alternating, 9 of each.
   */
  private static void inChild(Queue<Object> q) throws Exception {
    double[] put = new double[9];
    double[] send = new double[9];
    double[] floor = new double[9];
    for (int i = 0; i < 9; i++) {
      Process p = Process.builder().target(FirstIpcProbe::timedPut).args(q).build();
      p.start();
      q.get(Duration.ofSeconds(30));
      put[i] = ((Number) q.get(Duration.ofSeconds(30))).longValue() / 1e6;
      p.join(Duration.ofSeconds(30));
      Pipe pipe = Pipe.open();
      Process s = Process.builder().target(FirstIpcProbe::timedSend).args(pipe.conn2()).build();
      s.start();
      pipe.conn2().close();
      pipe.conn1().recv();
      send[i] = ((Number) pipe.conn1().recv()).longValue() / 1e6;
      s.join(Duration.ofSeconds(30));
      pipe.conn1().close();
      floor[i] = FirstIpcFloor.once();
    }
    Metrics.emit("java.first_put.in_child", put, "ms", 1, "the first put's own time, in the child");
    Metrics.emit("java.first_send.in_child", send, "ms", 1, "the first send's own time, in the child");
    Metrics.emit("java.floor.first_exchange", floor, "ms", 1,
        "a new JVM's first Unix-domain socket and the handshake's exchanges, in that JVM");
  }

  /** "N classes (cds/jrt/classpath/generated)" loaded between the two marker classes of a log. */
  static String classesBetweenMarkers(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    int[] n = new int[4];
    boolean in = false;
    for (String line : lines) {
      if (line.contains(Before.class.getName() + " ")) {
        in = true;
      } else if (line.contains(After.class.getName() + " ")) {
        break;
      } else if (in) {
        n[line.contains("source: shared") ? 0 : line.contains("source: jrt") ? 1
            : line.contains("source: file") ? 2 : 3]++;
      }
    }
    return String.format(Locale.ROOT, "%d classes (%d from the CDS archive, %d from the JDK's modules, "
        + "%d from the class path, %d generated)", n[0] + n[1] + n[2] + n[3], n[0], n[1], n[2], n[3]);
  }
}
