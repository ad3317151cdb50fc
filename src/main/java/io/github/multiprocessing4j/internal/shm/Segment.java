package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * A named block of memory shared between processes: a file in the user's private segment
 * directory ({@link RuntimeDir#segments()}, in {@code /dev/shm} on Linux) mapped read-write by
 * every process that uses it. The building block of {@code SharedMemory}, {@code Value},
 * {@code Array} and the cross-process locks.
 *
 * <p><b>Lifetime.</b> A process <em>uses</em> a segment from the moment it creates or attaches it
 * until it {@linkplain #unlink() unlinks} it, exits, or no {@code Segment} object of it is
 * reachable any more (see below); meanwhile it holds a shared {@linkplain FileLock file lock} on
 * the file, which the kernel drops when the process dies, SIGKILL included. A segment nobody uses is
 * deleted: when a JVM gives up its use, the segment is deleted if no other process holds the lock;
 * and segments whose users all died without exiting are deleted by the next JVM of the same user
 * that creates or attaches one ({@link #sweep()}). Closing a segment ({@link #close()}) only gives
 * up this object's view, as CPython's {@code close()}.
 *
 * <p><b>Reclamation.</b> When the last {@code Segment} object of a name in this JVM becomes
 * unreachable, a {@link Cleaner} gives up this JVM's use: it closes the channel (which releases the
 * lock and the file descriptor), drops this JVM's reference to the mapping (unmapped when the
 * garbage collector frees the buffer) and deletes the file if no other process uses it. Segments the
 * user is expected to unlink ({@link #trackLeak()}, {@code SharedMemory}) and segments
 * {@linkplain #pin() pinned} (a reference to them was serialized) are kept until unlinked or exit
 * instead. As the JDK does for direct buffers, a JVM that has made many segments since its last
 * collection asks for one ({@link System#gc()}), so that a loop making short-lived segments does not
 * run out of file descriptors before the heap fills.
 *
 * <p>One mapping and one lock per segment per JVM, shared by every live {@code Segment} object for
 * that name in this JVM (POSIX drops all of a process's locks on a file when any of its descriptors
 * of that file is closed, so a JVM must never open a segment file twice; after this JVM gave a
 * segment up, attaching it again opens it afresh). Segment files are created readable and
 * writable by their owner only ({@code 0600}), in a directory that is the owner's only.
 *
 * <p><b>Atomic access.</b> The int and long accessors are those of the {@link MappedRegion} under
 * the segment: atomic across processes when the offset is aligned to the size.
 *
 * <p>Thread-safe.
 */
public final class Segment implements AutoCloseable {

  /** Most a segment can hold: one mapping ({@link MappedRegion}). */
  public static final long MAX_SIZE = Integer.MAX_VALUE;
  private static final String TEMP_PREFIX = ".tmp-";
  /** A temporary file younger than this may be a segment being created: the sweep leaves it. */
  private static final long TEMP_GRACE_MILLIS = TimeUnit.MINUTES.toMillis(1);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger LOG = Log.get(Segment.class);
  /** Gives up this JVM's use of a segment once no {@code Segment} object of it is reachable. */
  private static final Cleaner CLEANER = Cleaner.create();
  /** New mappings between two collections this JVM asks for, at least. */
  private static final int GC_EVERY = Tunable.SEGMENT_GC_EVERY.intValue(1024); // a knob, not documented

  /** The segments this JVM uses, by name; guarded by itself. */
  private static final Map<String, Mapping> USED = new HashMap<>();
  private static boolean exitRegistered; // guarded by USED
  private static boolean swept; // guarded by USED
  /** Mappings made since this JVM last asked for a collection; guarded by USED. */
  private static int madeSinceGc;
  /** Set when a collection is due: the thread that clears it asks for one, outside the lock. */
  private static final AtomicBoolean GC_DUE = new AtomicBoolean();

  /** This JVM's use of one segment file: its channel, lock and mapping. */
  private static final class Mapping {
    final String name;
    final Path file;
    final FileChannel channel;
    final FileLock lock;
    final MappedRegion region;
    /** The file's identity (device and inode): a segment created later under the name is another. */
    final Object key;
    /** Whether a leak is worth a warning: set by {@link Segment#trackLeak()}; such a segment is kept. */
    volatile boolean tracked;
    /** Whether this JVM keeps using it until unlink or exit, reachable or not: {@link Segment#pin()}. */
    volatile boolean pinned;
    /** The live {@code Segment} objects that share it; guarded by USED. */
    int users;
    /** Whether this JVM gave it up (channel closed, out of USED); guarded by USED. */
    boolean released;
    /** Kept reachable while set ({@link Segment#anchor}); written by one thread at a time. */
    Object anchor;

    Mapping(String name, Path file, FileChannel channel, FileLock lock, MappedRegion region, Object key) {
      this.name = name;
      this.file = file;
      this.channel = channel;
      this.lock = lock;
      this.region = region;
      this.key = key;
    }
  }

  private final Mapping mapping;
  /** The mapping's memory, held here too so an access loads no more than before: locks and values use it per operation. */
  private final MappedRegion region;
  private volatile boolean closed;

  /** A new object sharing a mapping; the caller holds USED. */
  private Segment(Mapping mapping) {
    this.mapping = mapping;
    this.region = mapping.region;
    mapping.users++;
    CLEANER.register(this, new Unuse(mapping)); // must not refer to this object
  }

  /** What the cleaner does when a {@code Segment} object becomes unreachable. */
  private static final class Unuse implements Runnable {
    private final Mapping mapping;

    Unuse(Mapping mapping) {
      this.mapping = mapping;
    }

    @Override
    public void run() {
      unuse(mapping);
    }
  }

  /** One {@code Segment} object of a mapping is gone: gives the segment up if it was the last. */
  private static void unuse(Mapping m) {
    synchronized (USED) {
      m.users--;
      if (m.users > 0 || m.released || m.pinned || m.tracked) {
        return;
      }
      drop(m);
      // Under the lock: no attach of this name can open the file while this opens it a second time.
      SegmentFile.deleteIfUnused(m.file, m.key);
    }
  }

  /** This JVM is done with a mapping: out of USED, channel closed. The caller holds USED. */
  private static void drop(Mapping m) {
    USED.remove(m.name, m);
    if (!m.released) {
      m.released = true;
      releaseQuietly(m);
    }
  }

  /**
   * Counts a new mapping (the caller holds USED); marks a collection due every {@link #GC_EVERY}
   * new mappings, or every half of those in use if more, so that its cost stays small per mapping.
   */
  private static void countNew() {
    if (++madeSinceGc >= Math.max(GC_EVERY, USED.size() / 2)) {
      madeSinceGc = 0;
      GC_DUE.set(true);
    }
  }

  /** Asks for a collection if one is due, so that unreachable segments are given up. */
  private static void collectIfDue() {
    if (GC_DUE.get() && GC_DUE.compareAndSet(true, false)) {
      System.gc();
    }
  }

  /**
   * Creates a segment, zero-filled.
   *
   * @param name its name, or null for a random one ({@code prefix} + 8 hex digits)
   * @param prefix the prefix of a random name, e.g. {@code "psm_"}
   * @param size its size in bytes, 1 to {@link #MAX_SIZE}
   * @return the segment, used by this JVM
   * @throws FileAlreadyExistsException if a segment of that name exists
   * @throws IllegalArgumentException if the name or size is not allowed
   * @throws IOException if the file cannot be created or mapped
   */
  public static Segment create(String name, String prefix, long size) throws IOException {
    Segment s = create0(name, prefix, size);
    collectIfDue();
    return s;
  }

  private static Segment create0(String name, String prefix, long size) throws IOException {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("segment size must be 1 to " + MAX_SIZE + " bytes, not " + size);
    }
    if (name != null) {
      checkName(name);
    }
    Path dir = RuntimeDir.segments();
    sweepOnce();
    while (true) {
      String n = name != null ? name : prefix + String.format("%08x", RANDOM.nextInt());
      Path file = dir.resolve(n);
      synchronized (USED) {
        Mapping known = USED.get(n);
        if (known != null && !SegmentFile.isFile(file, known.key)) {
          // Unlinked by another process since this JVM used it (shm_unlink elsewhere): the name is
          // free, as for CPython. This JVM is done with the old file, as in attach(); without this,
          // create() of that name failed with "exists" for the rest of this JVM's life.
          drop(known);
        }
        if (USED.containsKey(n) || Files.exists(file)) {
          if (name != null) {
            throw new FileAlreadyExistsException(file.toString(), null, "a segment of this name exists");
          }
          continue; // a random name taken: draw again
        }
        // Created under a temporary name, locked, then linked to its name: no process can see the
        // name before the file is locked (a sweep would delete it), and link() fails if the name
        // was taken meanwhile, where rename() would replace.
        Path temp = dir.resolve(TEMP_PREFIX + n + "-" + Long.toHexString(RANDOM.nextLong()));
        FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE), SegmentFile.OWNER_ONLY); // 0600 from the start: no moment others could open it
        Mapping m;
        try {
          ch.write(ByteBuffer.allocate(1), size - 1); // sized, zero-filled
          FileLock lock = ch.tryLock(0, 1, true);
          if (lock == null) {
            throw new IOException("cannot lock the new segment file " + temp);
          }
          try {
            Files.createLink(file, temp);
          } catch (FileAlreadyExistsException e) {
            SegmentFile.closeQuietly(ch);
            if (name != null) {
              throw new FileAlreadyExistsException(file.toString(), null, "a segment of this name exists");
            }
            continue; // a random name taken meanwhile: draw again
          }
          m = new Mapping(n, file, ch, lock, MappedRegion.map(ch, size), SegmentFile.keyOf(temp));
        } catch (IOException | RuntimeException e) {
          SegmentFile.closeQuietly(ch);
          throw e;
        } finally {
          Files.deleteIfExists(temp);
        }
        USED.put(n, m);
        registerExit();
        countNew();
        return new Segment(m);
      }
    }
  }

  /**
   * Attaches a segment by name; every attachment in this JVM shares one mapping.
   *
   * @param name the segment's name
   * @return the segment, used by this JVM
   * @throws NoSuchFileException if there is no segment of that name
   * @throws IllegalArgumentException if the name is not allowed
   * @throws IOException if the file cannot be opened or mapped
   */
  public static Segment attach(String name) throws IOException {
    Segment s = attach0(name);
    collectIfDue();
    return s;
  }

  private static Segment attach0(String name) throws IOException {
    checkName(name);
    Path file = RuntimeDir.segments().resolve(name);
    sweepOnce();
    synchronized (USED) {
      Mapping known = USED.get(name);
      if (known != null) {
        if (SegmentFile.isFile(file, known.key)) {
          return new Segment(known);
        }
        // Unlinked by another process, and maybe created again: this JVM is done with the old one
        // (objects that have it keep their mapping).
        drop(known);
      }
      for (int attempt = 0; ; attempt++) {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey(); // NoSuchFileException
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
          FileLock lock = ch.tryLock(0, 1, true);
          // Locked and still the file of that name: whoever deletes a segment holds the exclusive
          // lock, so it cannot go away now.
          if (lock != null && SegmentFile.isFile(file, key)) {
            long size = ch.size();
            if (size < 1 || size > MAX_SIZE) {
              throw new IOException("not a segment: " + file + " has " + size + " bytes");
            }
            Mapping m = new Mapping(name, file, ch, lock, MappedRegion.map(ch, size), key);
            USED.put(name, m);
            registerExit();
            countNew();
            return new Segment(m);
          }
        } catch (IOException | RuntimeException e) {
          SegmentFile.closeQuietly(ch);
          throw e;
        }
        SegmentFile.closeQuietly(ch);
        if (!Files.exists(file)) {
          throw new NoSuchFileException(file.toString(), null, "no segment of this name");
        }
        if (attempt > 1000) {
          throw new IOException("cannot lock segment " + file + ": another process keeps it locked");
        }
        // A process is deciding whether to delete it, for a few microseconds.
        Thread.onSpinWait();
      }
    }
  }

  /**
   * Checks a segment name: a file name of the private directory, so no separator, no NUL, not
   * starting with a dot, 1 to 200 characters.
   *
   * @param name the name
   * @throws IllegalArgumentException if it is not allowed, saying why
   */
  public static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > 200 || name.startsWith(".") || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a valid shared memory name: '" + name.replace("\0", "\\x00")
          + "' (1 to 200 characters, no '/', '\\\\' or NUL, not starting with '.')");
    }
  }

  /** The segment's name. */
  public String name() {
    return mapping.name;
  }

  /** The segment's size in bytes. */
  public int size() {
    return mapping.region.size();
  }

  /**
   * A view of the whole segment: a new buffer (its own position and limit), native byte order.
   *
   * @return the view
   * @throws IllegalStateException if this segment object was closed
   */
  public ByteBuffer buffer() {
    checkOpen();
    return mapping.region.buffer();
  }

  /** Reads an int with volatile semantics; {@code offset} must be a multiple of 4. */
  public int getIntVolatile(int offset) {
    return region.getIntVolatile(offset);
  }

  /** Writes an int with volatile semantics; {@code offset} must be a multiple of 4. */
  public void setIntVolatile(int offset, int value) {
    region.setIntVolatile(offset, value);
  }

  /** Atomically sets an int if it holds {@code expected}; {@code offset} must be a multiple of 4. */
  public boolean compareAndSetInt(int offset, int expected, int value) {
    return region.compareAndSetInt(offset, expected, value);
  }

  /** Atomically adds to an int and returns the old value; {@code offset} must be a multiple of 4. */
  public int getAndAddInt(int offset, int delta) {
    return region.getAndAddInt(offset, delta);
  }

  /** Reads a long with volatile semantics; {@code offset} must be a multiple of 8. */
  public long getLongVolatile(int offset) {
    return region.getLongVolatile(offset);
  }

  /** Writes a long with volatile semantics; {@code offset} must be a multiple of 8. */
  public void setLongVolatile(int offset, long value) {
    region.setLongVolatile(offset, value);
  }

  /** Atomically sets a long if it holds {@code expected}; {@code offset} must be a multiple of 8. */
  public boolean compareAndSetLong(int offset, long expected, long value) {
    return region.compareAndSetLong(offset, expected, value);
  }

  /** Atomically adds to a long and returns the old value; {@code offset} must be a multiple of 8. */
  public long getAndAddLong(int offset, long delta) {
    return region.getAndAddLong(offset, delta);
  }

  /** Atomically sets an int and returns the old value; {@code offset} must be a multiple of 4. */
  public int getAndSetInt(int offset, int value) {
    return region.getAndSetInt(offset, value);
  }

  /** Atomically sets a long and returns the old value; {@code offset} must be a multiple of 8. */
  public long getAndSetLong(int offset, long value) {
    return region.getAndSetLong(offset, value);
  }

  /**
   * Marks the segment as one the user is expected to unlink (a {@code SharedMemory}): if this JVM's
   * exit deletes it because nobody uses it any more and it was never unlinked, a warning is logged,
   * as CPython's resource tracker warns about leaked shared memory. Segments the library manages by
   * itself (values, arrays) are not marked.
   */
  public void trackLeak() {
    mapping.tracked = true;
  }

  /**
   * Keeps this JVM's use of the segment until it is unlinked or the JVM exits, even once no
   * {@code Segment} object of it is reachable: what a reference that was serialized needs, since
   * the process that reads it attaches the segment by name, maybe much later.
   */
  public void pin() {
    mapping.pinned = true;
  }

  /**
   * Keeps an object reachable while it is set, through this JVM's record of the segments it uses:
   * what a lock this JVM holds needs, since its per-JVM state (which thread owns it, how often)
   * lives in the object, and an object collected while held made a fresh one, read again from a
   * reference, take this JVM's own hold for another's. Costs a plain field write; the caller
   * orders the writes of the object and of {@code null} (a lock's owner does).
   *
   * @param o the object to keep, or null to keep none
   */
  public void anchor(Object o) {
    mapping.anchor = o;
  }

  /**
   * Gives up this object's view. This JVM's use of the segment stays while other objects for the
   * same name are reachable (see the class comment). Idempotent.
   */
  @Override
  public void close() {
    closed = true;
  }

  /** Whether {@link #close()} was called on this object. */
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("segment " + mapping.name + " is closed");
    }
  }

  /**
   * Removes the segment's name, as CPython's {@code shm_unlink}: processes that mapped it keep
   * their mappings; the name can be created again. This JVM stops using it.
   *
   * @throws NoSuchFileException if the name was already removed
   * @throws IOException if the file cannot be deleted
   */
  public void unlink() throws IOException {
    synchronized (USED) {
      // Only the file this object mapped, not one created under the name since.
      if (!SegmentFile.isFile(mapping.file, mapping.key)) {
        throw new NoSuchFileException(mapping.file.toString(), null, "segment already unlinked");
      }
      Files.delete(mapping.file);
      drop(mapping);
    }
  }

  /** The names of the segments this JVM uses (given up or not), for tests. */
  static List<String> usedNames() {
    synchronized (USED) {
      return new ArrayList<>(USED.keySet());
    }
  }

  /** The number of live {@code Segment} objects of this JVM's mapping of a name, or -1 if it has none; for tests. */
  static int users(String name) {
    synchronized (USED) {
      Mapping m = USED.get(name);
      return m == null ? -1 : m.users;
    }
  }

  private static void registerExit() {
    // guarded by USED (callers hold it)
    if (!exitRegistered) {
      exitRegistered = true;
      ExitActions.onExitClose(Segment::releaseAll);
    }
  }

  /** At exit: gives up every segment this JVM uses, and deletes those nobody else uses. */
  static void releaseAll() {
    List<Mapping> all;
    synchronized (USED) {
      all = new ArrayList<>(USED.values());
      USED.clear();
      for (Mapping m : all) {
        m.released = true; // the cleaner leaves them alone
      }
    }
    List<String> leaked = new ArrayList<>();
    for (Mapping m : all) {
      releaseQuietly(m);
      if (SegmentFile.deleteIfUnused(m.file, m.key) && m.tracked) {
        leaked.add(m.name);
      }
    }
    if (!leaked.isEmpty()) {
      try {
        LOG.warn("There appear to be {} leaked shared_memory objects to clean up at shutdown: {} (deleted: no "
            + "process uses them any more, and none unlinked them)", leaked.size(), leaked);
      } catch (RuntimeException e) {
        // a logging back-end already shut down: the segments are deleted all the same
      }
    }
  }

  private static void releaseQuietly(Mapping m) {
    try {
      m.lock.release();
    } catch (IOException | RuntimeException e) {
      // closing the channel releases it too
    }
    SegmentFile.closeQuietly(m.channel); // the mapping stays valid until it is collected
  }

  private static void sweepOnce() {
    synchronized (USED) {
      if (swept) {
        return;
      }
      swept = true;
    }
    sweep();
  }

  /**
   * Deletes the segments of the user's directory that no process uses (their users all died
   * without exiting), and temporary files of creations that died half-way. Once per JVM, on its
   * first use of segments.
   */
  static void sweep() {
    Path dir = RuntimeDir.segments();
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        candidates.add(p);
      }
    } catch (IOException e) {
      return; // best effort
    }
    long now = System.currentTimeMillis();
    for (Path p : candidates) {
      String n = p.getFileName().toString();
      if (n.startsWith(TEMP_PREFIX)) {
        try {
          if (now - Files.getLastModifiedTime(p).toMillis() > TEMP_GRACE_MILLIS) {
            Files.deleteIfExists(p);
          }
        } catch (IOException e) {
          // gone meanwhile
        }
        continue;
      }
      synchronized (USED) {
        if (USED.containsKey(n)) {
          continue;
        }
        SegmentFile.deleteIfUnused(p, null);
      }
    }
  }

  @Override
  public String toString() {
    return "Segment[" + mapping.name + ", " + size() + " bytes" + (closed ? ", closed]" : "]");
  }
}
