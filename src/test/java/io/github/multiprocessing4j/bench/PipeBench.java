package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.shm.MappedRegion;
import io.github.multiprocessing4j.internal.transport.RingFile;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pipe round-trip latency and one-way throughput between two JVMs, the workloads of CPython's
 * {@code shared/bench/python/mp_pipe.py} run with this library. Not a test: run it with
 * {@code bench/ipc.sh} or
 * {@code mvn -q test-compile exec:exec@bench -Dbench.mainClass=io.github.multiprocessing4j.bench.PipeBench}.
 *
 * <p>A child {@link Process} runs {@link #server}, which serves commands from the parent exactly as
 * {@code mp_pipe.server} does: {@code echo_bytes n}, {@code echo_obj n}, {@code send_bytes size
 * count}, {@code send_obj count}, {@code exit}. Metrics, one line each in the format of the CPython
 * scripts ({@code metric=median unit  # min=.. max=.. n=.. [p99=..]}):
 * <ul>
 *   <li>{@code java.pipe.rtt_bytes8}: {@code sendBytes} of 8 bytes and {@code recvBytes} of the echo,
 *       µs, median of 3000 single round trips (after 200 unmeasured ones).</li>
 *   <li>{@code java.pipe.rtt_dict}: the same with {@code send}/{@code recv} of a small
 *       {@code HashMap} {@code {"a":1,"b":"hello","c":3.0}} (CPython's {@code SMALL_DICT}).</li>
 *   <li>{@code java.pipe.tput_1k}, {@code tput_1m}: child to parent, {@code sendBytes} of 1 KiB
 *       (5 trials of 30000 messages) and 1 MiB (5 trials of 200), MB/s of payload (MB = 10^6
 *       bytes), timed from before the command is sent to the last message received, after one
 *       unmeasured trial of a fifth of the messages.</li>
 *   <li>{@code java.pipe.floor_1m}: the floor of {@code tput_1m}, the receiving end's work alone
 *       ({@link #receiverFloor}), measured right after it; Java only.</li>
 *   <li>{@code java.pipe.tput_1m_into}: {@code tput_1m} received with {@code recvBytesInto} into one
 *       reused 1 MiB buffer (CPython's {@code recv_bytes_into}), which allocates nothing per message;
 *       Java only (the CPython script does not measure it).</li>
 *   <li>{@code java.pipe.tput_dict}: child to parent, {@code send} of the small map, messages/s
 *       (5 trials of 30000).</li>
 *   <li>{@code java.pipe_simplex.*}: the three throughputs again with a fresh child, the data
 *       going through a one-way {@code Pipe.open(false)} (the child sends on {@code conn2}, the
 *       parent receives on {@code conn1}) and the commands through a two-way pipe.</li>
 * </ul>
 *
 * <p><b>Warm-up.</b> After the child has started and before the sequence above (which repeats
 * CPython's own warm-up of 200 round trips and a fifth of a trial), both JVMs run every workload
 * of the sequence unmeasured {@code --jit-warmup} times (default 2; each time 5000 round trips of
 * each kind and one full trial of each throughput), so that the JIT has compiled the paths in
 * both processes: CPython has no JIT to warm. {@code --jit-warmup 0} measures with CPython's
 * warm-up only.
 *
 * <p><b>Heap warm-up.</b> Then the parent repeats the unmeasured 1 MiB trial until the young
 * generation has been used without page faults, for at least two collections and as many bytes
 * as the committed heap, and the heap's size stays as it is, at most {@code --heap-warmup}
 * times (default 60; 0: none). Each received message is a new array, so the parent allocates at
 * the rate it receives (GB/s); G1 answers by growing the heap, and every array placed in heap
 * memory the process never touched costs 256 minor page faults (the kernel zeroes each page),
 * which cut 1 MiB throughput from 5-9 GB/s to 0.15-0.3 GB/s until the grown young generation had
 * been used once. Whether the measured trials fell into that transient depended on the timing of
 * G1's first collections: the bimodality of {@code tput_1m}. A line per trial
 * ({@code # ... minor faults per message, ... GCs, heap committed ...}) shows which mode it ran in.
 *
 * <p>Options: {@code --quick} (CPython's: 500 round trips, 2 trials of a tenth of the messages),
 * {@code --jit-warmup N}, {@code --heap-warmup N}, {@code --only duplex|simplex}, {@code --child-opt OPT} (repeatable; a JVM
 * option of the child), {@code --timeout S} (default 900: the whole run is abandoned after it).
 * The child is killed and reaped on failure, interruption or timeout.
 */
public final class PipeBench {

  /** CPython's {@code SMALL_BYTES}: eight bytes of 'x'. */
  private static final byte[] SMALL_BYTES = payload(8);

  /** The child of the run in progress, for the cleanup hook. */
  private static volatile Process live;

  private final boolean quick;
  private final int jitWarmup;
  private final int heapWarmup;
  private final List<String> childOpts;

  private PipeBench(boolean quick, int jitWarmup, int heapWarmup, List<String> childOpts) {
    this.quick = quick;
    this.jitWarmup = jitWarmup;
    this.heapWarmup = heapWarmup;
    this.childOpts = childOpts;
  }

  /** CPython's {@code SMALL_DICT}, as a {@code HashMap}. */
  static Map<String, Object> smallDict() {
    Map<String, Object> m = new HashMap<>();
    m.put("a", 1);
    m.put("b", "hello");
    m.put("c", 3.0);
    return m;
  }

  static byte[] payload(int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  // -----------------------------------------------------------------------------------------------
  // The child: mp_pipe.server

  /**
   * Serves the parent's commands: argument 0 is the two-way command connection (which also echoes),
   * argument 1, if given, the connection the one-way sends go through (else the command one).
   */
  static void server(Args args) throws Exception {
    Connection cmd = args.get(0, Connection.class);
    Connection data = args.size() > 1 ? args.get(1, Connection.class) : cmd;
    while (true) {
      Object[] c = (Object[]) cmd.recv();
      String op = (String) c[0];
      switch (op) {
        case "exit":
          return;
        case "echo_bytes": {
          int n = (Integer) c[1];
          for (int i = 0; i < n; i++) {
            cmd.sendBytes(cmd.recvBytes());
          }
          break;
        }
        case "echo_obj": {
          int n = (Integer) c[1];
          for (int i = 0; i < n; i++) {
            cmd.send(cmd.recv());
          }
          break;
        }
        case "send_bytes": {
          byte[] p = payload((Integer) c[1]);
          int count = (Integer) c[2];
          for (int i = 0; i < count; i++) {
            data.sendBytes(p);
          }
          break;
        }
        case "send_obj": {
          Map<String, Object> d = smallDict();
          int count = (Integer) c[1];
          for (int i = 0; i < count; i++) {
            data.send(d);
          }
          break;
        }
        case "stats": // PipeProbe's, not mp_pipe's: this process's scheduler counters
          cmd.send(ProcCounters.snapshot());
          break;
        case "threads": // PipeProbe's too: CPU time by thread
          cmd.send(ProcCounters.byThread());
          break;
        default:
          throw new IllegalArgumentException("unknown command " + op);
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // The parent: mp_pipe.rtt, tput_bytes, tput_obj

  /** {@code n} single round trips, in seconds each. */
  static double[] rtt(Connection cmd, int n, boolean obj) throws InterruptedException {
    double[] out = new double[n];
    if (obj) {
      Map<String, Object> d = smallDict();
      cmd.send(new Object[] {"echo_obj", n});
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        cmd.send(d);
        cmd.recv();
        out[i] = (System.nanoTime() - t) / 1e9;
      }
    } else {
      cmd.send(new Object[] {"echo_bytes", n});
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        cmd.sendBytes(SMALL_BYTES);
        cmd.recvBytes();
        out[i] = (System.nanoTime() - t) / 1e9;
      }
    }
    return out;
  }

  /** MB/s of {@code count} messages of {@code size} bytes from the child. */
  static double tputBytes(Connection cmd, Connection data, int size, int count) throws InterruptedException {
    long t = System.nanoTime();
    cmd.send(new Object[] {"send_bytes", size, count});
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += data.recvBytes().length;
    }
    long dt = System.nanoTime() - t;
    if (total != (long) size * count) {
      throw new IllegalStateException("received " + total + " bytes, not " + (long) size * count);
    }
    return total / (dt / 1e9) / 1e6;
  }

  /**
   * Repeats the 1 MiB trial until the young generation has been used without a page fault for
   * long enough: consecutive fault-free trials, with the committed heap unchanged, that span two
   * collections and allocated at least the committed heap (more than G1's largest young
   * generation, 60% of it, so it has stopped growing into memory never touched); at most
   * {@code heapWarmup} trials.
   */
  private void warmHeap(String tag, Connection cmd, Connection data) throws InterruptedException {
    long w0 = System.nanoTime();
    int n = 0;
    long cleanGcs = 0; // collections during the current run of fault-free trials
    long cleanBytes = 0; // bytes received during it
    long heap = Runtime.getRuntime().totalMemory();
    boolean settled = false;
    while (n < heapWarmup && !settled) {
      long f0 = ProcCounters.minorFaults();
      long g0 = gcCount();
      tputBytes(cmd, data, 1 << 20, 200);
      n++;
      long h = Runtime.getRuntime().totalMemory();
      boolean clean = ProcCounters.minorFaults() - f0 < 200 && h == heap;
      cleanGcs = clean ? cleanGcs + gcCount() - g0 : 0;
      cleanBytes = clean ? cleanBytes + (200L << 20) : 0;
      heap = h;
      settled = cleanGcs >= 2 && cleanBytes >= heap;
    }
    if (heapWarmup > 0) {
      System.out.println(String.format(Locale.ROOT,
          "# %s: heap warm-up: %d trials of 200 x 1 MiB in %.1f s, %s, heap committed %d MiB",
          tag, n, (System.nanoTime() - w0) / 1e9, settled ? "settled" : "NOT settled (measured trials may fault)",
          heap >> 20));
    }
  }

  /**
   * The floor of {@code tput_1m}: MB/s of what the receiving end must do for each message whatever
   * the transport, in this JVM and without a peer: allocate the array that {@code recvBytes} returns
   * and copy the message into it from a mapped shared-memory file, in the ring's 256 KiB pieces,
   * going round a 4 MiB ring as the pipe's does. The sending end's copy runs on the other core at
   * the same time, so the pipe cannot be faster than this.
   */
  static double receiverFloor(int size, int count) {
    Path file = RuntimeDir.shm().resolve("pipebench-floor-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    MappedRegion ring;
    try {
      ring = RingFile.create(file, 4 << 20);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      RuntimeDir.deleteQuietly(file);
    }
    int capacity = 4 << 20;
    byte[] x = payload(capacity);
    ring.put(0, x, 0, capacity); // the pages exist, as a ring's do once messages went round it
    int chunk = 256 * 1024;
    long total = 0;
    long t = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int at = (int) (((long) i * size) % capacity);
      byte[] msg = new byte[size];
      for (int off = 0; off < size; off += chunk) {
        int n = Math.min(chunk, size - off);
        ring.get(at + off < capacity ? at + off : at + off - capacity, msg, off, n);
      }
      total += msg.length;
    }
    return total / ((System.nanoTime() - t) / 1e9) / 1e6;
  }

  /** Collections so far, all collectors. */
  private static long gcCount() {
    long n = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }

  /** MB/s of {@code count} messages of {@code buf.length} bytes from the child, each into {@code buf}. */
  static double tputBytesInto(Connection cmd, Connection data, byte[] buf, int count) throws InterruptedException {
    long t = System.nanoTime();
    cmd.send(new Object[] {"send_bytes", buf.length, count});
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += data.recvBytesInto(buf);
    }
    long dt = System.nanoTime() - t;
    if (total != (long) buf.length * count) {
      throw new IllegalStateException("received " + total + " bytes, not " + (long) buf.length * count);
    }
    return total / (dt / 1e9) / 1e6;
  }

  /** Messages/s of {@code count} small maps from the child. */
  static double tputObj(Connection cmd, Connection data, int count) throws InterruptedException {
    long t = System.nanoTime();
    cmd.send(new Object[] {"send_obj", count});
    for (int i = 0; i < count; i++) {
      data.recv();
    }
    return count / ((System.nanoTime() - t) / 1e9);
  }

  // -----------------------------------------------------------------------------------------------
  // mp_pipe.run

  private void run(boolean simplex) throws Exception {
    String tag = simplex ? "java.pipe_simplex" : "java.pipe";
    Pipe cmdPipe = Pipe.open();
    Connection cmd = cmdPipe.conn1();
    Pipe dataPipe = simplex ? Pipe.open(false) : null; // conn1 receives (here), conn2 sends (child)
    Connection data = simplex ? dataPipe.conn1() : cmd;
    Process.Builder b = Process.builder().name("pipe-bench-server").target(PipeBench::server).daemon(true);
    if (simplex) {
      b.args(cmdPipe.conn2(), dataPipe.conn2());
    } else {
      b.args(cmdPipe.conn2());
    }
    if (!childOpts.isEmpty()) {
      b.jvmOptions(childOpts.toArray(new String[0]));
    }
    Process p = b.build();
    int trials = quick ? 2 : 5;
    int k = quick ? 10 : 1;
    boolean clean = false;
    live = p;
    try {
      p.start();
      cmdPipe.conn2().close(); // this process's copies: the child has its own
      if (simplex) {
        dataPipe.conn2().close();
      }

      long w0 = System.nanoTime();
      for (int r = 0; r < jitWarmup; r++) {
        if (!simplex) {
          rtt(cmd, 5000, false);
          rtt(cmd, 5000, true);
        }
        tputBytes(cmd, data, 1024, 30000);
        tputBytes(cmd, data, 1 << 20, 200);
        tputObj(cmd, data, 30000);
      }
      if (jitWarmup > 0) {
        System.out.println(String.format(Locale.ROOT, "# %s: JIT warm-up (%d rounds of every workload) took %.1f s",
            tag, jitWarmup, (System.nanoTime() - w0) / 1e9));
      }
      warmHeap(tag, cmd, data);

      if (!simplex) {
        int n = quick ? 500 : 3000;
        rtt(cmd, 200, false);
        Metrics.emit(tag + ".rtt_bytes8", rtt(cmd, n, false), "us", 1e6, null);
        rtt(cmd, 200, true);
        Metrics.emit(tag + ".rtt_dict", rtt(cmd, n, true), "us", 1e6, null);
      }
      String[] names = {"tput_1k", "tput_1m"};
      int[] sizes = {1024, 1 << 20};
      int[] counts = {30000 / k, 200 / k};
      for (int j = 0; j < names.length; j++) {
        tputBytes(cmd, data, sizes[j], counts[j] / 5);
        double[] s = new double[trials];
        for (int i = 0; i < trials; i++) {
          long f0 = ProcCounters.minorFaults();
          long g0 = gcCount();
          s[i] = tputBytes(cmd, data, sizes[j], counts[j]);
          System.out.println(String.format(Locale.ROOT,
              "# %s.%s trial %d: %.0f MB/s, %.1f minor faults per message, %d GCs, heap committed %d MiB",
              tag, names[j], i, s[i], (ProcCounters.minorFaults() - f0) / (double) counts[j], gcCount() - g0,
              Runtime.getRuntime().totalMemory() >> 20));
        }
        Metrics.emit(tag + "." + names[j], s, "MB/s", 1, counts[j] + " msgs/trial");
        if (sizes[j] == 1 << 20) {
          double[] f = new double[trials];
          receiverFloor(sizes[j], counts[j]); // unmeasured: the JIT compiles it, as the pipe's paths were
          for (int i = 0; i < trials; i++) {
            f[i] = receiverFloor(sizes[j], counts[j]);
          }
          Metrics.emit(tag + ".floor_1m", f, "MB/s", 1, "the receiving end's work alone, in this JVM");
          double[] r = new double[trials];
          byte[] buf = new byte[sizes[j]];
          tputBytesInto(cmd, data, buf, counts[j] / 5);
          for (int i = 0; i < trials; i++) {
            r[i] = tputBytesInto(cmd, data, buf, counts[j]);
          }
          Metrics.emit(tag + ".tput_1m_into", r, "MB/s", 1, "recvBytesInto one reused buffer; Java only");
        }
      }
      int c = 30000 / k;
      tputObj(cmd, data, c / 5);
      double[] s = new double[trials];
      for (int i = 0; i < trials; i++) {
        s[i] = tputObj(cmd, data, c);
      }
      Metrics.emit(tag + ".tput_dict", s, "msgs/s", 1, c + " msgs/trial");

      cmd.send(new Object[] {"exit"});
      clean = true;
    } finally {
      try {
        if (p.pid() != null && !(clean && p.join(Waits.JOIN))) {
          p.kill();
          p.join(Waits.JOIN);
        }
      } finally {
        cmd.close();
        data.close();
        live = null;
      }
    }
    if (p.exitCode() != 0) {
      throw new IllegalStateException(p + " ended with exit code " + p.exitCode()
          + p.failure().map(f -> ": " + f).orElse(""));
    }
  }

  /** Kills the child of the run in progress, if any: the shutdown hook and the timeout. */
  private static void killLive() {
    Process p = live;
    if (p == null) {
      return;
    }
    try {
      if (p.pid() != null && p.isAlive()) {
        p.kill();
        p.join(Waits.JOIN);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      System.err.println("# cleanup of " + p.name() + " failed: " + e);
    }
  }

  public static void main(String[] argv) throws Exception {
    boolean quick = false;
    int jitWarmup = 2;
    int heapWarmup = 60;
    long timeoutS = 900;
    boolean duplex = true;
    boolean simplex = true;
    List<String> childOpts = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--quick":
          quick = true;
          break;
        case "--jit-warmup":
          jitWarmup = Integer.parseInt(argv[++i]);
          break;
        case "--heap-warmup":
          heapWarmup = Integer.parseInt(argv[++i]);
          break;
        case "--timeout":
          timeoutS = Long.parseLong(argv[++i]);
          break;
        case "--only":
          duplex = argv[++i].equals("duplex");
          simplex = argv[i].equals("simplex");
          if (!duplex && !simplex) {
            throw new IllegalArgumentException("--only duplex|simplex, not " + argv[i]);
          }
          break;
        case "--child-opt":
          childOpts.add(argv[++i]);
          break;
        case "-h":
        case "--help":
          System.out.println("usage: PipeBench [--quick] [--jit-warmup N] [--heap-warmup N] [--only duplex|simplex]"
              + " [--child-opt JVM_OPTION]... [--timeout S]");
          return;
        default:
          if (argv[i].isBlank()) {
            break; // an empty -Dbench.args
          }
          System.err.println("unknown option " + argv[i] + "; try --help");
          System.exit(2);
      }
    }
    if (jitWarmup < 0 || heapWarmup < 0) {
      throw new IllegalArgumentException("--jit-warmup and --heap-warmup must not be negative");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(PipeBench::killLive, "bench-cleanup"));
    long deadline = timeoutS * 1000;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(deadline);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("# PipeBench: timed out after " + deadline / 1000 + " s; killing the child");
      System.exit(3); // the shutdown hook kills the child
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    System.out.println(String.format(Locale.ROOT,
        "# PipeBench.java: java %s (%s), %d cpus, canary loop(1e7)=%.2f ms, jit warm-up %d rounds%s%s",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), Metrics.canary(), jitWarmup, quick ? ", quick" : "",
        childOpts.isEmpty() ? "" : ", child options " + String.join(" ", childOpts)));
    PipeBench bench = new PipeBench(quick, jitWarmup, heapWarmup, childOpts);
    try {
      if (duplex) {
        bench.run(false);
      }
      if (simplex) {
        bench.run(true);
      }
    } finally {
      watchdog.interrupt();
      killLive();
    }
  }
}
