package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.Backoff;
import io.github.multiprocessing4j.internal.shm.MappedRegion;

import io.github.multiprocessing4j.connection.BrokenPipeException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Messages through two rings ({@link Ring}) in a memory-mapped file ({@link RingFile}) that both
 * processes map, one per direction, each a byte stream of length-prefixed messages with one producer
 * and one consumer. The socket both ends connected (and authenticated) with stays open beside it
 * ({@link WakeupSocket}) for two things only: a byte that wakes a peer parked waiting for data or
 * room, and the end of the stream when the peer closes or its process ends, which the kernel
 * delivers even after {@code SIGKILL}. This class is the waiting: the message loops, spinning,
 * parking and waking, and the ends' states.
 *
 * <p>A waiting side first spins for a few microseconds, which is what makes a round trip fast, then
 * announces that it waits in the ring's header and parks: an idle end uses no CPU. The producer
 * checks that flag after publishing (both sides use volatile accesses, so at least one of them
 * sees the other) and only then pays for a system call.
 */
public final class RingTransport implements Transport, AutoCloseable {

  /**
   * Default bytes of each ring of a pipe; a power of two. Larger messages stream through it. The
   * file is sparse: memory is used only as far as messages have reached.
   */
  public static final int DEFAULT_CAPACITY = Tunable.RING_BYTES.intValue(4 << 20);
  /**
   * Large messages are published (and released) this many bytes at a time, so both sides copy at
   * once. 256 KiB measured best for 1 MiB messages in 4 MiB rings (64 KiB woke the peer four times
   * as often; 1 MiB let the sides take turns); a tuning knob for benchmarks, not documented.
   */
  private static final int CHUNK = Tunable.CHUNK_BYTES.intValue(256 * 1024);
  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Ring out; // the ring this end produces into
  private final Ring in; // the ring this end consumes from
  private final WakeupSocket waker = new WakeupSocket(new Wakeup(this, false), new Wakeup(this, true));
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile long spinNanos = Backoff.SPIN_NANOS; // adapts; see spinFor
  private final byte[] sendScratch = new byte[Ring.LENGTH_BYTES]; // guarded by writeLock
  private volatile boolean peerGone;
  private volatile boolean closed;
  private volatile Runnable closeHook;

  /**
   * Opens one end of the rings in a mapped file; the socket beside them comes later, from
   * {@link #attachSocket}. Until then the end works (data waits in the ring, as in a pipe's buffer)
   * but cannot wake a parked peer.
   *
   * @param map the mapping of the whole ring file ({@link RingFile})
   * @param first whether this end produces into the first ring (and consumes from the second)
   */
  public RingTransport(MappedRegion map, boolean first) {
    int capacity = (int) Ring.pairCapacity(map.size());
    Ring ring0 = new Ring(map, 0, capacity, CHUNK);
    Ring ring1 = new Ring(map, Ring.HEADER + capacity, capacity, CHUNK);
    this.out = first ? ring0 : ring1;
    this.in = first ? ring1 : ring0;
  }

  /**
   * Connects the authenticated socket to the peer: from now on a parked peer can be woken, and the
   * end of the socket's stream tells that the peer is gone. Wakes the peer once, in case it parked
   * before the socket existed.
   *
   * @param s the socket, in blocking mode
   */
  public void attachSocket(SocketChannel s) {
    if (!waker.attach(s)) {
      markPeerGone(); // cannot watch it: as if the peer had gone
      return;
    }
    waker.wake();
  }

  /**
   * Sets what else {@link #close()} does: wake a thread that waits for the peer on this end's behalf.
   *
   * @param hook the action
   */
  public void onClose(Runnable hook) {
    closeHook = hook;
    if (closed) {
      hook.run();
    }
  }

