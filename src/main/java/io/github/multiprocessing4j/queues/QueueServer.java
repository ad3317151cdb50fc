package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.transport.Authenticator;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.RingTransport;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * Serves the queues this process created to other processes: one listening socket per process
 * (a Unix socket in the private runtime directory, else loopback TCP, logged), one authenticated
 * shared-memory link ({@link RingTransport}) per client process and queue, and one thread per link
 * that carries out the client's requests on the queue's {@link QueueStore}.
 *
 * <p>The protocol is {@link QueueProtocol}'s. Puts to an unbounded queue need no reply; a fence
 * request, answered at once, tells the client that every message it sent before was carried out,
 * as one thread serves a link's messages in order (see {@link PutFence}). A waiting
 * request carries its timeout to this side, which answers when it expires, so an item is never
 * handed to a client that stopped waiting for it.
 */
final class QueueServer {

  /** Each client link's rings: smaller than a pipe's, as a process may hold many. */
  static final int LINK_CAPACITY = Tunable.QUEUE_RING_BYTES.intValue(1 << 20);

  private static QueueServer instance; // guarded by the class

  /**
   * The logger, on first use only: a child's first put calls {@link #parse}, and initialising
   * SLF4J there (about 80 classes and a service lookup over the class path) would cost it more than
   * the put.
   */
  private static final class Logs {
    static final Logger LOG = Log.get(QueueServer.class);
  }
  /** How long a connecting process may take to prove it knows the authkey. */
  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final ServerSocketChannel server;
  private final String address;
  private final Map<Long, QueueStore> stores = new ConcurrentHashMap<>();

  private QueueServer(ServerSocketChannel server, String address) {
    this.server = server;
    this.address = address;
  }

  /**
   * Returns this process's server, starting it on first use.
   *
   * @return the server
   * @throws IOException if it cannot listen
   */
  public static synchronized QueueServer get() throws IOException {
    if (instance == null) {
      Path dir = RuntimeDir.sockets();
      Path p = dir == null ? null : dir.resolve("queues.sock");
      ServerSocketChannel ss = null;
      String address = null;
      String whyTcp = p == null ? "no private directory has a path short enough for a Unix socket" : null;
      if (p != null) {
        try {
          ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          Files.deleteIfExists(p);
          ss.bind(UnixDomainSocketAddress.of(p), 64);
          address = "unix:" + p;
        } catch (UnsupportedOperationException e) {
          ss = null;
          whyTcp = "this platform has no Unix-domain sockets";
        }
      }
      if (ss == null) {
        ss = ServerSocketChannel.open(StandardProtocolFamily.INET);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        address = "tcp:" + ((InetSocketAddress) ss.getLocalAddress()).getPort();
        RuntimeDir.warnTcp("the queue server", whyTcp);
      }
      QueueServer s = new QueueServer(ss, address);
      Thread t = new Thread(null, s::acceptLoop, "mp4j-queue-server", 64 * 1024, false);
      t.setDaemon(true);
      t.start();
      OpenChannels.add(ss);
      instance = s;
    }
    return instance;
  }

