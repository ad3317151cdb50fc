package io.github.multiprocessing4j.internal;

import io.github.multiprocessing4j.Multiprocessing;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How a JVM wakes threads of another JVM that wait on a cross-process synchronisation object
 * ({@link SyncCell}): each JVM that waits listens on one Unix-domain socket,
 * {@code <segments>/../park/<pid>.sock} (a directory of mode 0700, checked to be the user's), and a
 * JVM that changed an object's state sends that object's name to every JVM registered as waiting
 * on it, over a connection it keeps; the receiving JVM's dispatcher thread then wakes its local
 * waiters of that object, which re-check the state. Wake messages are hints: a lost or spurious one
 * costs no correctness, as waiters also re-check on their own every
 * {@link SyncCell#SLICE_NANOS} (a lost one costs at most that much latency).
 *
 * <p>Every connection is authenticated both ways with the process family's authkey
 * ({@link Handshake}), so a process without the key can neither wake nor be woken.
 *
 * <p>Wire format, after the handshake: one message per wake, a 2-byte big-endian length and the
 * object's name in UTF-8.
 */
public final class ParkingLot {

  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Object LISTEN_LOCK = new Object();
  private static volatile boolean listening;
  private static volatile boolean unavailable;
  private static final Map<Long, Link> LINKS = new ConcurrentHashMap<>();

  private ParkingLot() {}

  /** A cached connection to another JVM's endpoint. */
  private static final class Link {
    final SocketChannel channel;

    Link(SocketChannel channel) {
      this.channel = channel;
    }
  }

  static Path directory() throws IOException {
    Path d = RuntimeDir.segments().getParent().resolve("park");
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
    boolean posix = d.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (posix) {
        Files.createDirectory(d, PosixFilePermissions.asFileAttribute(ownerOnly));
      } else {
        Files.createDirectory(d);
      }
    } catch (FileAlreadyExistsException e) {
      // made by another JVM of the user: checked below
    }
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(d + " is not a directory");
    }
    if (posix) {
      String owner = Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (me != null && !owner.equals(me)) {
        throw new IOException(d + " belongs to " + owner + ", not to " + me);
      }
      if (!Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS).equals(ownerOnly)) {
        Files.setPosixFilePermissions(d, ownerOnly);
      }
    }
    return d;
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
        Path p = socketOf(ProcessHandle.current().pid());
        if (p.toString().length() > 100) {
          throw new IOException("socket path too long: " + p);
        }
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Files.deleteIfExists(p); // left by a dead JVM that had this pid
        ss.bind(UnixDomainSocketAddress.of(p), 64);
        OpenChannels.add(ss);
        ExitActions.onExitClose(() -> RingTransport.deleteQuietly(p));
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

  private static void acceptLoop(ServerSocketChannel ss) {
    while (true) {
      SocketChannel s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        return; // closed at exit
      }
      Thread t = new Thread(null, () -> dispatch(s), "mp4j-park-dispatch", 64 * 1024, false);
      t.setDaemon(true);
      t.start();
    }
  }

  private static void dispatch(SocketChannel s) {
    try (s) {
      SocketTransport t = new SocketTransport(s);
      Handshake.accept(t, Multiprocessing.currentProcess().authkey(), HANDSHAKE_NANOS);
      SocketChannel blocking = t.detach();
      OpenChannels.add(blocking);
      InputStream in = Channels.newInputStream(blocking);
      DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 4096));
      byte[] buf = new byte[256];
      while (true) {
        int len = data.readUnsignedShort();
        if (len > buf.length) {
          return; // not this protocol
        }
        data.readFully(buf, 0, len);
        SyncCell.wakeLocal(new String(buf, 0, len, StandardCharsets.UTF_8));
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      // the peer went away, or failed the handshake: nothing to do
    }
  }

  /**
   * Sends a wake for an object to another JVM. Runs in the waking thread; its interrupt status is
   * set aside meanwhile (an interrupted thread releasing a lock in a {@code finally} must still
   * wake the others), and restored.
   *
   * @param pid the waiting JVM
   * @param name the object's name
   * @return false if that JVM cannot be reached (it ended, or does not listen)
   */
  static boolean send(long pid, String name) {
    boolean interrupted = Thread.interrupted();
    try {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteBuffer msg = ByteBuffer.allocate(2 + n.length);
      msg.putShort((short) n.length).put(n).flip();
      for (int attempt = 0; attempt < 2; attempt++) {
        Link link = LINKS.get(pid);
        if (link == null) {
          link = connect(pid);
          if (link == null) {
            return false;
          }
        }
        try {
          synchronized (link) {
            while (msg.hasRemaining()) {
              link.channel.write(msg);
            }
          }
          return true;
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
      return false;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Link connect(long pid) {
    synchronized (LINKS) {
      Link known = LINKS.get(pid);
      if (known != null) {
        return known;
      }
      SocketChannel s = null;
      try {
        s = SocketChannel.open(StandardProtocolFamily.UNIX);
        s.connect(UnixDomainSocketAddress.of(socketOf(pid)));
        SocketTransport t = new SocketTransport(s);
        Handshake.connect(t, Multiprocessing.currentProcess().authkey(), HANDSHAKE_NANOS);
        SocketChannel blocking = t.detach();
        OpenChannels.add(blocking);
        Link link = new Link(blocking);
        LINKS.put(pid, link);
        return link;
      } catch (IOException | RuntimeException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        if (s != null) {
          closeQuietly(s);
        }
        return null;
      }
    }
  }

  private static void closeQuietly(SocketChannel s) {
    try {
      s.close();
    } catch (IOException e) {
      // best effort
    }
  }
}
