package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.PutFence;
import io.github.multiprocessing4j.internal.transport.RingTransport;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.connection.BrokenPipeException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * This process's link to a queue that another process created and serves ({@link QueueServer}).
 * Requests from any thread go out on one shared-memory link; a reader thread hands each reply to
 * the thread that waits for it. Puts to an unbounded queue need no reply: they cost a copy into the
 * ring, and what was put is delivered even if this process ends right after. Such puts are counted
 * until a fence request confirms them ({@link PutFence}): its answer comes after the owner applied
 * every earlier message of the link.
 */
final class QueueClient extends PutFence.Link {

  private static final Map<String, QueueClient> CLIENTS = new ConcurrentHashMap<>();

  private final String key; // in CLIENTS
  private final String label;
  private final RingTransport link;
  private final Map<Long, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile String broken;
  /** Puts sent without an answer. */
  private final AtomicLong sent = new AtomicLong();
  /** The most of {@link #sent} a fence has confirmed. */
  private final AtomicLong confirmed = new AtomicLong();
  private int users; // guarded by CLIENTS: Queue objects of this process that use this link

  private QueueClient(String key, String label, RingTransport link) {
    this.key = key;
    this.label = label;
    this.link = link;
  }

  /**
   * Returns this process's link to a queue, connecting on first use; every call must be matched by
   * a {@link #release()}.
   *
   * @param address the owner's {@link QueueServer#address()}
   * @param id the queue's identifier there
   * @param ownerPid the owner's pid, for messages
   * @return the link
   * @throws ConnectionException if the owner cannot be reached or refuses
   * @throws InterruptedException if interrupted while connecting
   */
  public static QueueClient of(String address, long id, long ownerPid) throws InterruptedException {
    String k = address + "#" + id;
    synchronized (CLIENTS) {
      QueueClient c = CLIENTS.get(k);
      if (c == null || c.broken != null) {
        c = connect(address, id, ownerPid);
        CLIENTS.put(k, c);
      }
      c.users++;
      return c;
    }
  }

  /**
   * Gives back a link obtained with {@link #of}: the last user to give it back closes it; what was
   * put is still delivered.
   */
  public void release() {
    synchronized (CLIENTS) {
      if (--users > 0) {
        return;
      }
    }
    close();
  }

  private static QueueClient connect(String address, long id, long ownerPid) throws InterruptedException {
    String label = "queue " + id + " of process " + ownerPid;
    SocketChannel s;
    try {
      s = SocketChannel.open(QueueServer.parse(address));
    } catch (IOException e) {
      throw new ConnectionException("cannot reach " + label + ": the process that created the queue "
          + "has ended (" + e.getMessage() + ")", e);
    }
    RingTransport link = null;
    byte[] r;
    try {
      link = RingTransport.connect(s, Multiprocessing.currentProcess().authkey());
      byte[] hello = QueueProtocol.hello(id);
      link.send(hello, 0, hello.length);
      r = link.receive(Integer.MAX_VALUE);
    } catch (IOException | ConnectionException e) {
      if (link != null) {
        link.close();
      }
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
      if (!ownerWentAway(e)) {
        throw new ConnectionException("cannot connect to " + label + ": " + e.getMessage(), e);
      }
      // The owner accepted, then its socket went away mid-handshake: it was killed or is exiting,
      // which the caller should hear in the words every other call on the queue uses.
      throw new ConnectionException("cannot connect to " + label + ": the process that created the queue "
          + "has ended (" + e.getMessage() + ")", e);
    }
    if (r.length < QueueProtocol.REPLY_HEADER || r[0] != QueueProtocol.R_OK) {
      link.close();
      String why = r.length >= QueueProtocol.REPLY_HEADER && r[0] == QueueProtocol.R_ERROR
          ? QueueProtocol.errorText(r)
          : "its owner sent a malformed answer (" + r.length + " bytes)";
      throw new ConnectionException("cannot use " + label + ": " + why);
    }
    OpenChannels.add(link);
    QueueClient c = new QueueClient(address + "#" + id, label, link);
    Thread t = new Thread(null, new Replies(c), "mp4j-queue-client", 64 * 1024, false);
    t.setDaemon(true);
    t.start();
    return c;
  }

