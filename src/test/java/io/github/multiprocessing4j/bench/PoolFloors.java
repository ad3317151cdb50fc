package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.internal.launch.Classpath;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.SerializableCallable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The floor under a cold pool's first result, and where a worker's way to it goes. A pool cannot
 * give its first result sooner than a new JVM, with the workers' class path, can run a trivial
 * main that connects back and sends one byte; with two workers booting at once, sooner than the
 * first of two such JVMs started together.
 *
 * <p>With {@code -Dbench.floorSelectorProvider=true} the floor's JVMs are told the selector
 * provider on their command line, as the library's children are, and skip the JDK's search of the
 * class path's jars for one; by default they are plain programs and search.
 *
 * <p>The socket is bound in a fresh directory of {@link Files#createTempDirectory} (mode 0700,
 * private to this user) and exists only while a measurement runs; it takes no authentication
 * because a pool's handshake is part of what is measured above the floor.
 */
final class PoolFloors {

  /** Class names whose loading marks a step of a worker's way to its first result, in order. */
  private static final String[][] STEPS = {
    {"jvm", "java.lang.Object"},
    {"boot", "io.github.multiprocessing4j.ChildRuntime"},
    {"bootstrap", "io.github.multiprocessing4j.pool.PoolWorker"},
    {"pipe", "io.github.multiprocessing4j.pool.PoolProtocol"},
    {"task", PoolBench.class.getName()},
    {"result", "io.github.multiprocessing4j.internal.codec.Encoder"},
  };

  private PoolFloors() {}

  /** The floor's child: connects to the Unix-domain socket at {@code args[0]}, sends one byte, exits. */
  static final class ConnectBack {
    private ConnectBack() {}

    /**
     * Runs the child.
     *
     * @param args the socket's path
     * @throws IOException if it cannot connect
     */
    public static void main(String[] args) throws IOException {
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
        c.write(ByteBuffer.wrap(new byte[] {1}));
      }
    }
  }

  /**
   * Starts {@code n} {@link ConnectBack} JVMs at once, as a pool starts its workers.
   *
   * @return seconds from before the first start to the first byte and to the last one
   */
  static double[] firstBytes(int n) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mp4j-floor");
    Path path = dir.resolve("s");
    List<java.lang.Process> ps = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      List<String> cmd = command(ConnectBack.class, path.toString());
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        ps.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      double first = 0;
      double last = 0;
      for (int i = 0; i < n; i++) {
        try (SocketChannel c = server.accept()) {
          if (c.read(ByteBuffer.allocate(1)) != 1) {
            throw new IOException("a floor child connected and sent nothing");
          }
          last = (System.nanoTime() - t0) / 1e9;
          if (i == 0) {
            first = last;
          }
        }
      }
      return new double[] {first, last};
    } finally {
      for (java.lang.Process p : ps) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * The command line of a floor JVM: this JVM's {@code java}, the workers' class path, {@code main}.
   *
   * @param main the floor child's class
   * @param args its arguments
   */
  static List<String> command(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (Boolean.getBoolean("bench.floorSelectorProvider")) {
      // The option the library gives its workers: a floor that skips the provider's search too.
      cmd.add("-Djava.nio.channels.spi.SelectorProvider="
          + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
    }
    cmd.addAll(Classpath.commandLineArgs(Classpath.entries()));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * CPU time of this JVM's ended and reaped child processes so far ({@code cutime + cstime} of
   * {@code /proc/self/stat}, in the kernel's 10 ms ticks): a figure of a child's start that a
   * loaded machine disturbs far less than its wall time. Zero where {@code /proc} lacks it.
   *
   * @return seconds
   */
  static double reapedChildrenCpu() {
    try {
      String stat = Files.readString(Paths.get("/proc/self/stat"), StandardCharsets.US_ASCII);
      // after "pid (comm)", the fields from the third on: cutime and cstime are the 16th and 17th
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Prints where each worker of one cold {@code Pool(2)} spends its way to the first result: the
   * worker JVMs' uptime when each step's first class loads ({@code -Xlog:class+load}), and how many
   * classes each step loaded, from the JDK's CDS archive, from the JDK's modules, or from the
   * class path. The logging slows the workers a little; the pool is not timed with the others.
   *
   * @param noop the first task
   */
  static void breakdown(SerializableCallable<Object> noop) throws Exception {
    Path dir = Files.createTempDirectory("mp4j-breakdown");
    try {
      String log = "-Xlog:class+load:file=" + dir.resolve("w%p.log") + ":uptime";
      long t0 = System.nanoTime();
      Pool pool = Pool.builder().processes(2).workerOptions(w -> w.jvmOptions(log)).build();
      try {
        pool.apply(noop);
        System.out.printf(Locale.ROOT, "# breakdown: Pool(2) creation to first result %.1f ms with class logging in the workers%n",
            (System.nanoTime() - t0) / 1e6);
      } finally {
        pool.terminate();
        pool.join();
      }
      try (Stream<Path> logs = Files.list(dir)) {
        for (Path p : (Iterable<Path>) logs.sorted()::iterator) {
          System.out.println("# breakdown " + p.getFileName() + ": " + steps(Files.readAllLines(p, StandardCharsets.UTF_8)));
        }
      }
    } finally {
      try (Stream<Path> logs = Files.list(dir)) {
        for (Path p : (Iterable<Path>) logs::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** "step at ms (classes: cds/jrt/classpath)" for each step a log reaches. */
  private static String steps(List<String> lines) {
    StringBuilder out = new StringBuilder();
    int step = 0;
    int[] counts = new int[3];
    for (String line : lines) {
      // [0.102s] name source: shared objects file | jrt:/... | file:/...
      int close = line.indexOf("s] ");
      if (close < 0) {
        continue;
      }
      String rest = line.substring(close + 3);
      String name = rest.split(" ", 2)[0];
      counts[rest.contains("source: shared") ? 0 : rest.contains("source: jrt") ? 1 : 2]++;
      if (step < STEPS.length && name.equals(STEPS[step][1])) {
        out.append(String.format(Locale.ROOT, "%s %.0f ms (%d/%d/%d); ", STEPS[step][0],
            Double.parseDouble(line.substring(1, close)) * 1e3, counts[0], counts[1], counts[2]));
        counts = new int[3];
        step++;
      }
    }
    return out.append(String.format(Locale.ROOT, "then to exit (%d/%d/%d); classes as cds/jrt/classpath",
        counts[0], counts[1], counts[2])).toString();
  }
}
