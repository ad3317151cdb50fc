package io.github.multiprocessing4j.internal.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The socket beside a pair of rings, for two things only: a byte that wakes the peer parked waiting
 * for data or room, and the end of the stream when the peer closes or its process ends, which the
 * kernel delivers even after {@code SIGKILL}. One daemon thread per socket reads it and tells the
 * ring's end. Apart from the rings because it is the only part of a ring link that blocks in the
 * kernel and owns a thread.
 *
 * <p>Thread-safe.
 */
final class WakeupSocket {

  /** Wake-ups and their socket: guarded by this buffer's monitor. */
  private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
  private final Runnable onWake;
  private final Runnable onPeerGone;
  private SocketChannel socket; // guarded by wakeByte; null until attach
  private Selector selector; // guarded by wakeByte; the watcher thread's
  private Thread watcher; // guarded by wakeByte
  private volatile boolean closed;

  /**
   * A socket end not attached yet.
   *
   * @param onWake run by the watcher thread when the peer sent wake-up bytes
   * @param onPeerGone run by the watcher thread once the peer is unreachable (and after {@link #close()})
   */
  WakeupSocket(Runnable onWake, Runnable onPeerGone) {
    this.onWake = onWake;
    this.onPeerGone = onPeerGone;
  }

  /**
   * Takes the authenticated socket to the peer and starts watching it, unless closed meanwhile (it
   * is then closed).
   *
   * @param s the socket, in blocking mode
   * @return false if it cannot be watched (it is closed): as if the peer had gone
   */
  boolean attach(SocketChannel s) {
    // Non-blocking, so that no thread's interrupt can close it: an interrupt during a blocking
    // write of a wake-up byte would close the socket, and both ends would take the pipe for ended.
    Selector sel;
    try {
      s.configureBlocking(false);
      sel = Selector.open();
      s.register(sel, SelectionKey.OP_READ);
    } catch (IOException e) {
      closeQuietly(s);
      return false;
    }
    Thread w = new Thread(null, new Watch(this, s, sel), "mp4j-ring-waker", 64 * 1024, false);
    w.setDaemon(true);
    synchronized (wakeByte) {
      if (closed) {
        closeQuietly(s);
        closeQuietly(sel);
        return true;
      }
      socket = s;
      selector = sel;
      watcher = w;
    }
    w.start();
    return true;
  }

  /** Sends the peer a wake-up byte; nothing before {@link #attach} (attaching wakes the peer once). */
  void wake() {
    synchronized (wakeByte) {
      if (socket == null) {
        return; // no peer connected yet; the ring end wakes it once attached
      }
      wakeByte.clear();
      try {
        socket.write(wakeByte); // 0 if the socket's buffer is full: wake-ups are pending anyway
      } catch (IOException e) {
        // the peer is gone: its end of the socket is closed, and the watcher thread will see it
      }
    }
  }

  /** Reads wake-up bytes until the peer closes its end, or this end is closed. */
  private void watch(SocketChannel s, Selector sel) {
    ByteBuffer buf = ByteBuffer.allocate(64);
    try {
      while (!closed) {
        sel.select();
        sel.selectedKeys().clear();
        int n;
        while ((n = s.read(buf)) > 0) {
          buf.clear();
        }
        if (n < 0) {
          break;
        }
        onWake.run();
      }
    } catch (IOException | ClosedSelectorException e) {
      // closed here, or reset by the peer: either way the peer is unreachable
    } finally {
      onPeerGone.run();
      closeQuietly(s);
      closeQuietly(sel);
    }
  }

  /** Stops watching: the watcher thread closes the socket, and the peer sees the end of the stream. */
  void close() {
    Selector sel;
    synchronized (wakeByte) {
      closed = true;
      sel = selector;
    }
    if (sel != null) {
      sel.wakeup(); // the watcher sees `closed`, then closes the socket
    }
  }

  /** Waits a little for the watcher thread to end after {@link #close()}; keeps an interrupt. */
  void awaitWatcher() {
    Thread w;
    synchronized (wakeByte) {
      w = watcher;
    }
    if (w != null) {
      try {
        w.join(TimeUnit.SECONDS.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void closeQuietly(java.io.Closeable s) {
    try {
      s.close();
    } catch (IOException e) {
      // best effort: the descriptor is released either way
    }
  }

  /** The watcher thread's task: a class rather than a lambda, loaded ahead by the transport warm-up. */
  private static final class Watch implements Runnable {
    private final WakeupSocket owner;
    private final SocketChannel socket;
    private final Selector selector;

    Watch(WakeupSocket owner, SocketChannel socket, Selector selector) {
      this.owner = owner;
      this.socket = socket;
      this.selector = selector;
    }

    @Override
    public void run() {
      owner.watch(socket, selector);
    }
  }
}
