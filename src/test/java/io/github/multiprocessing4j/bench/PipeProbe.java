package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.codec.Messages;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A diagnostic companion of {@link PipeBench} (Linux only, not a benchmark): where the time of each
 * pipe workload goes. Prints, per message, the wall time and, for the parent and the child, the CPU
 * time of the thread that sends or receives and of the whole JVM, the time its threads were
 * runnable but waiting for a core, and its threads' voluntary context switches (each a park or a
 * blocking read); plus in-process splits: Java serialization of the small map, and the memory
 * operations a 1 MiB message costs.
 *
 * <p>Usage: {@code PipeProbe [--jit-warmup N] [--only duplex|simplex] [--threads] [--child-opt OPT]...}
 * ({@code --threads}: also the five threads of each side that used most CPU); the
 * parent's own JVM options (e.g. {@code -Dmultiprocessing4j.spinNanos=...}) are passed with
 * {@code java}, the child's with {@code --child-opt}.
 */
public final class PipeProbe {

  private static boolean threads;

  private PipeProbe() {}

  public static void main(String[] argv) throws Exception {
    int jitWarmup = 2;
    boolean duplex = true;
    boolean simplex = true;
    List<String> childOpts = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--jit-warmup":
          jitWarmup = Integer.parseInt(argv[++i]);
          break;
        case "--only":
          duplex = argv[++i].equals("duplex");
          simplex = !duplex;
          break;
        case "--threads":
          threads = true;
          break;
        case "--child-opt":
          childOpts.add(argv[++i]);
          break;
        default:
          if (!argv[i].isBlank()) {
            throw new IllegalArgumentException("unknown option " + argv[i]);
          }
      }
    }
    local();
    if (duplex) {
      remote(false, jitWarmup, childOpts);
    }
    if (simplex) {
      remote(true, jitWarmup, childOpts);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // In this JVM

  private static void local() throws Exception {
    Map<String, Object> d = PipeBench.smallDict();
    byte[] enc = Messages.encode(d, "probe");
    double[] e = new double[15];
    double[] r = new double[15];
    int batch = 10_000;
    for (int k = 0; k < 5 + e.length; k++) { // 5 unmeasured batches first
      long t0 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        enc = Messages.encode(d, "probe");
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        Messages.decode(enc, null);
      }
      long t2 = System.nanoTime();
      if (k >= 5) {
        e[k - 5] = (t1 - t0) / (double) batch;
        r[k - 5] = (t2 - t1) / (double) batch;
      }
    }
    System.out.println(String.format(Locale.ROOT,
        "# local: small map, Java serialization: %d bytes; encode %.2f us, decode %.2f us (medians of %d batches of %d)",
        enc.length, Metrics.median(e) / 1e3, Metrics.median(r) / 1e3, e.length, batch));

    int mib = 1 << 20;
    byte[] src = PipeBench.payload(mib);
    Path f = Files.createTempFile(Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") : null,
        "pipeprobe", ".map");
    try (FileChannel fc = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer map = fc.map(FileChannel.MapMode.READ_WRITE, 0, mib);
      double[] alloc = new double[30];
      double[] copy = new double[30];
      double[] put = new double[30];
      double[] get = new double[30];
      long sink = 0;
      for (int k = 0; k < 20 + alloc.length; k++) {
        long t0 = System.nanoTime();
        byte[] b = new byte[mib];
        long t1 = System.nanoTime();
        System.arraycopy(src, 0, b, 0, mib);
        long t2 = System.nanoTime();
        map.put(0, src, 0, mib);
        long t3 = System.nanoTime();
        map.get(0, b, 0, mib);
        long t4 = System.nanoTime();
        sink += b[k];
        if (k >= 20) {
          alloc[k - 20] = t1 - t0;
          copy[k - 20] = t2 - t1;
          put[k - 20] = t3 - t2;
          get[k - 20] = t4 - t3;
        }
      }
      System.out.println(String.format(Locale.ROOT,
          "# local: 1 MiB: new byte[] %.0f us, arraycopy %.0f us, put into a mapping %.0f us, get from it %.0f us"
              + " (medians of %d%s)",
          Metrics.median(alloc) / 1e3, Metrics.median(copy) / 1e3, Metrics.median(put) / 1e3,
          Metrics.median(get) / 1e3, alloc.length, sink == 42 ? " " : ""));
    } finally {
      Files.deleteIfExists(f);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Across processes

  private static void remote(boolean simplex, int jitWarmup, List<String> childOpts) throws Exception {
    String tag = simplex ? "simplex" : "duplex";
    Pipe cmdPipe = Pipe.open();
    Connection cmd = cmdPipe.conn1();
    Pipe dataPipe = simplex ? Pipe.open(false) : null;
    Connection data = simplex ? dataPipe.conn1() : cmd;
    Process.Builder b = Process.builder().name("pipe-probe-server").target(PipeBench::server).daemon(true)
        .jvmOptions(childOpts.toArray(new String[0]));
    if (simplex) {
      b.args(cmdPipe.conn2(), dataPipe.conn2());
    } else {
      b.args(cmdPipe.conn2());
    }
    Process p = b.build();
    p.start();
    try {
      cmdPipe.conn2().close();
      if (simplex) {
        dataPipe.conn2().close();
      }
      for (int w = 0; w < jitWarmup; w++) {
        if (!simplex) {
          PipeBench.rtt(cmd, 5000, false);
          PipeBench.rtt(cmd, 5000, true);
        }
        PipeBench.tputBytes(cmd, data, 1024, 30000);
        PipeBench.tputBytes(cmd, data, 1 << 20, 200);
        PipeBench.tputObj(cmd, data, 30000);
      }
      int dictBytes = Messages.encode(PipeBench.smallDict(), "probe").length;
      System.out.println("# " + tag + ": per message. wall: elapsed; P = parent, C = child; thr = the thread"
          + " sending/receiving, jvm = all threads; cpu = on a core, rq = runnable, waiting for a core;"
          + " vsw = voluntary context switches (parks, blocking reads), tvsw = those of the thread");
      System.out.println(String.format(Locale.ROOT, "# %-14s %8s | %8s %8s %7s %7s %6s | %8s %8s %7s %7s %6s",
          "workload", "wall us", "P thr", "P jvm", "P rq", "P vsw", "P tvsw", "C thr", "C jvm", "C rq", "C vsw", "C tvsw"));
      for (int rep = 0; rep < 2; rep++) {
        if (!simplex) {
          probe(tag, "rtt_bytes8", 3000, cmd, () -> PipeBench.rtt(cmd, 3000, false));
          probe(tag, "rtt_dict", 3000, cmd, () -> PipeBench.rtt(cmd, 3000, true));
        }
        probe(tag, "tput_1k", 30000, cmd, () -> PipeBench.tputBytes(cmd, data, 1024, 30000));
        probe(tag, "tput_1m", 200, cmd, () -> PipeBench.tputBytes(cmd, data, 1 << 20, 200));
        probe(tag, "tput_dict", 30000, cmd, () -> PipeBench.tputObj(cmd, data, 30000));
        probe(tag, "tput_" + dictBytes + "B", 30000, cmd, () -> PipeBench.tputBytes(cmd, data, dictBytes, 30000));
      }
      cmd.send(new Object[] {"exit"});
      if (!p.join(Duration.ofSeconds(30))) {
        throw new IllegalStateException("the server did not exit");
      }
    } finally {
      if (p.isAlive()) {
        p.kill();
        p.join(Duration.ofSeconds(30));
      }
      cmd.close();
      data.close();
    }
  }

  private interface Workload {
    Object run() throws Exception;
  }

  private static void probe(String tag, String name, int msgs, Connection cmd, Workload w) throws Exception {
    cmd.send(new Object[] {"threads"});
    Map<?, ?> ct0 = (Map<?, ?>) cmd.recv();
    Map<String, Long> pt0 = ProcCounters.byThread();
    long[] c0 = childStats(cmd);
    long[] p0 = ProcCounters.snapshot();
    long t0 = System.nanoTime();
    w.run();
    long t1 = System.nanoTime();
    long[] p = ProcCounters.minus(ProcCounters.snapshot(), p0);
    long[] c = ProcCounters.minus(childStats(cmd), c0);
    Map<String, Long> pt1 = ProcCounters.byThread();
    cmd.send(new Object[] {"threads"});
    Map<?, ?> ct1 = (Map<?, ?>) cmd.recv();
    double n = msgs;
    System.out.println(String.format(Locale.ROOT, "  %-14s %8.2f | %8.2f %8.2f %7.2f %7.3f %6.3f | %8.2f %8.2f %7.2f %7.3f %6.3f",
        name, (t1 - t0) / 1e3 / n,
        p[ProcCounters.SELF_RUN_NS] / 1e3 / n, p[ProcCounters.ALL_RUN_NS] / 1e3 / n, p[ProcCounters.ALL_WAIT_NS] / 1e3 / n,
        p[ProcCounters.ALL_VOLUNTARY] / n, p[ProcCounters.SELF_VOLUNTARY] / n,
        c[ProcCounters.SELF_RUN_NS] / 1e3 / n, c[ProcCounters.ALL_RUN_NS] / 1e3 / n, c[ProcCounters.ALL_WAIT_NS] / 1e3 / n,
        c[ProcCounters.ALL_VOLUNTARY] / n, c[ProcCounters.SELF_VOLUNTARY] / n));
    if (threads) {
      System.out.println("      P threads, cpu us/msg: " + ProcCounters.top(pt1, pt0, 5, n));
      System.out.println("      C threads, cpu us/msg: " + ProcCounters.top(cast(ct1), cast(ct0), 5, n));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Long> cast(Map<?, ?> m) {
    return (Map<String, Long>) m;
  }

  private static long[] childStats(Connection cmd) throws InterruptedException {
    cmd.send(new Object[] {"stats"});
    long[] s = (long[]) cmd.recv();
    return Arrays.copyOf(s, s.length);
  }
}
