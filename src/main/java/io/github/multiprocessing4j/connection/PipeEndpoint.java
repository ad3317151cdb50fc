package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.transport.Authenticator;
import io.github.multiprocessing4j.internal.transport.Handshake;
import io.github.multiprocessing4j.internal.shm.MappedRegion;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.RingFile;
import io.github.multiprocessing4j.internal.transport.RingTransport;
import io.github.multiprocessing4j.internal.transport.SocketTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * How the two ends of a pipe find each other, wherever each one ended up, with nothing relayed by
 * the process that created the pipe.
 *
 * <p>{@link #create} makes two files in the creator's private directories: the ring file (the
 * pipe's buffer, in shared memory) and a small state file. The first process to use an end
 * {@link #claim claims} it in the state file, maps the rings and listens on a socket; the second
 * claims the other end, maps the rings and connects. The socket is authenticated with the authkey
 * and then carries only wake-ups and the end of the stream. Because the rings exist from the start,
 * an end can send before its peer ever ran, as into a pipe's buffer; and what it sent before it
 * closed or ended is still there for the peer to read.
 *
 * <p>The state file is read and written under a file lock, so two claims cannot race. An end can
 * be claimed once: a second process that tries to use it is refused, as two readers of one pipe
 * would corrupt it.
 */
final class PipeEndpoint {

  private static final int SLOT = 16; // per end: long pid, int flags, int tcp port
  /** Per end, after both slots: a 2-byte length and the UTF-8 path of its Unix socket. */
  private static final int PATH_SLOT = 2 + 256;
  private static final int CLAIMED = 1;
  private static final int LISTENING = 2;
  private static final int CLOSED = 4;
  private static final AtomicLong IDS = new AtomicLong();
  private static final long TICK_MS = 100;
  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** How long a peer that broke the handshake has to show it is ending. */
  private static final long PEER_EXIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private PipeEndpoint() {}

  /**
   * Creates the files of a new pipe.
   *
   * @return the state file and the ring file, which both ends carry
   * @throws IOException if they cannot be written
   */
  public static Path[] create() throws IOException {
    long id = IDS.incrementAndGet();
    Path state = RuntimeDir.get().resolve("pipe-" + id);
    Files.write(state, new byte[2 * SLOT + 2 * PATH_SLOT], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Path ring = RuntimeDir.shm().resolve("pipe-" + id + ".ring");
    RingFile.create(ring, RingTransport.DEFAULT_CAPACITY);
    return new Path[] {state, ring};
  }

  /**
   * Claims one end of a pipe for this process and returns its channel at once. If the peer already
   * listens, the socket to it is connected now; else this end listens, and a background thread
   * accepts the peer when it comes, or marks it gone once {@code peerAbandoned} says nobody who
   * could use it is alive, or its process ended.
   *
   * @param state the pipe's state file
   * @param ring the pipe's ring file
   * @param side 0 or 1
   * @param key the authkey both ends share
   * @param peerAbandoned checked while waiting for the peer
   * @return the channel
   * @throws ConnectionException if the end was claimed before, or the pipe's creator has ended
   * @throws IOException if a file or a socket fails
   */
  public static RingTransport claim(Path state, Path ring, int side, byte[] key, BooleanSupplier peerAbandoned)
      throws IOException {
    int other = 1 - side;
    SocketAddress peer = null;
    long peerPid = 0;
    boolean peerClosed;
    boolean peerClaimed;
    RingTransport t;
    ServerSocketChannel server = null;
    Path socketPath = null;
    synchronized (PipeEndpoint.class) { // a file lock excludes other JVMs only
      FileChannel fc;
      try {
        fc = FileChannel.open(state, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        throw gone(state);
      }
      try (fc) {
        FileLock lock = fc.lock();
        ByteBuffer slots = ByteBuffer.allocate(2 * SLOT);
        fc.read(slots, 0);
        int mine = slots.getInt(side * SLOT + 8);
        if ((mine & CLAIMED) != 0) {
          throw new ConnectionException("this end of the pipe was already used by process "
              + slots.getLong(side * SLOT) + "; an end of a pipe can be used by one process only "
              + "(pass it on before using it, and use it in one process)");
        }
        int theirs = slots.getInt(other * SLOT + 8);
        peerClosed = (theirs & CLOSED) != 0;
        peerClaimed = (theirs & CLAIMED) != 0;
        MappedRegion map;
        try {
          map = RingFile.map(ring);
        } catch (NoSuchFileException e) {
          throw gone(state);
        }
        t = new RingTransport(map, side == 0);
        if (!peerClosed && (theirs & LISTENING) != 0) {
          int port = slots.getInt(other * SLOT + 12);
          peerPid = slots.getLong(other * SLOT);
          peer = port != 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
              : UnixDomainSocketAddress.of(readSocketPath(fc, other));
        } else if (!peerClosed) {
          socketPath = socketPath(state, side);
          server = listen(socketPath);
          if (server.getLocalAddress() instanceof UnixDomainSocketAddress) {
            writeSocketPath(fc, side, socketPath);
          }
        }
        int port = server != null && !(server.getLocalAddress() instanceof UnixDomainSocketAddress)
            ? ((InetSocketAddress) server.getLocalAddress()).getPort() : 0;
        ByteBuffer slot = ByteBuffer.allocate(SLOT);
        slot.putLong(0, CurrentProcess.pid());
        slot.putInt(8, CLAIMED | (server != null ? LISTENING : 0));
        slot.putInt(12, port);
        fc.write(slot, side * SLOT);
        lock.release();
      }
    }
    if (peerClaimed || peerClosed) {
      RuntimeDir.deleteQuietly(ring); // both ends have it mapped, or the other will never come
    }
    if (peerClosed) {
      t.markPeerGone();
    } else if (peer != null) {
      connect(t, peer, peerPid, key);
    } else {
      Acceptor a = new Acceptor(t, server, socketPath, state, other, key, peerAbandoned);
      Thread th = new Thread(null, a, "mp4j-pipe-acceptor", 64 * 1024, false);
      th.setDaemon(true);
      th.start();
    }
    OpenChannels.add(t);
    return t;
  }

  private static ConnectionException gone(Path state) {
    return new ConnectionException("the pipe's files (" + state + ") are gone: the process that "
        + "created the pipe has ended, so an end that was never used can no longer be connected");
  }

  /**
   * Connects to the listening peer. Not interruptible: an interrupt would close the socket and make
   * the peer look gone, and the end is already recorded as claimed, so it could not be retried. The
   * connection is local and the handshake bounded by its timeout; the interrupt is kept for later.
   *
   * <p>A peer that ends during the handshake (the socket closes or resets under it) is gone as one
   * that ended before: what it wrote to the ring before it ended is still received. Only a peer
   * that answers wrongly fails the claim, or one whose socket broke while it lives on.
   */
  private static void connect(RingTransport t, SocketAddress peer, long peerPid, byte[] key) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      SocketChannel s;
      try {
        s = SocketChannel.open(peer);
      } catch (IOException e) {
        t.markPeerGone(); // refused or missing: the listening end's process has ended
        return;
      }
      try {
        SocketTransport setup = new SocketTransport(s);
        try {
          Handshake.connect(setup, key, HANDSHAKE_NANOS);
        } catch (InterruptedException e) {
          // only if interrupted again meanwhile: a handshake cannot resume half-way
          interrupted = true;
          throw new IOException("interrupted during the authkey challenge", e);
        }
        t.attachSocket(setup.detach());
      } catch (IOException | ConnectionException e) {
        s.close();
        if (peerEnds(peerPid)) {
          t.markPeerGone();
          return;
        }
        throw e;
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Whether the peer's process ends within a bound: a process that closed its socket mid-handshake
   * is usually exiting, which takes a few milliseconds to a few seconds on a loaded machine.
   */
  private static boolean peerEnds(long pid) {
    java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isEmpty() || !p.get().isAlive()) {
      return true;
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + PEER_EXIT_NANOS;
    try {
      while (true) {
        try {
          p.get().onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true; // kept for later, as the rest of connect does
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          return !p.get().isAlive();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Where this end's socket goes: in this JVM's socket directory ({@link RuntimeDir#sockets()}, the
   * runtime directory unless its path is too long for a socket), named after the pipe; null if
   * there is none (then loopback TCP). Recorded in the state file for the peer.
   */
  private static Path socketPath(Path state, int side) {
    Path dir = RuntimeDir.sockets();
    return dir == null ? null : dir.resolve(state.getFileName() + "-" + side + ".sock");
  }

  private static void writeSocketPath(FileChannel fc, int side, Path p) throws IOException {
    byte[] b = p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(2 + b.length).putShort((short) b.length).put(b);
    buf.flip();
    fc.write(buf, 2 * SLOT + (long) side * PATH_SLOT);
  }

  private static Path readSocketPath(FileChannel fc, int side) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(PATH_SLOT);
    fc.read(buf, 2 * SLOT + (long) side * PATH_SLOT);
    int len = buf.getShort(0) & 0xffff;
    if (len == 0 || len > PATH_SLOT - 2) {
      throw new ConnectionException("the pipe's state file names no socket for its other end");
    }
    return java.nio.file.Paths.get(new String(buf.array(), 2, len, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static ServerSocketChannel listen(Path p) throws IOException {
    String whyTcp = "no private directory has a path short enough for a Unix socket";
    if (p != null) {
      try {
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Files.deleteIfExists(p);
        ss.bind(UnixDomainSocketAddress.of(p));
        return ss;
      } catch (UnsupportedOperationException e) {
        whyTcp = "this platform has no Unix-domain sockets";
      }
    }
    RuntimeDir.warnTcp("an end of a pipe", whyTcp);
    ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.INET);
    ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return ss;
  }

  /**
   * Marks an end as closed in the state file, so that a peer waiting for it sees the end of the
   * stream. Once no end can be claimed any more (each is claimed or closed), the ring file goes;
   * once both are closed, the state file too. Quiet if the pipe's creator has ended.
   *
   * @param state the pipe's state file
   * @param ring the pipe's ring file
   * @param side the end
   */
  public static void markClosed(Path state, Path ring, int side) {
    synchronized (PipeEndpoint.class) {
      int theirs;
      try (FileChannel fc = FileChannel.open(state, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        fc.lock(); // released when the channel closes
        ByteBuffer flags = ByteBuffer.allocate(4);
        fc.read(flags, side * SLOT + 8);
        flags.putInt(0, flags.getInt(0) | CLOSED);
        flags.clear();
        fc.write(flags, side * SLOT + 8);
        flags.clear();
        fc.read(flags, (1 - side) * SLOT + 8);
        theirs = flags.getInt(0);
      } catch (IOException e) {
        return; // the creator has ended and its runtime directory is gone: nobody can be waiting
      }
      if ((theirs & (CLAIMED | CLOSED)) != 0) {
        RuntimeDir.deleteQuietly(ring); // mapped by whoever still uses it; nobody can claim an end any more
      }
      if ((theirs & CLOSED) != 0) {
        RuntimeDir.deleteQuietly(state);
      }
    }
  }


  /**
   * Deletes a pipe's files once nobody can use either end any more: one end was closed and
   * whoever held the other has ended without marking it closed.
   *
   * @param state the state file
   * @param ring the ring file
   */
  public static void delete(Path state, Path ring) {
    synchronized (PipeEndpoint.class) {
      RuntimeDir.deleteQuietly(ring);
      RuntimeDir.deleteQuietly(state);
    }
  }

  /** Waits for the peer of a listening end, in the background. */
  private static final class Acceptor implements Runnable {
    private final RingTransport t;
    private final ServerSocketChannel server;
    private final Path socketPath;
    private final Path state;
    private final int other;
    private final byte[] key;
    private final BooleanSupplier peerAbandoned;

    Acceptor(RingTransport t, ServerSocketChannel server, Path socketPath, Path state, int other, byte[] key,
        BooleanSupplier peerAbandoned) {
      this.t = t;
      this.server = server;
      this.socketPath = socketPath;
      this.state = state;
      this.other = other;
      this.key = key;
      this.peerAbandoned = peerAbandoned;
    }

    /**
     * Accepts until the peer is in: each socket is authenticated by the {@link Authenticator} (no
     * thread per peer, so silent connections cannot hold up the real peer), and the first to pass
     * is attached. A failure to accept (out of descriptors) is logged once and retried at the next
     * tick, never taken for the peer's end.
     */
    @Override
    public void run() {
      AtomicBoolean taken = new AtomicBoolean();
      boolean warned = false;
      try (Selector selector = Selector.open(); server) {
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        t.onClose(selector::wakeup);
        while (!t.isClosed() && !taken.get()) {
          try {
            for (SocketChannel s; (s = server.accept()) != null; ) {
              Authenticator.submit(s, key, HANDSHAKE_NANOS, ch -> {
                if (taken.compareAndSet(false, true)) {
                  t.attachSocket(ch);
                  selector.wakeup();
                } else {
                  ch.close(); // a second peer that knows the key: the end is taken
                }
              });
            }
          } catch (IOException e) {
            if (!server.isOpen()) {
              throw e;
            }
            if (!warned) {
              warned = true;
              Log.get(PipeEndpoint.class).warn("an end of a pipe cannot accept its "
                  + "peer's connection; it tries again", e);
            }
          }
          if (taken.get()) {
            return;
          }
          if ((peerAbandoned.getAsBoolean() || peerClaimedAndGone()) && taken.compareAndSet(false, true)) {
            t.markPeerGone();
            return;
          }
          selector.select(TICK_MS);
          selector.selectedKeys().clear();
        }
      } catch (IOException | RuntimeException e) {
        if (taken.compareAndSet(false, true)) {
          t.markPeerGone(); // the listening socket failed: nobody can reach this end any more
        }
      } finally {
        if (socketPath != null) {
          try {
            Files.deleteIfExists(socketPath);
          } catch (IOException e) {
            // in the private runtime directory, removed at exit anyway
          }
        }
      }
    }

    /** The peer claimed its end but never connected, and its process has ended; or it closed. */
    private boolean peerClaimedAndGone() {
      ByteBuffer slot = ByteBuffer.allocate(SLOT);
      try (FileChannel fc = FileChannel.open(state, StandardOpenOption.READ)) {
        fc.read(slot, other * SLOT);
      } catch (IOException e) {
        // the creator ended, or (Windows) another process holds the lock this instant: the peer
        // may still be connecting, and the next tick looks again
        return false;
      }
      int flags = slot.getInt(8);
      if ((flags & CLOSED) != 0) {
        return true;
      }
      long pid = slot.getLong(0);
      return (flags & CLAIMED) != 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }
}