  /** Records that the peer is gone though no socket ever connected it (it ended before). */
  public void markPeerGone() {
    peerGone = true;
    signal();
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Finishes the accepting side of a link: authenticate the peer, create the ring file, tell the
   * peer where it is, and delete it once the peer has mapped it (both keep their mappings).
   *
   * @param socket a freshly accepted socket
   * @param key the authkey
   * @param capacity bytes per ring, a power of two of at least 4096
   * @return this end
   * @throws io.github.multiprocessing4j.connection.AuthenticationException if the peer fails the challenge
   * @throws IOException if the socket or the file fails
   * @throws InterruptedException if interrupted
   */
  public static RingTransport accept(SocketChannel socket, byte[] key, int capacity)
      throws IOException, InterruptedException {
    SocketTransport check = new SocketTransport(socket);
    try {
      Handshake.accept(check, key, HANDSHAKE_NANOS);
      check.detach();
    } catch (IOException | RuntimeException | InterruptedException | Error e) {
      check.close(); // the socket and both selectors: a failed peer must cost this side nothing
      throw e;
    }
    return acceptAuthenticated(socket, capacity);
  }

  /**
   * Finishes the accepting side of a link whose peer is already authenticated
   * ({@link Authenticator}): create the ring file, tell the peer where it is, and delete it once
   * the peer has mapped it (both keep their mappings). Closes the socket if it fails.
   *
   * @param socket the authenticated socket
   * @param capacity bytes per ring, a power of two of at least 4096
   * @return this end
   * @throws IOException if the socket or the file fails
   * @throws InterruptedException if interrupted
   */
  public static RingTransport acceptAuthenticated(SocketChannel socket, int capacity)
      throws IOException, InterruptedException {
    SocketTransport setup = new SocketTransport(socket);
    MappedRegion map;
    try {
      map = RingFile.handOver(setup, capacity);
    } catch (IOException | RuntimeException | InterruptedException | Error e) {
      setup.close();
      throw e;
    }
    RingTransport t = new RingTransport(map, true);
    t.attachSocket(setup.detach());
    return t;
  }

  /**
   * Finishes the connecting side of a link: authenticate, then map the ring file the peer created.
   *
   * @param socket a freshly connected socket
   * @param key the authkey
   * @return this end
   * @throws io.github.multiprocessing4j.connection.AuthenticationException if the peer fails the challenge
   * @throws IOException if the socket fails or the peer sent no ring file
   * @throws InterruptedException if interrupted
   */
  public static RingTransport connect(SocketChannel socket, byte[] key) throws IOException, InterruptedException {
    SocketTransport setup = new SocketTransport(socket);
    MappedRegion map;
    try {
      Handshake.connect(setup, key, HANDSHAKE_NANOS);
      map = RingFile.takeOver(setup);
    } catch (IOException | RuntimeException | InterruptedException | Error e) {
      setup.close(); // the socket and both selectors
      throw e;
    }
    RingTransport t = new RingTransport(map, false);
    t.attachSocket(setup.detach());
    return t;
  }

  // ---- sending

  @Override
  public void send(byte[] b, int off, int len) throws IOException, InterruptedException {
    writeLock.lockInterruptibly();
    try {
      checkOpen();
      if (peerGone || out.consumerClosed()) {
        throw new BrokenPipeException("Broken pipe: the other end is closed");
      }
      sendScratch[0] = (byte) (len >>> 24);
      sendScratch[1] = (byte) (len >>> 16);
      sendScratch[2] = (byte) (len >>> 8);
      sendScratch[3] = (byte) len;
      long start = out.writePosition();
      long wp = produce(sendScratch, 0, 4, start, start);
      wp = produce(b, off, len, wp, start);
      publish(wp);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Copies bytes into the ring at {@code wp}, waiting for room; returns the new position. A large
   * message is published chunk by chunk, so that the consumer copies out while this side copies in.
   * Once part of the message (which starts at {@code start}) is published, an interrupt no longer
   * stops the wait: half a message would leave the stream corrupt. The flag stays set.
   */
  private long produce(byte[] b, int off, int len, long wp, long start) throws InterruptedException {
    while (len > 0) {
      int n = out.write(b, off, len, wp);
      if (n == 0) {
        boolean started = wp != start;
        if (started) {
          publish(wp);
        }
        awaitRoom(wp, !started);
        continue;
      }
      wp += n;
      off += n;
      len -= n;
      if (len > 0) {
        publish(wp);
      }
    }
    return wp;
  }

  private void publish(long wp) {
    if (out.publish(wp)) {
      waker.wake();
    }
  }

  private void awaitRoom(long wp, boolean interruptible) throws InterruptedException {
    // the consumer is draining (or not reading at all): the full budget, not the adaptive one
    if (spinFor(new RoomReady(this, wp), Long.MAX_VALUE, false)) {
      checkBroken();
      return;
    }
    lockFor(interruptible);
    try {
      while (true) {
        out.producerParks();
        if (out.hasRoom(wp)) {
          out.producerUnparks(); // no wake-up needed any more
          return;
        }
        checkBroken();
        awaitChange(interruptible);
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean brokenNow() {
    return closed || peerGone || out.consumerClosed();
  }

  private void checkBroken() {
    checkOpen();
    if (peerGone || out.consumerClosed()) {
      throw new BrokenPipeException("Broken pipe: the other end closed while a message was being sent");
    }
  }

  /**
   * Spins (see {@link Backoff}) until the condition holds or this end's spin budget is spent. The
   * budget adapts: it shrinks after waits that end in parking anyway, and grows back after waits
   * that spinning saved, so two ends on a busy machine do not burn the cores they wait for. Waits
   * inside a large message ({@code adaptive} false), whose next chunk is on its way, spin the full
   * budget and leave the adaptive one alone: parking between chunks halved 1 MiB throughput.
   */
  private boolean spinFor(java.util.function.BooleanSupplier ready, long timeoutNanos, boolean adaptive) {
    long budget = Math.min(adaptive ? spinNanos : Backoff.SPIN_NANOS, Math.max(0, timeoutNanos));
    long start = System.nanoTime();
    for (int i = 0; ; i++) {
      if (ready.getAsBoolean()) {
        if (adaptive) {
          spinNanos = Math.min(Backoff.SPIN_NANOS, spinNanos + (spinNanos >> 2) + 1_000);
        }
        return true;
      }
      if (System.nanoTime() - start >= budget) {
        if (adaptive) {
          spinNanos = Math.max(Backoff.MIN_SPIN_NANOS, spinNanos >> 1);
        }
        return false;
      }
      Backoff.pause(i);
    }
  }

  // ---- receiving

  @Override
  public byte[] receive(int maxLength) throws IOException, InterruptedException {
    readLock.lockInterruptibly();
    try {
      long rp = awaitMessage();
      int len = in.length(rp); // a negative one is a ConnectionException: the ring is corrupt
      if (len > maxLength) {
        throw new MessageTooLongException(len, maxLength);
      }
      byte[] msg = new byte[len];
      release(copyOut(msg, 0, len, rp + Ring.LENGTH_BYTES));
      return msg;
    } finally {
      readLock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Copies from the ring straight into {@code buf}: no array per message, so a stream of large
   * messages received into one buffer makes no garbage (an array per message makes the JVM grow its
   * heap, and each array in memory not yet touched costs a page fault per 4 KiB).
   */
  @Override
  public int receiveInto(byte[] buf, int off) throws IOException, InterruptedException {
    readLock.lockInterruptibly();
    try {
      long rp = awaitMessage();
      int len = in.length(rp);
      if (len > buf.length - off) {
        byte[] msg = new byte[len];
        release(copyOut(msg, 0, len, rp + Ring.LENGTH_BYTES));
        throw new MessageDoesNotFitException(msg);
      }
      release(copyOut(buf, off, len, rp + Ring.LENGTH_BYTES));
      return len;
    } finally {
      readLock.unlock();
    }
  }

  /** Waits for the next message's length prefix; returns the read position of the prefix. */
  private long awaitMessage() throws InterruptedException {
    checkOpen();
    long rp = in.readPosition();
    if (!awaitData(rp, Ring.LENGTH_BYTES, Long.MAX_VALUE, true)) {
      if (available(rp) == 0) {
        throw new PeerClosedException("the other end was closed and every message has been received");
      }
      throw new ConnectionException("got end of file during message");
    }
    return rp;
  }

  /**
   * Copies a message of {@code len} bytes at {@code rp} into {@code dst[off...]}, waiting for its
   * chunks and releasing each but the last as it is copied, so that the producer writes the next
   * part meanwhile; returns the position after it, which the caller releases. From the first byte
   * on the message must be read whole: an interrupt waits (and stays set).
   */
  private long copyOut(byte[] dst, int off, int len, long rp) throws InterruptedException {
    int got = 0;
    while (got < len) {
      int avail = in.read(dst, off + got, len - got, rp);
      if (avail == 0) {
        release(rp);
        if (!awaitData(rp, 1, Long.MAX_VALUE, false)) {
          throw new ConnectionException("got end of file during message");
        }
        continue;
      }
      got += avail;
      rp += avail;
      if (got < len) {
        release(rp); // room for the producer while this side copies the rest
      }
    }
    return rp;
  }

  private long available(long rp) {
    return in.available(rp);
  }

  private void release(long rp) {
    if (in.release(rp)) {
      waker.wake();
    }
  }

  /**
   * Waits until {@code n} bytes are available at {@code rp} (true), the stream ended (false), or
   * the timeout passed (false); an interrupt ends the wait only if {@code interruptible}.
   */
  private boolean awaitData(long rp, int n, long timeoutNanos, boolean interruptible) throws InterruptedException {
    if (available(rp) >= n) {
      return true;
    }
    long start = System.nanoTime();
    if (spinFor(new DataReady(this, rp, n), timeoutNanos, interruptible)) {
      checkOpen();
      return available(rp) >= n;
    }
    long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
    lockFor(interruptible);
    try {
      while (true) {
        in.consumerParks();
        if (available(rp) >= n) {
          in.consumerUnparks(); // no wake-up needed any more
          return true;
        }
        checkOpen();
        if (ended()) {
          return available(rp) >= n;
        }
        if (remaining == Long.MAX_VALUE) {
          awaitChange(interruptible);
        } else {
          if (remaining <= 0) {
            return false;
          }
          remaining = changed.awaitNanos(remaining);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void lockFor(boolean interruptible) throws InterruptedException {
    if (interruptible) {
      lock.lockInterruptibly();
    } else {
      lock.lock();
    }
  }

  private void awaitChange(boolean interruptible) throws InterruptedException {
    if (interruptible) {
      changed.await();
    } else {
      changed.awaitUninterruptibly(); // keeps the interrupt flag
    }
  }

  private boolean ended() {
    return peerGone || in.producerClosed();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Takes no lock: it may be called while another thread receives.
   */
  @Override
  public boolean poll(long timeoutNanos) throws IOException, InterruptedException {
    checkOpen();
    long rp = in.readPositionVolatile();
    if (available(rp) > 0 || ended()) {
      return true;
    }
    if (timeoutNanos <= 0) {
      return false;
    }
    return awaitData(rp, 1, timeoutNanos, true) || ended();
  }

  /** The peer closed its end of the socket, or it broke: run by the waker's thread. */
  private void peerEnded() {
    peerGone = true;
    signal();
  }

  /** What {@link #awaitRoom} spins for: a class rather than a lambda, as {@link Wakeup}. */
  private static final class RoomReady implements java.util.function.BooleanSupplier {
    private final RingTransport transport;
    private final long wp;

    RoomReady(RingTransport transport, long wp) {
      this.transport = transport;
      this.wp = wp;
    }

    @Override
    public boolean getAsBoolean() {
      return transport.out.hasRoom(wp) || transport.brokenNow();
    }
  }

  /** What {@link #awaitData} spins for: a class rather than a lambda, as {@link Wakeup}. */
  private static final class DataReady implements java.util.function.BooleanSupplier {
    private final RingTransport transport;
    private final long rp;
    private final int n;

    DataReady(RingTransport transport, long rp, int n) {
      this.transport = transport;
      this.rp = rp;
      this.n = n;
    }

    @Override
    public boolean getAsBoolean() {
      return transport.available(rp) >= n || transport.ended() || transport.closed;
    }
  }

  /**
   * What the wake-up socket calls: a class rather than two bound method references, whose first
   * use costs a new JVM 1.5 ms and more on its first pipe operation (the transport warm-up loads
   * this class ahead).
   */
  private static final class Wakeup implements Runnable {
    private final RingTransport transport;
    private final boolean peerGone;

    Wakeup(RingTransport transport, boolean peerGone) {
      this.transport = transport;
      this.peerGone = peerGone;
    }

    @Override
    public void run() {
      if (peerGone) {
        transport.peerEnded();
      } else {
        transport.signal();
      }
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new ConnectionException("handle is closed");
    }
  }

  /**
   * Whether the peer has closed or ended: sends would fail.
   *
   * @return true once the peer is known to be gone
   */
  public boolean peerGone() {
    return peerGone || out.consumerClosed();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    out.closeProducer();
    in.closeConsumer();
    waker.close(); // its thread closes the socket: the peer sees the end
    signal();
    Runnable hook = closeHook;
    if (hook != null) {
      hook.run();
    }
    OpenChannels.remove(this); // else the registry keeps this end, and its mapping, for ever
    waker.awaitWatcher();
  }
}
