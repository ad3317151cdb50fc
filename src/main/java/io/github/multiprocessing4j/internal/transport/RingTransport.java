package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.Backoff;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import io.github.multiprocessing4j.connection.BrokenPipeException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Messages through two rings in a memory-mapped file that both processes map, one per direction,
 * each a byte stream of length-prefixed messages with one producer and one consumer. The socket
 * both ends connected (and authenticated) with stays open beside it for two things only: a byte
 * that wakes a peer parked waiting for data or room, and the end of the stream when the peer
 * closes or its process ends, which the kernel delivers even after {@code SIGKILL}.
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
  private static final AtomicLong RING_IDS = new AtomicLong();

  static final int HEADER = 256;
  private static final int WRITE_POS = 0;
  private static final int READ_POS = 64;
  private static final int CONSUMER_WAITING = 128;
  private static final int PRODUCER_WAITING = 136;
  private static final int PRODUCER_CLOSED = 192;
  private static final int CONSUMER_CLOSED = 200;

  private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private final MappedByteBuffer map;
  private final int capacity;
  private final int mask;
  private final int out; // offset of the ring this end produces into
  private final int in; // offset of the ring this end consumes from
  private SocketChannel socket; // guarded by wakeByte; null until attachSocket
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile long spinNanos = Backoff.SPIN_NANOS; // adapts; see spinFor
  private final byte[] sendScratch = new byte[4]; // guarded by writeLock
  private final byte[] receiveScratch = new byte[4]; // guarded by readLock: a send and a receive may run at once
  private Thread waker; // guarded by wakeByte
  private Selector selector; // guarded by wakeByte; the waker thread's
  private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
  private volatile boolean peerGone;
  private volatile boolean closed;
  private volatile Runnable closeHook;

  /**
   * Opens one end of the rings in a mapped file; the socket beside them comes later, from
   * {@link #attachSocket}. Until then the end works (data waits in the ring, as in a pipe's buffer)
   * but cannot wake a parked peer.
   *
   * @param map the mapping of the whole ring file
   * @param first whether this end produces into the first ring (and consumes from the second)
   */
  public RingTransport(MappedByteBuffer map, boolean first) {
    this.map = map;
    this.capacity = map.capacity() / 2 - HEADER;
    this.mask = capacity - 1;
    int ring0 = 0;
    int ring1 = HEADER + capacity;
    this.out = first ? ring0 : ring1;
    this.in = first ? ring1 : ring0;
  }

  /**
   * Creates a ring file: two rings of {@code capacity} bytes, sparse, so pages exist only once touched.
   *
   * @param file where; must not exist
   * @param capacity bytes per ring, a power of two of at least 4096
   * @return its mapping
   * @throws IOException if it cannot be created or mapped
   */
  public static MappedByteBuffer createFile(Path file, int capacity) throws IOException {
    if (Integer.bitCount(capacity) != 1 || capacity < 4096) {
      throw new IllegalArgumentException("ring capacity must be a power of two of at least 4096, not " + capacity);
    }
    long size = 2L * (HEADER + capacity);
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      fc.truncate(size);
      return fc.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }
  }

  /**
   * Deletes a file of the private directories (a ring both ends have mapped, a state file, a
   * socket). Best effort: Windows refuses to delete a mapped file, which then goes with its
   * directory at exit.
   *
   * @param file the file
   */
  public static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // still mapped (Windows): removed with the private directory at exit, or by the next JVM
    }
  }

  /**
   * Maps a ring file made by {@link #createFile}.
   *
   * @param file its path
   * @return its mapping
   * @throws IOException if it cannot be mapped or is not a ring file
   */
  public static MappedByteBuffer mapFile(Path file) throws IOException {
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = fc.size();
      long capacity = size / 2 - HEADER;
      if (capacity < 4096 || capacity > (1 << 30) || Long.bitCount(capacity) != 1) {
        throw new IOException("not a ring file: " + file + " (" + size + " bytes)");
      }
      return fc.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }
  }

  /**
   * Connects the authenticated socket to the peer: from now on a parked peer can be woken, and the
   * end of the socket's stream tells that the peer is gone. Wakes the peer once, in case it parked
   * before the socket existed.
   *
   * @param s the socket, in blocking mode
   */
  public void attachSocket(SocketChannel s) {
    // Non-blocking, so that no thread's interrupt can close it: an interrupt during a blocking
    // write of a wake-up byte would close the socket, and both ends would take the pipe for ended.
    Selector sel;
    try {
      s.configureBlocking(false);
      sel = Selector.open();
      s.register(sel, SelectionKey.OP_READ);
    } catch (IOException e) {
      closeQuietly(s);
      markPeerGone(); // cannot watch it: as if the peer had gone
      return;
    }
    Thread w = new Thread(null, () -> watchSocket(s, sel), "mp4j-ring-waker", 64 * 1024, false);
    w.setDaemon(true);
    synchronized (wakeByte) {
      if (closed) {
        closeQuietly(s);
        closeQuietly(sel);
        return;
      }
      socket = s;
      selector = sel;
      waker = w;
    }
    w.start();
    wake();
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
    MappedByteBuffer map;
    try {
      Path file = RuntimeDir.shm().resolve("ring-" + RING_IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()));
      map = createFile(file, capacity);
      try {
        byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        setup.send(path, 0, path.length);
        setup.receive(16, HANDSHAKE_NANOS); // the peer has mapped it
      } finally {
        deleteQuietly(file);
      }
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
    MappedByteBuffer map;
    try {
      Handshake.connect(setup, key, HANDSHAKE_NANOS);
      Path file = Paths.get(new String(setup.receive(4096, HANDSHAKE_NANOS), StandardCharsets.UTF_8));
      map = mapFile(file);
      setup.send(new byte[] {1}, 0, 1);
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
      if (peerGone || getInt(out + CONSUMER_CLOSED) != 0) {
        throw new BrokenPipeException("Broken pipe: the other end is closed");
      }
      sendScratch[0] = (byte) (len >>> 24);
      sendScratch[1] = (byte) (len >>> 16);
      sendScratch[2] = (byte) (len >>> 8);
      sendScratch[3] = (byte) len;
      long start = (long) LONG.getOpaque(map, out + WRITE_POS);
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
      long rp = (long) LONG.getVolatile(map, out + READ_POS);
      int free = (int) (capacity - (wp - rp));
      if (free == 0) {
        boolean started = wp != start;
        if (started) {
          publish(wp);
        }
        awaitRoom(wp, !started);
        continue;
      }
      int n = Math.min(Math.min(free, len), CHUNK);
      int at = (int) (wp & mask);
      int first = Math.min(n, capacity - at);
      map.put(out + HEADER + at, b, off, first);
      if (first < n) {
        map.put(out + HEADER, b, off + first, n - first);
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
    LONG.setVolatile(map, out + WRITE_POS, wp);
    if ((int) INT.getVolatile(map, out + CONSUMER_WAITING) != 0
        && INT.compareAndSet(map, out + CONSUMER_WAITING, 1, 0)) {
      wake();
    }
  }

  private boolean hasRoom(long wp) {
    return wp - (long) LONG.getVolatile(map, out + READ_POS) < capacity;
  }

  private void awaitRoom(long wp, boolean interruptible) throws InterruptedException {
    // the consumer is draining (or not reading at all): the full budget, not the adaptive one
    if (spinFor(() -> hasRoom(wp) || brokenNow(), Long.MAX_VALUE, false)) {
      checkBroken();
      return;
    }
    lockFor(interruptible);
    try {
      while (true) {
        INT.setVolatile(map, out + PRODUCER_WAITING, 1);
        if (hasRoom(wp)) {
          INT.compareAndSet(map, out + PRODUCER_WAITING, 1, 0); // no wake-up needed any more
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
    return closed || peerGone || getInt(out + CONSUMER_CLOSED) != 0;
  }

  private void checkBroken() {
    checkOpen();
    if (peerGone || getInt(out + CONSUMER_CLOSED) != 0) {
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
      checkOpen();
      long rp = (long) LONG.getOpaque(map, in + READ_POS);
      if (!awaitData(rp, 4, Long.MAX_VALUE, true)) {
        if (available(rp) == 0) {
          throw new PeerClosedException("the other end was closed and every message has been received");
        }
        throw new ConnectionException("got end of file during message");
      }
      consume(receiveScratch, 0, 4, rp);
      int len = ((receiveScratch[0] & 0xff) << 24) | ((receiveScratch[1] & 0xff) << 16) | ((receiveScratch[2] & 0xff) << 8) | (receiveScratch[3] & 0xff);
      if (len < 0) {
        throw new ConnectionException("bad message length: a negative length prefix in the ring; it is corrupt");
      }
      if (len > maxLength) {
        throw new MessageTooLongException(len, maxLength);
      }
      rp += 4;
      byte[] msg = new byte[len];
      int got = 0;
      while (got < len) {
        int avail = (int) Math.min(Math.min(available(rp), len - got), CHUNK);
        if (avail == 0) {
          release(rp); // from here on the message must be read whole: an interrupt waits (and stays set)
          if (!awaitData(rp, 1, Long.MAX_VALUE, false)) {
            throw new ConnectionException("got end of file during message");
          }
          continue;
        }
        consume(msg, got, avail, rp);
        got += avail;
        rp += avail;
        if (got < len) {
          release(rp); // room for the producer while this side copies the rest
        }
      }
      release(rp);
      return msg;
    } finally {
      readLock.unlock();
    }
  }

  private long available(long rp) {
    return (long) LONG.getVolatile(map, in + WRITE_POS) - rp;
  }

  private void consume(byte[] dst, int off, int n, long rp) {
    int at = (int) (rp & mask);
    int first = Math.min(n, capacity - at);
    map.get(in + HEADER + at, dst, off, first);
    if (first < n) {
      map.get(in + HEADER, dst, off + first, n - first);
    }
  }

  private void release(long rp) {
    LONG.setVolatile(map, in + READ_POS, rp);
    if ((int) INT.getVolatile(map, in + PRODUCER_WAITING) != 0
        && INT.compareAndSet(map, in + PRODUCER_WAITING, 1, 0)) {
      wake();
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
    if (spinFor(() -> available(rp) >= n || ended() || closed, timeoutNanos, interruptible)) {
      checkOpen();
      return available(rp) >= n;
    }
    long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
    lockFor(interruptible);
    try {
      while (true) {
        INT.setVolatile(map, in + CONSUMER_WAITING, 1);
        if (available(rp) >= n) {
          INT.compareAndSet(map, in + CONSUMER_WAITING, 1, 0); // no wake-up needed any more
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
    return peerGone || getInt(in + PRODUCER_CLOSED) != 0;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Takes no lock: it may be called while another thread receives.
   */
  @Override
  public boolean poll(long timeoutNanos) throws IOException, InterruptedException {
    checkOpen();
    long rp = (long) LONG.getVolatile(map, in + READ_POS);
    if (available(rp) > 0 || ended()) {
      return true;
    }
    if (timeoutNanos <= 0) {
      return false;
    }
    return awaitData(rp, 1, timeoutNanos, true) || ended();
  }

  // ---- the socket beside the rings

  private void wake() {
    synchronized (wakeByte) {
      if (socket == null) {
        return; // no peer connected yet; attachSocket wakes it once it is
      }
      wakeByte.clear();
      try {
        socket.write(wakeByte); // 0 if the socket's buffer is full: wake-ups are pending anyway
      } catch (IOException e) {
        // the peer is gone: its end of the socket is closed, and the waker thread will see it
      }
    }
  }

  /** Reads wake-up bytes until the peer closes its end, or this end is closed. */
  private void watchSocket(SocketChannel s, Selector sel) {
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
        signal();
      }
    } catch (IOException | java.nio.channels.ClosedSelectorException e) {
      // closed here, or reset by the peer: either way the peer is unreachable
    } finally {
      peerGone = true;
      signal();
      closeQuietly(s);
      closeQuietly(sel);
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

  private int getInt(int index) {
    return (int) INT.getVolatile(map, index);
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
    return peerGone || getInt(out + CONSUMER_CLOSED) != 0;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (wakeByte) {
      closed = true;
    }
    INT.setVolatile(map, out + PRODUCER_CLOSED, 1);
    INT.setVolatile(map, in + CONSUMER_CLOSED, 1);
    Thread w;
    Selector sel;
    synchronized (wakeByte) {
      w = waker;
      sel = selector;
    }
    if (sel != null) {
      sel.wakeup(); // the waker sees `closed`, then closes the socket: the peer sees the end
    }
    signal();
    Runnable hook = closeHook;
    if (hook != null) {
      hook.run();
    }
    OpenChannels.remove(this); // else the registry keeps this end, and its mapping, for ever
    if (w != null) {
      try {
        w.join(TimeUnit.SECONDS.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(java.io.Closeable s) {
    try {
      s.close();
    } catch (IOException e) {
      // best effort: the descriptor is released either way
    }
  }
}