  /**
   * Parses an address made by {@link #address()}.
   *
   * @param address the address
   * @return the socket address
   */
  static SocketAddress parse(String address) {
    if (address.startsWith("unix:")) {
      return UnixDomainSocketAddress.of(address.substring(5));
    }
    if (address.startsWith("tcp:")) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(address.substring(4)));
    }
    throw new IllegalArgumentException("not a queue server address: " + address);
  }

  /**
   * Returns where clients connect.
   *
   * @return {@code unix:PATH} or {@code tcp:PORT}
   */
  public String address() {
    return address;
  }

  /**
   * Makes a queue reachable by other processes.
   *
   * @param id its identifier in this process
   * @param store its items
   */
  public void publish(long id, QueueStore store) {
    stores.putIfAbsent(id, store);
  }

  /**
   * Accepts for ever: each socket is authenticated by the {@link Authenticator} (no thread per
   * peer that has not proved it knows the authkey), and only then gets a thread of its own. Never
   * dies before the socket is closed at exit: a failure to accept (out of descriptors) is logged,
   * and accepting goes on after a pause.
   */
  private void acceptLoop() {
    byte[] key = Multiprocessing.currentProcess().authkey();
    boolean warned = false;
    while (server.isOpen()) {
      try {
        SocketChannel s = server.accept();
        Authenticator.submit(s, key, HANDSHAKE_NANOS, this::admit);
      } catch (ClosedChannelException e) {
        return; // closed at exit
      } catch (IOException | RuntimeException | Error e) {
        if (!server.isOpen()) {
          return;
        }
        if (!warned) {
          warned = true; // (once: a lack of descriptors may last, and each accept would say it again)
          Logs.LOG.warn("the queue server of process {} cannot accept a connection; it goes on accepting",
              CurrentProcess.pid(), e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a lasting failure must not spin a CPU
      }
    }
  }

  /** Takes an authenticated socket: its link gets a thread. Runs in the authenticator's thread. */
  private void admit(SocketChannel s) {
    Thread t = new Thread(null, () -> serve(s), "mp4j-queue-link", 128 * 1024, false);
    t.setDaemon(true);
    t.start(); // if it cannot start, the Authenticator closes the socket
  }

  private void serve(SocketChannel s) {
    RingTransport link;
    try {
      link = RingTransport.acceptAuthenticated(s, LINK_CAPACITY);
    } catch (IOException | RuntimeException | InterruptedException e) {
      try {
        s.close(); // went away during the setup: the others are still served
      } catch (IOException ignored) {
        // closing a failed socket
      }
      return;
    }
    OpenChannels.add(link);
    new Link(link).run();
  }

  /** One client process's link to one queue. */
  private final class Link {
    private final RingTransport t;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private QueueStore store;

    Link(RingTransport t) {
      this.t = t;
    }

    void run() {
      try {
        long id = QueueProtocol.queueId(t.receive(QueueProtocol.HELLO_LIMIT));
        store = stores.get(id);
        if (store == null) {
          reply(QueueProtocol.R_ERROR, 0,
              QueueProtocol.errorPayload("no queue " + id + " in process " + CurrentProcess.pid()));
          return;
        }
        reply(QueueProtocol.R_OK, 0, null);
        while (true) {
          long wait = expire();
          if (wait != Long.MAX_VALUE && !t.poll(wait)) {
            continue;
          }
          handle(t.receive(QueueProtocol.maxRequest()));
        }
      } catch (PeerClosedException e) {
        // the client process closed the queue or ended: what it put was read before this
      } catch (IOException | RuntimeException | InterruptedException e) {
        // a broken link: drop this client, keep serving the others
      } catch (Error e) { // out of memory, say: this client's link ends, loudly; the others go on
        Logs.LOG.error("a link of the queue server of process {} failed; its client is dropped",
            CurrentProcess.pid(), e);
      } finally {
        for (Pending p : pending.values()) {
          if (store != null) {
            store.cancel(p.waiter);
          }
        }
        t.close();
      }
    }

    /** Answers expired requests; returns nanoseconds to the next deadline, or MAX_VALUE. */
    private long expire() {
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      for (Map.Entry<Long, Pending> e : pending.entrySet()) {
        Pending p = e.getValue();
        if (p.deadline == 0) {
          continue;
        }
        long left = p.deadline - now;
        if (left <= 0) {
          if (store.cancel(p.waiter) && pending.remove(e.getKey()) != null) {
            reply(QueueProtocol.R_REFUSED, e.getKey(), null);
          }
        } else {
          next = Math.min(next, left);
        }
      }
      return next;
    }

    private void handle(byte[] m) {
      byte op = m[0];
      if (op == QueueProtocol.PUT) {
        store.put(QueueProtocol.putItem(m), false, null);
        return;
      }
      long id = QueueProtocol.id(m);
      if ((op == QueueProtocol.PUT_WAIT || op == QueueProtocol.GET || op == QueueProtocol.JOIN)
          && pending.containsKey(id)) {
        // A client numbers its requests afresh; a reused id would replace the waiting one in
        // pending, whose waiter would then outlive the link and swallow another client's item.
        throw new ConnectionException("queue request " + op + " reuses the id " + id + " of a request that still waits");
      }
      switch (op) {
        case QueueProtocol.PUT_WAIT: {
          long timeout = QueueProtocol.timeout(m);
          byte[] item = QueueProtocol.putWaitItem(m);
          QueueStore.Waiter w = store.put(item, timeout != 0, done -> completed(id, QueueProtocol.R_OK, null));
          if (w == null) {
            reply(QueueProtocol.R_OK, id, null);
          } else if (w == QueueStore.REFUSED) {
            reply(QueueProtocol.R_REFUSED, id, null);
          } else {
            await(id, w, timeout);
          }
          break;
        }
        case QueueProtocol.GET: {
          long timeout = QueueProtocol.timeout(m);
          QueueStore.Waiter w = store.take(timeout != 0, done -> completed(id, QueueProtocol.R_ITEM, done.item()));
          if (w == QueueStore.REFUSED) {
            reply(QueueProtocol.R_REFUSED, id, null);
          } else if (w.isDone()) {
            reply(QueueProtocol.R_ITEM, id, w.item());
          } else {
            await(id, w, timeout);
          }
          break;
        }
        case QueueProtocol.JOIN: {
          long timeout = QueueProtocol.timeout(m);
          QueueStore.Waiter w = store.join(done -> completed(id, QueueProtocol.R_OK, null));
          if (w == null) {
            reply(QueueProtocol.R_OK, id, null);
          } else {
            await(id, w, timeout);
          }
          break;
        }
        case QueueProtocol.CANCEL: {
          Pending p = pending.get(id);
          if (p != null && store.cancel(p.waiter) && pending.remove(id) != null) {
            reply(QueueProtocol.R_CANCELLED, id, null);
          }
          break;
        }
        case QueueProtocol.FENCE:
          reply(QueueProtocol.R_OK, id, null);
          break;
        case QueueProtocol.QSIZE:
          reply(QueueProtocol.R_VALUE, id, QueueProtocol.valuePayload(store.size()));
          break;
        case QueueProtocol.FULL:
          reply(QueueProtocol.R_VALUE, id, QueueProtocol.valuePayload(store.full() ? 1 : 0));
          break;
        case QueueProtocol.TASK_DONE:
          try {
            store.taskDone();
            reply(QueueProtocol.R_OK, id, null);
          } catch (IllegalStateException e) {
            reply(QueueProtocol.R_ERROR, id, QueueProtocol.errorPayload(e.getMessage()));
          }
          break;
        default:
          throw new ConnectionException("unknown queue request " + op);
      }
    }

    private void await(long id, QueueStore.Waiter w, long timeout) {
      long deadline = timeout < 0 ? 0 : (System.nanoTime() + timeout) | 1; // 0 means "none"
      pending.put(id, new Pending(w, deadline));
      if (w.isDone()) {
        pending.remove(id); // completed (and answered) before it was recorded
      }
    }

    private void completed(long id, byte op, byte[] payload) {
      pending.remove(id);
      reply(op, id, payload);
    }

    private void reply(byte op, long id, byte[] payload) {
      byte[] r = QueueProtocol.reply(op, id, payload);
      // Any thread may reply (the one whose put completed a remote get), and the request is no
      // longer pending: a reply dropped because that thread was interrupted would lose the item
      // and leave the client waiting for ever. Send regardless, and keep the flag.
      boolean interrupted = false;
      try {
        while (true) {
          try {
            t.send(r, 0, r.length);
            return;
          } catch (InterruptedException e) {
            interrupted = true; // nothing of the reply went out: send it again
          }
        }
      } catch (IOException | RuntimeException e) {
        t.close(); // the client is gone; the serving thread sees the end and cleans up
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** A request that waits. */
  private static final class Pending {
    final QueueStore.Waiter waiter;
    final long deadline; // System.nanoTime(); 0 for none

    Pending(QueueStore.Waiter waiter, long deadline) {
      this.waiter = waiter;
      this.deadline = deadline;
    }
  }
}
