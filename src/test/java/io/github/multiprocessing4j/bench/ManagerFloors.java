package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.testing.Waits;
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
import java.util.concurrent.locks.LockSupport;

/**
 * The floors under the managers' speed goals: the same measurements as {@link ManagerBench}'s with
 * nothing of a manager in them, only a socket. A manager's start cannot beat a child that serves
 * one socket, and appends from 4 new JVMs cannot beat raw round trips from 4 new JVMs.
 *
 * <p>The sockets are bound in a fresh directory of {@link Files#createTempDirectory}, which is
 * private to this user (mode 0700), and exist only while a measurement runs; they take no
 * authentication because a manager's would be part of what is measured above the floor.
 */
final class ManagerFloors {

  private static final int MESSAGE = 32;

  private ManagerFloors() {}

  /** A child that binds a Unix-domain socket at its argument, accepts one connection and echoes one byte. */
  static final class SocketEcho implements Target {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(Args args) throws IOException {
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(args.getString(0)));
        try (SocketChannel c = server.accept()) {
          ByteBuffer b = ByteBuffer.allocate(1);
          c.read(b);
          c.write(b.flip());
        }
      }
    }
  }

  /** A child of the raw round trips: connects, waits at the barrier and for go, then n round trips. */
  static final class RawPinger implements Target {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(Args args) throws Exception {
      int n = args.getInt(1);
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args.getString(0)))) {
        args.get(2, Barrier.class).await();
        args.get(3, Event.class).await();
        ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE);
        for (int i = 0; i < n; i++) {
          roundTrip(c, b);
        }
      }
    }
  }

  private static void roundTrip(SocketChannel c, ByteBuffer b) throws IOException {
    b.clear();
    while (b.hasRemaining()) {
      c.write(b);
    }
    b.clear();
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("the other end closed");
      }
    }
  }

  /** Start of a {@link SocketEcho} child to its echo, seconds; the child is joined, untimed. */
  static double socketChildFirstReply(String method) throws Exception {
    Path dir = Files.createTempDirectory("mp4j-floor");
    Path path = dir.resolve("s");
    long t = System.nanoTime();
    Process p = Process.builder().startMethod(method).target(SocketEcho.class).args(path.toString()).build();
    p.start();
    double took;
    try (SocketChannel c = connectWhenBound(p, path)) {
      ByteBuffer b = ByteBuffer.allocate(1).put((byte) 1).flip();
      c.write(b);
      c.read(b.clear());
      took = (System.nanoTime() - t) / 1e9;
    } finally {
      if (!p.join(Waits.JOIN)) {
        p.kill();
      }
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    }
    return took;
  }

  /** As a manager's start is awaited: a connection attempt about every millisecond. */
  private static SocketChannel connectWhenBound(Process p, Path path) throws IOException {
    long deadline = System.nanoTime() + Waits.JOIN.toNanos();
    while (true) {
      try {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() - deadline > 0) {
          p.kill();
          throw new IOException(p + " did not listen", e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
  }

  /** 4 {@link RawPinger} children against a thread each in this JVM, from go to the last join: round trips/s. */
  static double rawRoundTrips4p(int perChild) throws Exception {
    Path dir = Files.createTempDirectory("mp4j-floor");
    Path path = dir.resolve("s");
    List<Process> ps = new ArrayList<>();
    List<Thread> echoes = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      Barrier ready = new Barrier(5);
      Event go = new Event();
      for (int c = 0; c < 4; c++) {
        Process p = Process.builder().target(RawPinger.class).args(path.toString(), perChild, ready, go).build();
        p.start();
        ps.add(p);
      }
      for (int c = 0; c < 4; c++) {
        SocketChannel s = server.accept();
        Thread t = new Thread(() -> echo(s), "floor-echo-" + c);
        t.setDaemon(true);
        t.start();
        echoes.add(t);
      }
      ready.await(Waits.LONG);
      long t = System.nanoTime();
      go.set();
      for (Process p : ps) {
        if (!p.join(Waits.LONG) || p.exitCode() != 0) {
          throw new IllegalStateException(p + " did not finish its round trips: exit code " + p.exitCode());
        }
      }
      return 4.0 * perChild / ((System.nanoTime() - t) / 1e9);
    } finally {
      ps.forEach(Process::kill);
      for (Thread t : echoes) {
        t.join(Waits.JOIN.toMillis());
      }
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
    }
  }

  private static void echo(SocketChannel s) {
    try (s) {
      ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE);
      while (true) {
        b.clear();
        while (b.hasRemaining()) {
          if (s.read(b) < 0) {
            return;
          }
        }
        b.flip();
        while (b.hasRemaining()) {
          s.write(b);
        }
      }
    } catch (IOException e) {
      // the child ended
    }
  }
}