  /** Whether a handshake failure means the peer's socket is gone (reset or end of file), not a timeout or garbage. */
  private static boolean ownerWentAway(Exception e) {
    if (e instanceof SocketTimeoutException) {
      return false;
    }
    if (e instanceof IOException || e instanceof PeerClosedException || e instanceof BrokenPipeException) {
      return true;
    }
    return String.valueOf(e.getMessage()).startsWith("got end of file");
  }

  /**
   * Puts an item without waiting for an answer (an unbounded queue always has room).
   *
   * @param item the serialized item
   * @throws ConnectionException if the queue's owner has ended
   * @throws InterruptedException if interrupted while the ring is full
   */
  public void putNoReply(byte[] item) throws InterruptedException {
    PutFence.awaitOthers(this);
    send(QueueProtocol.put(item));
    sent.incrementAndGet(); // then read listed: see PutFence.unlist
    if (!isListed()) {
      PutFence.list(this);
    }
  }

  @Override
  protected boolean allConfirmed() {
    return confirmed.get() >= sent.get();
  }

  /**
   * Confirms the puts sent so far: sends a fence request and waits for its answer, which the owner
   * gives after it applied them. A broken link confirms nothing more: what it carried is delivered
   * or lost already. Uninterruptible: an interrupt is kept for later.
   *
   * @param deadline a {@link System#nanoTime()} to give up at, or 0 for none
   */
  @Override
  protected void confirmPuts(long deadline) {
    long s = sent.get();
    if (confirmed.get() < s) {
      if (!fence(deadline)) {
        return; // out of time: stays listed
      }
      for (long c; (c = confirmed.get()) < s && !confirmed.compareAndSet(c, s); ) {
        // raced with another confirmation: keep the larger count (no lambda: this runs at exit)
      }
    }
    PutFence.unlist(this);
  }

