package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The floor under a cold pool's {@code map}: what two new JVMs and this one must do, at the least,
 * to deliver the same map. Two JVMs with the workers' class path start at once, connect back to a
 * Unix-domain socket, and serve the map's chunks (the pool's default chunk size, chunk {@code k} to
 * the {@code k}-th JVM in turn, as equal workers take them): each reads a chunk's items as plain
 * {@code int}s, boxes each one and applies the bench's function to it through a
 * {@link Function}, as a worker applies the caller's, and writes the results back as plain
 * {@code long}s; this JVM writes the chunks from a thread of its own, reads the results in order
 * into a list. Timed from before the first JVM starts to the last result read, as the pool's cold
 * {@code map} is timed from {@code new Pool(2)} to its list.
 *
 * <p>What the pool does beyond it is its own: the worker's runtime, its handshake and channel, the
 * items' and the function's encoding. What it shares with it is the JVMs' start and the JIT
 * warm-up of the work itself (a cold JVM runs {@code burn} interpreted until it is compiled),
 * which a warm map's figure or the ideal {@code items × 1 ms / 2} leaves out.
 *
 * <p>The socket is bound in a fresh directory of {@link Files#createTempDirectory} (mode 0700,
 * private to this user) and exists only while a measurement runs; it takes no authentication
 * because a pool's handshake is part of what is measured above the floor.
 */
final class MapFloors {

  private static final int WORKERS = 2;

  private MapFloors() {}

  /** The floor's worker: {@code args[0]} is the socket's path, {@code args[1]} trivial or burn. */
  static final class ServeChunks {
    private ServeChunks() {}

    /**
     * Runs the worker.
     *
     * @param args the socket's path and the function's name
     * @throws IOException if the exchange fails
     */
    public static void main(String[] args) throws IOException {
      Function<Integer, ? extends Number> f = args[1].equals("burn")
          ? (Function<Integer, Long>) PoolBench::burn : (Function<Integer, Integer>) PoolBench::trivial;
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
        ByteBuffer head = ByteBuffer.allocate(4);
        while (true) {
          readFully(c, head.clear());
          int n = head.flip().getInt();
          if (n == 0) {
            return;
          }
          ByteBuffer in = ByteBuffer.allocate(n * 4);
          readFully(c, in);
          in.flip();
          ByteBuffer out = ByteBuffer.allocate(n * 8);
          for (int i = 0; i < n; i++) {
            out.putLong(f.apply(in.getInt()).longValue());
          }
          writeFully(c, out.flip());
        }
      }
    }
  }

  /** CPython's default chunk size for {@code map} ({@code divmod(len, workers * 4)}, rounded up). */
  static int chunkSize(int items, int workers) {
    int chunk = items / (workers * 4);
    return items % (workers * 4) != 0 || chunk == 0 ? chunk + 1 : chunk;
  }

  /**
   * Runs one cold map on the floor.
   *
   * @param items the items
   * @param function {@code trivial} or {@code burn}
   * @param results receives the results, in the items' order
   * @return seconds from before the first JVM starts to the last result read
   */
  static double map(List<Integer> items, String function, List<Long> results) throws Exception {
    int chunk = chunkSize(items.size(), WORKERS);
    Path dir = Files.createTempDirectory("mp4j-floor");
    Path path = dir.resolve("s");
    List<java.lang.Process> ps = new ArrayList<>();
    SocketChannel[] workers = new SocketChannel[WORKERS];
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      List<String> cmd = PoolFloors.command(ServeChunks.class, path.toString(), function);
      long t0 = System.nanoTime();
      for (int i = 0; i < WORKERS; i++) {
        ps.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      for (int i = 0; i < WORKERS; i++) {
        workers[i] = server.accept();
      }
      IOException[] failed = new IOException[1];
      Thread writer = new Thread(() -> {
        try {
          for (int from = 0, k = 0; from < items.size(); from += chunk, k++) {
            int to = Math.min(items.size(), from + chunk);
            ByteBuffer b = ByteBuffer.allocate(4 + (to - from) * 4).putInt(to - from);
            for (int i = from; i < to; i++) {
              b.putInt(items.get(i));
            }
            writeFully(workers[k % WORKERS], b.flip());
          }
          for (SocketChannel w : workers) {
            writeFully(w, ByteBuffer.allocate(4).putInt(0).flip());
          }
        } catch (IOException e) {
          failed[0] = e;
          closeAll(workers); // the reads below fail rather than wait
        }
      }, "floor-writer");
      writer.start();
      for (int from = 0, k = 0; from < items.size(); from += chunk, k++) {
        int n = Math.min(items.size(), from + chunk) - from;
        ByteBuffer b = ByteBuffer.allocate(n * 8);
        readFully(workers[k % WORKERS], b);
        b.flip();
        for (int i = 0; i < n; i++) {
          results.add(b.getLong());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      writer.join();
      if (failed[0] != null) {
        throw failed[0];
      }
      return seconds;
    } finally {
      closeAll(workers);
      for (java.lang.Process p : ps) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    }
  }

  private static void closeAll(SocketChannel[] channels) {
    for (SocketChannel c : channels) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing a floor's socket: nothing to do about a failure
        }
      }
    }
  }

  private static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("a floor worker's socket ended early");
      }
    }
  }

  private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      c.write(b);
    }
  }
}
