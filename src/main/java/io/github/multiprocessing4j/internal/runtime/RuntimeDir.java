package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.MultiprocessingException;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * This JVM's private directories for files it shares with its children (argument files, status
 * files, rings, sockets) and the user's shared ones (segments, wake sockets).
 *
 * <p><b>Where.</b> Under a <em>user directory</em> {@code <parent>/multiprocessing4j-<uid>}, keyed by
 * the numeric uid (so a uid with no passwd entry works, and two such uids never share one), where
 * the parent is {@code java.io.tmpdir} ({@link #get()}) or {@code /dev/shm} ({@link #shm()},
 * {@link #segments()}). Each JVM has its own {@code <pid>-<nonce>} directory in it.
 *
 * <p><b>Never another user's directory.</b> A user directory is used only if it is a directory
 * (not a symbolic link), belongs to this uid and has mode {@code 0700}. Anyone can create
 * {@code /dev/shm/multiprocessing4j-<uid>} first; then this JVM makes a private directory of its
 * own with a unique name ({@code multiprocessing4j-<uid>-<random>}, {@code 0700}), logs one WARN and
 * goes on. Its children are told through the environment variable {@value #FALLBACK_ENV}, so a
 * family keeps sharing its segments and wake sockets; unrelated JVMs of the user that fell back
 * do not share named segments.
 *
 * <p><b>Short socket paths.</b> A Unix socket's path must fit in 108 bytes (104 on macOS). Where
 * the runtime directory is too long for that (a long {@code java.io.tmpdir}, as macOS's
 * {@code $TMPDIR} nearly is), sockets go to {@link #sockets()}, a private directory under
 * {@code /dev/shm} or {@code /tmp} with the same checks, so they stay Unix sockets.
 *
 * <p>On Windows the user's own temp directory already is private, and no check is made.
 * Created on first use; deleted by {@link #delete()} at exit. Directories of JVMs that died without
 * deleting theirs (SIGKILL) are removed the next time any JVM of the same user creates one.
 */
public final class RuntimeDir {

  /**
   * The environment variable through which a JVM tells its children the private directories it
   * uses instead of user directories that were not safe: paths separated by
   * {@link File#pathSeparator}. Not a secret (a path to a directory only the user can enter).
   */
  public static final String FALLBACK_ENV = "MULTIPROCESSING4J_FALLBACK_DIRS";
  /**
   * The environment variable that makes this machine lay its files out as a Mac does, for tests:
   * its value is the temporary directory to use instead of {@code java.io.tmpdir} (a Mac's is long),
   * and {@code /dev/shm} is taken as absent. Children inherit it.
   */
  public static final String MAC_LAYOUT_ENV = "MULTIPROCESSING4J_MACOS_LAYOUT";
  /** The longest socket path allowed: macOS's {@code sun_path} holds 104 bytes with the NUL. */
  static final int MAX_SOCKET_PATH = 100;
  /** Room left for a socket's file name ({@code pipe-<id>-<side>.sock}, {@code listener-<hex>}). */
  private static final int SOCKET_NAME_ROOM = 32;
  private static final String PREFIX = "multiprocessing4j-";
  private static final String SHORT_PREFIX = "mp4j-";

  /** Not a static field: RuntimeDir.delete() runs in every child's exit hook, where loading NIO costs. */
  private static Set<PosixFilePermission> ownerOnly() {
    return PosixFilePermissions.fromString("rwx------");
  }

  private static volatile Path dir;
  private static volatile Path shmDir;
  private static volatile Path socketDir;
  private static volatile Path segmentsDir;
  private static volatile Path parkDir;
  private static volatile long uid = -1;
  /** The user directory chosen under each parent. */
  private static final Map<Path, Path> USER_DIRS = new ConcurrentHashMap<>();
  /** The private directories used instead of unsafe user directories (this JVM's and inherited). */
  private static final Set<Path> FALLBACKS = ConcurrentHashMap.newKeySet();
  private static volatile boolean warned;
  private static volatile boolean tcpWarned;

  private RuntimeDir() {}

  /**
   * Returns the directory, creating it on first use.
   *
   * @return this JVM's private directory
   * @throws MultiprocessingException if it cannot be created safely
   */
  public static Path get() {
    Path d = dir;
    if (d == null) {
      synchronized (RuntimeDir.class) {
        d = dir;
        if (d == null) {
          d = create(tmpParent());
          dir = d;
        }
      }
    }
    return d;
  }

  /**
   * Returns a directory of the same kind in shared memory ({@code /dev/shm} where it exists, so the
   * rings of pipes and queues never reach a disk), or {@link #get()} where there is none.
   *
   * @return this JVM's private directory for memory-mapped files
   * @throws MultiprocessingException if it cannot be created safely
   */
  public static Path shm() {
    Path d = shmDir;
    if (d == null) {
      synchronized (RuntimeDir.class) {
        d = shmDir;
        if (d == null) {
          Path devShm = devShm();
          d = devShm != null ? create(devShm) : get();
          shmDir = d;
        }
      }
    }
    return d;
  }

  /**
   * Returns this JVM's private directory for Unix sockets: {@link #get()} if its paths are short
   * enough for a socket, else a directory of the same kind under {@code /dev/shm} or {@code /tmp}.
   *
   * @return the directory, or null if no directory short enough can be made (sockets then use
   *     loopback TCP, which the caller logs)
   */
  public static Path sockets() {
    Path d = socketDir;
    if (d == null) {
      synchronized (RuntimeDir.class) {
        d = socketDir;
        if (d == null) {
          d = get();
          if (!shortEnough(d)) {
            try {
              d = create(shortParent(), SHORT_PREFIX);
            } catch (MultiprocessingException e) {
              d = null;
            }
            if (d != null && !shortEnough(d)) {
              delete(d);
              d = null;
            }
          }
          socketDir = d != null ? d : Paths.get("");
        }
      }
    }
    return d.toString().isEmpty() ? null : d;
  }

  /**
   * Whether a socket can be bound at this path: it fits in {@code sun_path} on every platform.
   *
   * @param socket the socket's path
   * @return whether it is short enough
   */
  public static boolean fitsSocket(Path socket) {
    return socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
  }

  /**
   * Logs, once per JVM, that sockets of this JVM use loopback TCP (authenticated the same way, but
   * reachable by every local user, where a Unix socket in a private directory is not).
   *
   * @param what what listens on TCP
   * @param why why not on a Unix socket
   */
  public static void warnTcp(String what, String why) {
    if (!tcpWarned) {
      tcpWarned = true;
      Log.get(RuntimeDir.class).warn("{} listens on loopback TCP, not on a Unix socket: {}; "
          + "connections are authenticated all the same (logged once per JVM)", what, why);
    }
  }

  private static boolean shortEnough(Path d) {
    return d.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + SOCKET_NAME_ROOM
        <= MAX_SOCKET_PATH;
  }

  /**
   * Returns the user's directory of shared-memory segments ({@link Segment}):
   * {@code /dev/shm/multiprocessing4j-<uid>/segments} where {@code /dev/shm} exists, else under
   * {@code java.io.tmpdir}; mode {@code 0700} at every level, checked to belong to this user.
   * Unlike {@link #get()}, it is shared by all of the user's JVMs and outlives each of them: a
   * segment lives as long as some process uses it.
   *
   * @return the directory
   * @throws MultiprocessingException if it cannot be created safely
   */
  public static Path segments() {
    Path d = segmentsDir;
    if (d == null) {
      synchronized (RuntimeDir.class) {
        d = segmentsDir;
        if (d == null) {
          d = sharedSubdir(sharedParent(), PREFIX, "segments");
          segmentsDir = d;
        }
      }
    }
    return d;
  }

  /**
   * Returns the user's directory of wake sockets ({@link ParkingLot}), shared by all of the user's
   * JVMs: {@code park} beside {@link #segments()}, or, where that path is too long for sockets,
   * under {@code /dev/shm} or {@code /tmp} ({@code mp4j-<uid>/park}). Mode {@code 0700}, checked.
   *
   * @return the directory
   * @throws MultiprocessingException if it cannot be created safely
   */
  public static Path park() {
    Path d = parkDir;
    if (d == null) {
      synchronized (RuntimeDir.class) {
        d = parkDir;
        if (d == null) {
          Path parent = sharedParent();
          String prefix = PREFIX;
          if (!shortEnough(userDir(parent, prefix).resolve("park"))) {
            parent = shortParent();
            prefix = SHORT_PREFIX;
          }
          d = sharedSubdir(parent, prefix, "park");
          parkDir = d;
        }
      }
    }
    return d;
  }

  private static Path sharedSubdir(Path parent, String prefix, String name) {
    Path d = userDir(parent, prefix).resolve(name);
    try {
      makePrivateDir(d);
      String why = unsafe(d);
      if (why != null) {
        throw new IOException(d + " " + why);
      }
    } catch (IOException e) {
      throw new MultiprocessingException("cannot create the private directory " + d + ": " + e, e);
    }
    return d;
  }

  /**
   * Tells children, through their environment, which private directories this JVM uses instead of
   * unsafe user directories, so that they share them (segments, wake sockets).
   *
   * @param environment a child's environment, changed in place
   */
  public static void exportTo(Map<String, String> environment) {
    try {
      park(); // decides the shared directories now: a child must not decide differently
      segments();
    } catch (MultiprocessingException e) {
      return; // the child will fail on its own, with the same message
    }
    if (!FALLBACKS.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (Path p : FALLBACKS) {
        if (sb.length() > 0) {
          sb.append(File.pathSeparatorChar);
        }
        sb.append(p);
      }
      environment.put(FALLBACK_ENV, sb.toString());
    }
  }

  /**
   * The numeric uid of this JVM's user (its effective uid: the owner of a file it creates), read
   * from a file it creates; -1 where there are no Unix uids.
   *
   * @return the uid
   */
  public static long uid() {
    long u = uid;
    if (u == -1 && unixAttributes(tmpParent())) {
      synchronized (RuntimeDir.class) {
        u = uid;
        if (u == -1) {
          u = readUid();
          uid = u;
        }
      }
    }
    return u;
  }

  private static long readUid() {
    Path parent = tmpParent();
    Path probe = null;
    try {
      // Not Files.createTempFile: its random name initialises SecureRandom, about 20 ms in a fresh
      // child JVM. A name of this pid and instant is unique enough; CREATE_NEW refuses any other.
      for (int attempt = 0; probe == null; attempt++) {
        Path p = parent.resolve(".mp4j-uid-" + CurrentProcess.pid() + "-" + Long.toHexString(System.nanoTime()));
        try {
          probe = Files.createFile(p);
        } catch (FileAlreadyExistsException e) {
          if (attempt > 10) {
            throw e;
          }
        }
      }
      return ((Number) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    } catch (IOException | RuntimeException e) {
      throw new MultiprocessingException("cannot tell this process's uid: cannot create a file in " + parent
          + " (" + e + "); set java.io.tmpdir to a writable directory", e);
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException e) {
          // a zero-byte file in the temporary directory
        }
      }
    }
  }

  /**
   * Why a directory must not be used as a private one, or null if it may: it must be a directory
   * (not a link), belong to this uid and have mode {@code 0700}.
   *
   * @param d the directory
   * @return the reason, or null
   * @throws IOException if it cannot be examined
   */
  public static String unsafe(Path d) throws IOException {
    if (Files.isSymbolicLink(d)) {
      return "is a symbolic link";
    }
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      return "is not a directory";
    }
    if (!unixAttributes(d)) {
      return null; // Windows: the user's temp directory is private
    }
    Map<String, Object> a = Files.readAttributes(d, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    long owner = ((Number) a.get("uid")).longValue();
    if (owner != uid()) {
      return "belongs to uid " + owner + ", not to this process's uid " + uid();
    }
    int mode = ((Number) a.get("mode")).intValue() & 07777;
    if (mode != 0700) {
      return "has mode " + Integer.toOctalString(mode) + ", not 700";
    }
    return null;
  }

  private static boolean unixAttributes(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("unix");
  }

  /** {@code java.io.tmpdir}, or the Mac layout's temporary directory. */
  private static Path tmpParent() {
    String mac = System.getenv(MAC_LAYOUT_ENV);
    return Paths.get(mac != null && !mac.isEmpty() ? mac : System.getProperty("java.io.tmpdir"));
  }

  /** {@code /dev/shm} where it exists and is writable (and the Mac layout is off); else null. */
  private static Path devShm() {
    String mac = System.getenv(MAC_LAYOUT_ENV);
    if (mac != null && !mac.isEmpty()) {
      return null;
    }
    Path devShm = Paths.get("/dev/shm");
    return Files.isDirectory(devShm) && Files.isWritable(devShm) ? devShm : null;
  }

  private static Path sharedParent() {
    Path devShm = devShm();
    return devShm != null ? devShm : tmpParent();
  }

  /** A parent whose paths are short: {@code /dev/shm}, else {@code /tmp}. */
  private static Path shortParent() {
    Path devShm = devShm();
    if (devShm != null) {
      return devShm;
    }
    Path tmp = Paths.get("/tmp");
    return Files.isDirectory(tmp) ? tmp : tmpParent();
  }

  /**
   * The user's directory under a parent: {@code <prefix><uid>} if safe, else a private directory
   * inherited from the parent JVM, else a new one with a unique name (one WARN per JVM).
   */
  private static Path userDir(Path parent, String prefix) {
    Path key = parent.resolve(prefix);
    Path known = USER_DIRS.get(key);
    if (known != null) {
      return known;
    }
    synchronized (RuntimeDir.class) {
      known = USER_DIRS.get(key);
      if (known != null) {
        return known;
      }
      Path d;
      try {
        d = chooseUserDir(parent, prefix);
      } catch (IOException e) {
        throw new MultiprocessingException("cannot create a private directory under " + parent + ": " + e
            + "; set java.io.tmpdir to a writable directory", e);
      }
      USER_DIRS.put(key, d);
      return d;
    }
  }

  private static Path chooseUserDir(Path parent, String prefix) throws IOException {
    if (!unixAttributes(parent)) {
      Path d = parent.resolve(prefix + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
      makePrivateDir(d);
      return d;
    }
    String name = prefix + uid();
    Path canonical = parent.resolve(name);
    String why;
    try {
      makePrivateDir(canonical);
      why = unsafe(canonical);
    } catch (IOException e) {
      why = "cannot be used (" + e.getMessage() + ")";
    }
    if (why == null) {
      return canonical;
    }
    String inherited = System.getenv(FALLBACK_ENV);
    if (inherited != null) {
      for (String s : inherited.split(File.pathSeparator)) {
        if (s.isEmpty()) {
          continue;
        }
        Path p = Paths.get(s);
        if (parent.equals(p.getParent()) && p.getFileName().toString().startsWith(name + "-") && unsafe(p) == null) {
          FALLBACKS.add(p);
          return p;
        }
      }
    }
    Path fresh = Files.createTempDirectory(parent, name + "-", PosixFilePermissions.asFileAttribute(ownerOnly()));
    Files.setPosixFilePermissions(fresh, ownerOnly()); // whatever the umask took away
    String freshWhy = unsafe(fresh);
    if (freshWhy != null) {
      throw new IOException(fresh + " " + freshWhy);
    }
    FALLBACKS.add(fresh);
    if (!warned) {
      warned = true;
      Log.get(RuntimeDir.class).warn("{} {} (another user may have made it): "
          + "using the private directory {} instead; this JVM does not warn again", canonical, why, fresh);
    }
    return fresh;
  }

  private static Path create(Path parent) {
    return create(parent, PREFIX);
  }

  private static Path create(Path parent, String prefix) {
    Path base = userDir(parent, prefix);
    try {
      removeStale(base);
      long pid = CurrentProcess.pid();
      for (int attempt = 0; ; attempt++) {
        Path d = base.resolve(pid + "-" + Long.toHexString(System.nanoTime()));
        try {
          Files.createDirectory(d, ownerOnly(d));
          return d;
        } catch (FileAlreadyExistsException e) {
          if (attempt > 10) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new MultiprocessingException("cannot create the private runtime directory under " + base
          + ": " + e + "; set java.io.tmpdir to a writable directory", e);
    }
  }

  /** Creates a directory of mode 0700 if it does not exist; whoever calls checks it with {@link #unsafe}. */
  private static void makePrivateDir(Path d) throws IOException {
    try {
      Files.createDirectory(d, ownerOnly(d));
      if (posix(d)) {
        Files.setPosixFilePermissions(d, ownerOnly()); // ours, just made: whatever the umask took away
      }
    } catch (FileAlreadyExistsException e) {
      // made before, by this user or another: checked by the caller
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path p) {
    return posix(p.getParent()) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(ownerOnly())}
        : new FileAttribute<?>[0];
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void removeStale(Path base) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base)) {
      for (Path entry : entries) {
        String n = entry.getFileName().toString();
        int dash = n.indexOf('-');
        if (dash <= 0) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(n.substring(0, dash));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        deleteTree(entry);
      }
    } catch (IOException e) {
      // Best effort: a stale directory costs a few bytes, not correctness.
    }
  }

  /** Deletes this JVM's directories, if they were created. Called once, at the very end of exit. */
  public static void delete() {
    Path d = dir;
    if (d != null) {
      deleteTree(d);
    }
    Path s = shmDir;
    if (s != null && s != d) {
      deleteTree(s);
    }
    Path k = socketDir;
    if (k != null && k != d && !k.toString().isEmpty()) {
      deleteTree(k);
    }
  }

  private static void delete(Path d) {
    deleteTree(d);
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

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      // Best effort. The walk throws UncheckedIOException when an entry vanishes under it: at exit,
      // pool readers may still be deleting the files of their workers' pipes.
    }
  }
}
