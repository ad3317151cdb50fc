package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.transport.Authenticator;
import io.github.multiprocessing4j.internal.transport.Handshake;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.SocketTransport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a JVM wakes threads of another JVM that wait on a cross-process synchronisation object
 * ({@link SyncCell}): each JVM that waits listens on one Unix-domain socket,
 * {@code <park>/<pid>.sock} ({@link RuntimeDir#park()}: a directory of mode 0700, checked to be the user's), and a
 * JVM that changed an object's state sends that object's name to every JVM registered as waiting
 * on it, over a connection it keeps. In the receiving JVM, one of the waiting threads, the
 * <em>leader</em>, waits in a {@link Selector} on all those connections instead of parking: it
 * reads the wakes and moves the epoch of the objects they name ({@link SyncCell}), unparking their
 * other waiters (the <em>followers</em>), and returns when its own object's epoch moves. So a
 * wake reaches a lone waiter with one thread switch, not two. A leader that leaves unparks every
 * follower: they re-check, and one takes over; an accept thread authenticates new connections and adds them to the
 * selector. Wake messages are hints: a lost or spurious one
 * costs no correctness, as waiters also re-check on their own every
 * {@link SyncCell#SLICE_NANOS} (a lost one costs at most that much latency).
 *
 * <p>Every connection is authenticated both ways ({@link Handshake}) with the user's park key:
 * 32 random bytes in {@code <park>/key}, a file of mode 0600 made once by the user's first JVM
 * that waits. Not the process family's authkey: a child given an authkey of its own must still be
 * woken by its parent. The key admits no one the directory's mode does not already admit (only
 * the user can reach the sockets), but it keeps a process that is not a JVM of this library, or a
 * stale socket file, from posing as one.
 *
 * <p>Wire format, after the handshake: one message per wake, a 2-byte big-endian length and the
 * object's name in UTF-8.
 */
final class ParkingLot {

  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int KEY_BYTES = 32;
  private static volatile byte[] key;
  private static final Object LISTEN_LOCK = new Object();
  private static volatile boolean listening;
  private static volatile boolean unavailable;
  private static final Map<Long, Link> LINKS = new ConcurrentHashMap<>();
  /**
   * The JVMs a connection is being made to, with the names to wake once it is made. The handshake
   * needs the other JVM's threads, so it takes up to {@link #HANDSHAKE_NANOS} with a JVM that is
   * stopped or stalled: it runs in a thread of its own, never in a waking thread (a release() or
   * set() waited that long, and every other waker of this JVM behind it).
   */
  private static final Map<Long, Set<String>> CONNECTING = new ConcurrentHashMap<>();
  /** When a connection to a JVM last failed: no new attempt (a thread each) before RETRY_NANOS. */
  private static final Map<Long, Long> FAILED_AT = new ConcurrentHashMap<>();
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /**
   * The threads making connections ({@link #CONNECTING}) and then sending the wakes queued for
   * them. Exit waits for them, up to {@link #EXIT_WAIT_NANOS}: a process that sets an event and
   * exits at once made its first wake to a waiting JVM in such a thread, and the exit ended it
   * before it sent the wake (the waiter then waited for its own re-check).
   */
  private static final Set<Thread> CONNECTORS = ConcurrentHashMap.newKeySet();
  private static final long EXIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final java.util.concurrent.atomic.AtomicBoolean EXIT_WAIT_REGISTERED =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static volatile Selector selector;
  private static final ReentrantLock LEADERSHIP = new ReentrantLock();
  private static volatile Thread leader;
  private static final Set<Thread> FOLLOWERS = ConcurrentHashMap.newKeySet();

  private ParkingLot() {}

  /** A cached connection to another JVM's endpoint. */
  private static final class Link {
    final SocketChannel channel;

    Link(SocketChannel channel) {
      this.channel = channel;
    }
  }

  static Path directory() throws IOException {
    try {
      return RuntimeDir.park(); // the user's, mode 0700, checked (RuntimeDir)
    } catch (io.github.multiprocessing4j.MultiprocessingException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The user's park key (see the class comment); read once. */
  static byte[] key() throws IOException {
    byte[] k = key;
    if (k == null) {
      synchronized (LISTEN_LOCK) {
        k = key;
        if (k == null) {
          k = readOrMakeKey(directory().resolve("key"));
          key = k;
        }
      }
    }
    return k;
  }

  private static byte[] readOrMakeKey(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] fresh = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(fresh);
      Path tmp = file.resolveSibling(".key-" + CurrentProcess.pid() + "-" + System.nanoTime());
      boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(tmp);
      }
      try {
        Files.write(tmp, fresh);
        Files.createLink(file, tmp); // fails if another JVM made it first: then its key is read
      } catch (FileAlreadyExistsException e) {
        // made meanwhile
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + " is not a regular file");
    }
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")
        && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
            .equals(PosixFilePermissions.fromString("rw-------"))) {
      throw new IOException(file + " is readable by others than its owner: remove it");
    }
    byte[] k = Files.readAllBytes(file);
    if (k.length != KEY_BYTES) {
      throw new IOException(file + " is not a park key (" + k.length + " bytes): remove it");
    }
    return k;
  }

  private static Path socketOf(long pid) throws IOException {
    return directory().resolve(pid + ".sock");
  }

  /**
   * Makes sure this JVM listens for wakes; called before a thread registers as a waiter.
   *
   * @return whether it listens; false where Unix-domain sockets are missing (waiters then poll)
   */
  static boolean ensureListening() {
    if (listening) {
      return true;
    }
    if (unavailable) {
      return false;
    }
    synchronized (LISTEN_LOCK) {
      if (listening || unavailable) {
        return listening;
      }
      try {
        key(); // a key that cannot be read or made: nobody could wake this JVM
        Path p = socketOf(CurrentProcess.pid());
        if (!RuntimeDir.fitsSocket(p)) {
          throw new IOException("socket path too long: " + p);
        }
        Selector sel = Selector.open();
        OpenChannels.add(sel);
        selector = sel;
        sweep(p.getParent());
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Files.deleteIfExists(p); // left by a dead JVM that had this pid
        ss.bind(UnixDomainSocketAddress.of(p), 64);
        OpenChannels.add(ss);
        ExitActions.onExitClose(() -> RuntimeDir.deleteQuietly(p));
        Thread t = new Thread(null, () -> acceptLoop(ss), "mp4j-park-accept", 64 * 1024, false);
        t.setDaemon(true);
        t.start();
        listening = true;
      } catch (IOException | UnsupportedOperationException e) {
        unavailable = true;
      }
      return listening;
    }
  }

  /** Deletes the sockets of JVMs that died without deleting theirs (SIGKILL). Best effort. */
  private static void sweep(Path dir) {
    try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.sock")) {
      for (Path e : entries) {
        String n = e.getFileName().toString();
        try {
          long pid = Long.parseLong(n.substring(0, n.length() - ".sock".length()));
          if (ProcessToken.pidDead(pid)) {
            Files.deleteIfExists(e);
          }
        } catch (NumberFormatException | IOException x) {
          // not ours, or gone meanwhile
        }
      }
    } catch (IOException | RuntimeException x) {
      // best effort: a stale socket costs a directory entry
    }
  }

  /**
   * Accepts for ever; each socket is authenticated by the {@link Authenticator}, with no thread of
   * its own. Never dies before the socket is closed at exit: a failure to accept is logged once,
   * and accepting goes on after a pause.
   */
  private static void acceptLoop(ServerSocketChannel ss) {
    boolean warned = false;
    while (ss.isOpen()) {
      try {
        SocketChannel s = ss.accept();
        Authenticator.submit(s, key(), HANDSHAKE_NANOS, ParkingLot::admit);
      } catch (java.nio.channels.ClosedChannelException e) {
        return; // closed at exit
      } catch (IOException | RuntimeException | Error e) {
        if (!ss.isOpen()) {
          return;
        }
        if (!warned) {
          warned = true;
          Log.get(ParkingLot.class).warn("the wake socket of process {} cannot accept "
              + "a connection; it goes on accepting", CurrentProcess.pid(), e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a lasting failure must not spin a CPU
      }
    }
  }

  /** Takes an authenticated wake connection: the leader's selector reads it from now on. */
  private static void admit(SocketChannel ch) throws IOException {
    OpenChannels.add(ch);
    try {
      ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(4096));
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
    selector.wakeup(); // a leader selecting now sees it on its next selection
  }

  /**
   * Parks a waiter of {@code cell} until its epoch is no longer {@code epoch}, {@code nanos} pass,
   * or the thread is interrupted (the caller checks which). The first waiter to come leads: it
   * selects on the wake connections itself and dispatches what arrives.
   *
   * @param cell the object waited on
   * @param epoch its epoch when the caller last checked its state
   * @param nanos the longest park
   */
  static void park(SyncCell cell, long epoch, long nanos) {
    Selector sel = selector;
    Thread me = Thread.currentThread();
    while (true) {
      if (sel != null && LEADERSHIP.tryLock()) {
        lead(sel, cell, epoch, nanos);
        return;
      }
      FOLLOWERS.add(me);
      try {
        // The leader unparks the followers after it unlocks: either it sees this one, or this one
        // sees it unlocked and leads.
        if (sel != null && !LEADERSHIP.isLocked()) {
          continue;
        }
        if (cell.epoch() == epoch) {
          LockSupport.parkNanos(cell, nanos);
        }
        return;
      } finally {
        FOLLOWERS.remove(me);
      }
    }
  }

  private static void lead(Selector sel, SyncCell cell, long epoch, long nanos) {
    Thread me = Thread.currentThread();
    leader = me;
    try {
      long deadline = System.nanoTime() + nanos;
      while (cell.epoch() == epoch && !me.isInterrupted()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
        dispatchReady(sel);
      }
    } catch (IOException | RuntimeException e) {
      LockSupport.parkNanos(nanos); // the selector failed (closed at exit): park instead
    } finally {
      leader = null;
      LEADERSHIP.unlock();
      // Every follower, not one: unparking only the first left, about once in 50 rounds of
      // SyncBetweenProcessesTest.theParkingLotAlwaysHasALeaderWhileThreadsWait, the last waiter
      // parked as a follower with nobody selecting, so its wake sat unread in the socket (a hang
      // without the re-check). Each re-checks its object and parks again; one of them leads.
      for (Thread f : FOLLOWERS) {
        LockSupport.unpark(f);
      }
    }
  }

  /** Wakes a thread parked by {@link #park}: the leader through its selector, others by unpark. */
  static void unpark(Thread t) {
    if (t == leader) {
      Selector sel = selector;
      if (sel != null) {
        sel.wakeup();
      }
    }
    LockSupport.unpark(t);
  }

  private static void dispatchReady(Selector sel) {
    for (SelectionKey k : sel.selectedKeys()) {
      SocketChannel ch = (SocketChannel) k.channel();
      ByteBuffer buf = (ByteBuffer) k.attachment();
      try {
        int n;
        while ((n = ch.read(buf)) > 0) {
          buf.flip();
          while (buf.remaining() >= 2) {
            int len = buf.getShort(buf.position()) & 0xffff;
            if (len > 1024) {
              throw new IOException("not a wake message");
            }
            if (buf.remaining() < 2 + len) {
              break;
            }
            byte[] name = new byte[len];
            buf.position(buf.position() + 2);
            buf.get(name);
            SyncCell.wakeLocal(new String(name, StandardCharsets.UTF_8));
          }
          buf.compact();
        }
        if (n < 0) {
          throw new IOException("end of stream");
        }
      } catch (IOException | RuntimeException e) {
        k.cancel(); // the waking JVM ended, or spoke nonsense
        closeQuietly(ch);
      }
    }
    sel.selectedKeys().clear();
  }

  /** What {@link #send} did: the wake is in the other JVM's socket. */
  static final int SENT = 0;
  /** What {@link #send} did: the wake waits for a connection (or was dropped as a hint). */
  static final int QUEUED = 1;
  /** What {@link #send} did: the other JVM cannot be reached. */
  static final int FAILED = 2;

  /** Whether this JVM has a connection to another JVM's wake socket. */
  static boolean linked(long pid) {
    return LINKS.containsKey(pid);
  }

  /**
   * Sends a wake for an object to another JVM. Runs in the waking thread; its interrupt status is
   * set aside meanwhile (an interrupted thread releasing a lock in a {@code finally} must still
   * wake the others), and restored.
   *
   * @param pid the waiting JVM
   * @param name the object's name
   * @return {@link #SENT} if the wake is in that JVM's socket (it will read it even if this JVM
   *     exits now); {@link #QUEUED} if it goes with a connection being made, by a thread of this JVM
   *     (which an exit waits for, but only up to {@link #EXIT_WAIT_NANOS}: lost if the connection
   *     takes longer), or was dropped as a hint the waiters' own re-check covers;
   *     {@link #FAILED} if that JVM cannot be reached (it ended, or does not listen)
   */
  static int send(long pid, String name) {
    Set<String> connecting = CONNECTING.get(pid);
    if (connecting != null && connecting.contains(name) && CONNECTING.get(pid) == connecting) {
      return QUEUED; // already goes with the connection: a release in a loop costs two lookups
    }
    boolean interrupted = Thread.interrupted();
    try {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteBuffer msg = ByteBuffer.allocate(2 + n.length);
      msg.putShort((short) n.length).put(n).flip();
      for (int attempt = 0; attempt < 2; attempt++) {
        Link link = LINKS.get(pid);
        if (link == null) {
          Set<String> pending = CONNECTING.get(pid);
          if (pending == null) {
            // Checked only before a connection is begun: a holder that releases a lock in a loop
            // while the connection is made would otherwise read /proc at every release (measured:
            // 130 µs a release, 50 ms over one contended run).
            Long failed = FAILED_AT.get(pid);
            if (failed != null && System.nanoTime() - failed < RETRY_NANOS) {
              return QUEUED; // a hint lost, which the waiters' own re-check covers
            }
            if (ProcessToken.pidDead(pid)) {
              return FAILED;
            }
            Set<String> names = ConcurrentHashMap.newKeySet();
            names.add(name);
            pending = CONNECTING.putIfAbsent(pid, names);
            if (pending == null) {
              connectInBackground(pid, names);
              return QUEUED;
            }
          }
          pending.add(name);
          if (CONNECTING.get(pid) == pending) {
            return QUEUED; // the connecting thread sends it (it reads the names after it stops connecting)
          }
          link = LINKS.get(pid); // connected (or failed) meanwhile
          if (link == null) {
            return QUEUED; // failed: a hint lost, which the waiters' own re-check covers
          }
        }
        try {
          synchronized (link) {
            if (link.channel.write(msg) == 0) {
              return QUEUED; // its buffer is full of wakes it has not read: dropped
            }
            for (int spins = 0; msg.hasRemaining(); spins++) { // finish a message begun
              if (link.channel.write(msg) == 0) {
                Thread.yield();
                if (spins > 100_000) {
                  throw new IOException("the waiting JVM does not read its wakes");
                }
              }
            }
          }
          return SENT;
        } catch (IOException e) {
          // closed by the peer (it ended, or another JVM now has its pid): drop it, try once more
          LINKS.remove(pid, link);
          closeQuietly(link.channel);
          msg.rewind();
          if (Thread.interrupted()) {
            interrupted = true;
          }
        }
      }
      return FAILED;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void connectInBackground(long pid, Set<String> names) {
    if (EXIT_WAIT_REGISTERED.compareAndSet(false, true)) {
      ExitActions.onExitFlush(ParkingLot::finishConnectsAtExit); // before the channels close
    }
    Thread t = new Thread(null, () -> {
      try {
        Link link = connect(pid);
        if (link == null) {
          FAILED_AT.put(pid, System.nanoTime()); // before the names go: see send
        } else {
          FAILED_AT.remove(pid);
        }
        CONNECTING.remove(pid, names); // after the link is known: see send
        if (link != null) {
          for (String n : names) {
            send(pid, n);
          }
        }
      } finally {
        CONNECTORS.remove(Thread.currentThread());
      }
    }, "mp4j-park-connect", 64 * 1024, false);
    t.setDaemon(true);
    CONNECTORS.add(t); // before it starts: an exit from now on waits for it
    t.start();
  }

  /** At exit: lets the connections being made send their wakes, for up to {@link #EXIT_WAIT_NANOS}. */
  private static void finishConnectsAtExit() {
    long deadline = System.nanoTime() + EXIT_WAIT_NANOS;
    for (Thread t : CONNECTORS) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return; // a waiting JVM that does not answer: its waiters' own re-check covers the rest
      }
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Connects and authenticates; only in the one connecting thread of that pid ({@link #CONNECTING}). */
  private static Link connect(long pid) {
    Link known = LINKS.get(pid);
    if (known != null) {
      return known;
    }
    pruneDeadLinks();
    SocketChannel s = null;
    try {
      s = SocketChannel.open(StandardProtocolFamily.UNIX);
      s.connect(UnixDomainSocketAddress.of(socketOf(pid)));
      SocketTransport t = new SocketTransport(s);
      Handshake.connect(t, key(), HANDSHAKE_NANOS);
      SocketChannel ch = t.detach();
      ch.configureBlocking(false);
      OpenChannels.add(ch);
      Link link = new Link(ch);
      LINKS.put(pid, link);
      return link;
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (s != null) {
        closeQuietly(s);
      }
      return null;
    }
  }

  /**
   * Closes the links to JVMs that ended. A link is otherwise dropped only when a write to it fails,
   * and nothing writes to a JVM that ended without waiting: a long-lived parent kept one socket per
   * child that had ever waited, until it ran out of descriptors. Run before each new connection,
   * so the links never outnumber the live JVMs by more than the ones that ended since the last.
   */
  private static void pruneDeadLinks() {
    long now = System.nanoTime();
    FAILED_AT.values().removeIf(at -> now - at >= RETRY_NANOS);
    LINKS.forEach((pid, link) -> {
      if (ProcessToken.pidDead(pid) && LINKS.remove(pid, link)) {
        closeQuietly(link.channel);
      }
    });
  }

  /** The pids this JVM keeps a wake connection to; for tests. */
  public static Set<Long> linkedPids() {
    return Set.copyOf(LINKS.keySet());
  }

  private static void closeQuietly(SocketChannel s) {
    OpenChannels.remove(s); // (else the exit list kept every closed link and wake connection)
    try {
      s.close();
    } catch (IOException e) {
      // best effort
    }
  }
}