  /** Returns false if the deadline passed first. */
  private boolean fence(long deadline) {
    long id = ids.incrementAndGet();
    byte[] m = QueueProtocol.request(QueueProtocol.FENCE, id);
    Slot slot = new Slot(Thread.currentThread());
    slots.put(id, slot);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          send(m);
          break;
        } catch (InterruptedException e) {
          interrupted = true; // nothing of the request went out: send it again
        }
      }
      while (slot.reply == null && broken == null) {
        if (deadline == 0) {
          LockSupport.park(this);
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          LockSupport.parkNanos(this, left);
        }
        interrupted |= Thread.interrupted();
      }
      return true;
    } catch (ConnectionException e) {
      return true; // the owner has ended, or this process closed the link
    } finally {
      slots.remove(id);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Puts an item, waiting for room up to the timeout.
   *
   * @param item the serialized item
   * @param timeoutNanos 0: don't wait; negative: for ever
   * @return false if the queue stayed full
   * @throws InterruptedException if interrupted (the put is withdrawn)
   */
  public boolean put(byte[] item, long timeoutNanos) throws InterruptedException {
    return request(QueueProtocol.PUT_WAIT, timeoutNanos, item)[0] == QueueProtocol.R_OK;
  }

  /**
   * Takes an item, waiting up to the timeout.
   *
   * @param timeoutNanos 0: don't wait; negative: for ever
   * @return the serialized item, or null if none came in time
   * @throws InterruptedException if interrupted (the get is withdrawn; an item that was already on
   *     its way is returned instead, with the interrupt flag set)
   */
  public byte[] get(long timeoutNanos) throws InterruptedException {
    byte[] r = request(QueueProtocol.GET, timeoutNanos, null);
    return r[0] == QueueProtocol.R_ITEM ? QueueProtocol.payload(r) : null;
  }

  /**
   * Waits until every item put was marked done.
   *
   * @param timeoutNanos negative for ever
   * @return false if the time ran out
   * @throws InterruptedException if interrupted
   */
  public boolean join(long timeoutNanos) throws InterruptedException {
    return request(QueueProtocol.JOIN, timeoutNanos, null)[0] == QueueProtocol.R_OK;
  }

  /**
   * Marks a task done.
   *
   * @throws IllegalStateException {@code "task_done() called too many times"}
   * @throws InterruptedException if interrupted
   */
  public void taskDone() throws InterruptedException {
    byte[] r = request(QueueProtocol.TASK_DONE, QueueProtocol.UNTIMED, null);
    if (r[0] == QueueProtocol.R_ERROR) {
      throw new IllegalStateException(QueueProtocol.errorText(r));
    }
  }

  /**
   * Returns the number of items the owner holds.
   *
   * @return the count
   * @throws InterruptedException if interrupted
   */
  public int size() throws InterruptedException {
    return (int) value(request(QueueProtocol.QSIZE, QueueProtocol.UNTIMED, null));
  }

  /**
   * Whether the queue is full.
   *
   * @return true if full
   * @throws InterruptedException if interrupted
   */
  public boolean full() throws InterruptedException {
    return value(request(QueueProtocol.FULL, QueueProtocol.UNTIMED, null)) != 0;
  }

  /** The number an {@code R_VALUE} reply carries; any other reply is the owner's fault, not the caller's. */
  private long value(byte[] r) {
    if (r[0] != QueueProtocol.R_VALUE || r.length != QueueProtocol.VALUE_REPLY) {
      throw new ConnectionException("the process that created " + label + " sent a malformed answer (op "
          + r[0] + ", " + r.length + " bytes)");
    }
    return QueueProtocol.value(r);
  }

  /** A timeout of {@link QueueProtocol#UNTIMED}: the op carries none. */
  private byte[] request(byte op, long timeoutNanos, byte[] item) throws InterruptedException {
    PutFence.awaitOthers(this); // this link's own puts come before the request anyway
    long id = ids.incrementAndGet();
    byte[] m = QueueProtocol.request(op, id, timeoutNanos, item);
    Slot slot = new Slot(Thread.currentThread());
    slots.put(id, slot);
    try {
      send(m);
    } catch (RuntimeException | InterruptedException e) {
      slots.remove(id);
      throw e;
    }
    boolean interrupted = false;
    while (slot.reply == null) {
      String why = broken;
      if (why != null && slot.reply == null) {
        slots.remove(id);
        throw new ConnectionException(why);
      }
      LockSupport.park(this);
      if (Thread.interrupted() && !interrupted) {
        interrupted = true;
        send(QueueProtocol.request(QueueProtocol.CANCEL, id));
      }
    }
    if (interrupted) {
      if (slot.reply[0] == QueueProtocol.R_CANCELLED) {
        throw new InterruptedException();
      }
      Thread.currentThread().interrupt();
    }
    return slot.reply;
  }

  private void send(byte[] m) throws InterruptedException {
    String why = broken;
    if (why != null) {
      throw new ConnectionException(why);
    }
    try {
      link.send(m, 0, m.length);
    } catch (IOException | ConnectionException e) {
      throw new ConnectionException("the process that created " + label + " has ended: " + e.getMessage(), e);
    }
  }

  private void readReplies() {
    try {
      while (true) {
        byte[] r = link.receive(QueueProtocol.maxReply()); // bounded: a length never sent is not allocated
        long id = QueueProtocol.id(r);
        Slot s = slots.remove(id);
        if (s != null) {
          s.reply = r;
          LockSupport.unpark(s.thread);
        }
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      fail("the process that created " + label + " has ended, or closed the queue");
    } catch (Error e) { // out of memory for a reply, say: the waiters must not wait for ever
      fail("the link to " + label + " failed: " + e);
      link.close();
      throw e;
    }
  }

  private void fail(String why) {
    broken = why;
    for (Slot s : slots.values()) {
      LockSupport.unpark(s.thread);
    }
  }

  /** Closes this process's link once what it put was applied (a closed link cannot confirm). */
  private void close() {
    confirmPuts(0);
    broken = label + " is closed in this process";
    link.close();
    CLIENTS.remove(key, this); // a closed link is not kept (with its mapping) until exit
  }

  /** Where a waiting thread gets its reply. */
  private static final class Slot {
    final Thread thread;
    volatile byte[] reply;

    Slot(Thread thread) {
      this.thread = thread;
    }
  }

  /**
   * The reader thread's task: a class rather than a bound method reference, whose first use costs
   * a new JVM 1.5 ms and more on its first put (the transport warm-up loads this class ahead).
   */
  private static final class Replies implements Runnable {
    private final QueueClient client;

    Replies(QueueClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      client.readReplies();
    }
  }
}
