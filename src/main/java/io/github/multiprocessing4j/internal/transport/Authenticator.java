package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;

import io.github.multiprocessing4j.connection.AuthenticationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * Runs the accepting side of the authkey challenge ({@link Handshake.Acceptance}) for every
 * socket this JVM accepts on its own behalf (queue server, wake sockets, pipe ends), all in one
 * thread with a selector: a peer that connects and says nothing costs a descriptor and a few
 * hundred bytes until its deadline, never a thread. At most {@link #MAX_PENDING} wait at once; a
 * newer one closes the oldest, so a crowd of silent peers cannot keep out a real one for longer
 * than it keeps connecting. A socket that fails is closed with everything it used.
 *
 * <p>The thread never dies: anything thrown while serving one socket closes that socket; anything
 * else is logged and the loop goes on with a fresh selector.
 */
public final class Authenticator {

  /** The most handshakes waiting at once; beyond, the oldest is dropped. */
  static final int MAX_PENDING = Tunable.MAX_PENDING_HANDSHAKES.intValue(128);
  /** Made when first used: a process that serves connections need not start logging to do it. */
  private static final class Logs {
    static final Logger LOG = Log.get(Authenticator.class);
  }

  /** What to do with a socket that passed: called in the authenticator's thread, so it must be quick. */
  public interface Admit {
    /**
     * Takes the authenticated socket, in non-blocking mode and registered with no selector.
     *
     * @param channel the socket
     * @throws Exception if it cannot be taken: the socket is then closed
     */
    void admit(SocketChannel channel) throws Exception;
  }

  private static final Queue<Pending> SUBMITTED = new ConcurrentLinkedQueue<>();
  private static final Object START_LOCK = new Object();
  private static volatile Selector selector;
  private static volatile Thread thread;
  /** How many the thread has taken in and not yet finished; written by it alone. */
  private static volatile int waitingCount;

  private Authenticator() {}

  /** One socket's exchange in progress. */
  private static final class Pending {
    final SocketChannel channel;
    final Handshake.Acceptance exchange;
    final long deadline;
    final Admit admit;
    final ByteBuffer header = ByteBuffer.allocate(4);
    ByteBuffer body; // null until the header is in
    ByteBuffer out; // a reply not yet written out

    Pending(SocketChannel channel, byte[] key, long timeoutNanos, Admit admit) {
      this.channel = channel;
      this.exchange = new Handshake.Acceptance(key);
      this.deadline = System.nanoTime() + timeoutNanos;
      this.admit = admit;
    }
  }

  /**
   * Authenticates a freshly accepted socket in the background; {@code admit} gets it if it passes
   * within {@code timeoutNanos}, else it is closed.
   *
   * @param channel the socket
   * @param key the authkey
   * @param timeoutNanos how long the whole exchange may take
   * @param admit what gets the socket once authenticated
   */
  public static void submit(SocketChannel channel, byte[] key, long timeoutNanos, Admit admit) {
    try {
      ensureRunning();
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(channel);
      Logs.LOG.error("cannot authenticate a connection: the handshake thread cannot start", e);
      return;
    }
    SUBMITTED.add(new Pending(channel, key, timeoutNanos, admit));
    Selector sel = selector;
    if (sel != null) {
      sel.wakeup();
    }
  }

  /** The number of sockets waiting to be authenticated; for tests. */
  public static int pending() {
    return SUBMITTED.size() + waitingCount;
  }

  private static void ensureRunning() throws IOException {
    if (thread != null) {
      return;
    }
    synchronized (START_LOCK) {
      if (thread != null) {
        return;
      }
      selector = Selector.open();
      Thread t = new Thread(null, Authenticator::run, "mp4j-handshakes", 128 * 1024, false);
      t.setDaemon(true);
      t.start();
      thread = t;
      // A thread waiting in select() at exit makes HotSpot wait 300 ms for it: end it first.
      ExitActions.onExitClose(Authenticator::stopAtExit);
    }
  }

  /** Set at exit: the thread ends, its selector closed, rather than starting afresh. */
  private static volatile boolean exiting;

  private static void stopAtExit() {
    exiting = true;
    try {
      selector.close();
    } catch (IOException | RuntimeException e) {
      // exiting anyway
    }
  }

  private static void run() {
    // Insertion order: the oldest first, to drop when too many wait, and to expire.
    LinkedHashSet<SelectionKey> waiting = new LinkedHashSet<>();
    while (!exiting) {
      try {
        loop(waiting);
      } catch (Throwable e) { // never die: the sockets of this JVM would all go unanswered
        if (exiting) {
          return; // its selector closed at exit
        }
        Logs.LOG.error("the handshake thread failed; it drops the connections it was authenticating and goes on", e);
        for (SelectionKey k : waiting) {
          closeQuietly((SocketChannel) k.channel());
        }
        waiting.clear();
        waitingCount = 0;
        try {
          selector.close();
        } catch (IOException | RuntimeException x) {
          // replaced below
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // an error that repeats must not spin a CPU
        try {
          selector = Selector.open();
        } catch (IOException x) {
          Logs.LOG.error("the handshake thread cannot open a selector; it retries", x);
        }
      }
    }
  }

  private static void loop(LinkedHashSet<SelectionKey> waiting) throws IOException {
    Selector sel = selector;
    while (true) {
      for (Pending p; (p = SUBMITTED.poll()) != null; ) {
        begin(sel, p, waiting);
      }
      while (waiting.size() > MAX_PENDING) {
        Iterator<SelectionKey> it = waiting.iterator();
        SelectionKey oldest = it.next();
        it.remove();
        waitingCount = waiting.size(); // before the close: whoever sees it closed sees the count
        fail(oldest);
      }
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      for (Iterator<SelectionKey> it = waiting.iterator(); it.hasNext(); ) {
        SelectionKey k = it.next();
        long left = ((Pending) k.attachment()).deadline - now;
        if (left <= 0) {
          it.remove();
          fail(k);
        } else {
          next = Math.min(next, left);
        }
      }
      waitingCount = waiting.size();
      sel.select(next == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(next + 999_999)));
      List<Pending> admitted = new ArrayList<>();
      for (SelectionKey k : sel.selectedKeys()) {
        Pending p = (Pending) k.attachment();
        try {
          if (step(k, p)) {
            waiting.remove(k);
            k.cancel();
            admitted.add(p);
          }
        } catch (IOException | RuntimeException e) {
          waiting.remove(k);
          fail(k);
        }
      }
      sel.selectedKeys().clear();
      waitingCount = waiting.size();
      if (!admitted.isEmpty()) {
        sel.selectNow(); // deregisters the admitted sockets: they go to other selectors or blocking use
        sel.selectedKeys().clear();
        for (Pending p : admitted) {
          try {
            p.admit.admit(p.channel);
          } catch (Throwable e) { // whatever the taker does wrong, this thread goes on
            closeQuietly(p.channel);
            Logs.LOG.debug("an authenticated connection could not be taken", e);
          }
        }
      }
    }
  }

  private static void begin(Selector sel, Pending p, LinkedHashSet<SelectionKey> waiting) {
    try {
      p.channel.configureBlocking(false);
      SelectionKey k = p.channel.register(sel, SelectionKey.OP_READ, p);
      waiting.add(k);
      send(k, p, p.exchange.start());
    } catch (IOException | RuntimeException e) {
      closeQuietly(p.channel);
    }
  }

  /** Reads and writes what it can; true once the peer passed. */
  private static boolean step(SelectionKey k, Pending p) throws IOException {
    if (p.out != null) {
      p.channel.write(p.out);
      if (p.out.hasRemaining()) {
        return false;
      }
      p.out = null;
      k.interestOps(SelectionKey.OP_READ);
      if (p.exchange.done()) {
        return true;
      }
    }
    while (true) {
      // Exactly one message at a time, nothing beyond it: what follows belongs to the taker.
      if (p.body == null) {
        if (p.channel.read(p.header) < 0) {
          throw new IOException("the peer hung up during the authkey challenge");
        }
        if (p.header.hasRemaining()) {
          return false;
        }
        int len = p.header.getInt(0);
        if (len < 0 || len > Handshake.Acceptance.MAX_MESSAGE) {
          throw new AuthenticationException("the peer sent a message of " + len + " bytes during the authkey "
              + "challenge: it does not speak this protocol");
        }
        p.body = ByteBuffer.allocate(len);
      }
      if (p.body.hasRemaining() && p.channel.read(p.body) < 0) {
        throw new IOException("the peer hung up during the authkey challenge");
      }
      if (p.body.hasRemaining()) {
        return false;
      }
      byte[] m = p.body.array();
      p.body = null;
      p.header.clear();
      byte[] reply;
      try {
        reply = p.exchange.onMessage(m);
      } catch (AuthenticationException e) {
        byte[] farewell = p.exchange.farewell();
        if (farewell != null) {
          try {
            p.channel.write(frame(farewell)); // best effort, as CPython: the peer fails at once
          } catch (IOException ignored) {
            // it hung up already
          }
        }
        throw e;
      }
      if (reply == null) {
        return p.exchange.done();
      }
      if (!send(k, p, reply)) {
        return false; // waits for room to finish the reply
      }
      if (p.exchange.done()) {
        return true;
      }
    }
  }

  /** Writes a message; false if part of it waits for room. */
  private static boolean send(SelectionKey k, Pending p, byte[] payload) throws IOException {
    ByteBuffer b = frame(payload);
    p.channel.write(b);
    if (b.hasRemaining()) {
      p.out = b;
      k.interestOps(SelectionKey.OP_WRITE);
      return false;
    }
    return true;
  }

  private static ByteBuffer frame(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload);
    b.flip();
    return b;
  }

  private static void fail(SelectionKey k) {
    k.cancel();
    SocketChannel ch = (SocketChannel) k.channel();
    // What the peer sent and nobody read would turn the close into a reset (Linux, for Unix and
    // TCP sockets): read what is there, a bounded amount, so that it sees a plain end of stream.
    ByteBuffer sink = ByteBuffer.allocate(4096);
    try {
      for (int i = 0; i < 16 && ch.isOpen() && !ch.isBlocking() && ch.read(sink) > 0; i++) {
        sink.clear();
      }
    } catch (IOException | RuntimeException e) {
      // closing anyway
    }
    closeQuietly(ch);
  }

  private static void closeQuietly(SocketChannel s) {
    try {
      s.close();
    } catch (IOException e) {
      // the descriptor is released either way
    }
  }
}
