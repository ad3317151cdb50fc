package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.internal.launch.Classpath;
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
import java.util.concurrent.TimeUnit;

/**
 * The floor of a cold JVM's first pipe or queue operation: a new JVM with the same class path and
 * no library connects to a Unix-domain socket and goes through the exchanges of the library's
 * handshake (a 32-byte challenge, its answer, a one-byte welcome), then sends an 8-byte message.
 * What it times, in the child, from before opening the socket to after the message, is the JDK's
 * part of a first operation: its selector provider, its Unix-domain sockets (and the
 * {@code SecureRandom} their static initialiser seeds), and the round trips. Before timing it runs
 * a lambda, as a library child has already done by then (its target), and it gets the selector
 * provider option the library gives its children.
 *
 * <p>The socket is bound in a fresh directory of {@link Files#createTempDirectory} (mode 0700,
 * private to this user) and exists only while a measurement runs.
 */
final class FirstIpcFloor {

  private FirstIpcFloor() {}

  /** The floor's child: {@code args[0]} is the socket's path; prints the microseconds it took. */
  static final class Exchange {
    private Exchange() {}

    /**
     * Runs the child.
     *
     * @param args the socket's path
     * @throws IOException if the exchange fails
     */
    public static void main(String[] args) throws IOException {
      Runnable lambda = () -> { };
      lambda.run();
      long t0 = System.nanoTime();
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
        readFully(c, 32);
        c.write(ByteBuffer.wrap(new byte[32]));
        readFully(c, 1);
        c.write(ByteBuffer.wrap(new byte[8]));
        long t1 = System.nanoTime();
        System.out.println((t1 - t0) / 1000);
      }
    }
  }

  private static void readFully(SocketChannel c, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("the other side closed after " + b.position() + " of " + n + " bytes");
      }
    }
  }

  /**
   * Runs one floor child and serves its exchange.
   *
   * @return the child's own time for it, in milliseconds
   */
  static double once() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mp4j-ipc-floor");
    Path path = dir.resolve("s");
    java.lang.Process p = null;
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Djava.nio.channels.spi.SelectorProvider="
          + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
      cmd.addAll(Classpath.commandLineArgs(Classpath.entries()));
      cmd.add(Exchange.class.getName());
      cmd.add(path.toString());
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (SocketChannel c = server.accept()) {
        c.write(ByteBuffer.wrap(new byte[32]));
        readFully(c, 32);
        c.write(ByteBuffer.wrap(new byte[] {1}));
        readFully(c, 8);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("the floor child failed: " + out);
      }
      return Long.parseLong(out) / 1e3;
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    }
  }
}
