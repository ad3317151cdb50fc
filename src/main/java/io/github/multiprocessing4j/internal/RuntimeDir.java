package io.github.multiprocessing4j.internal;

import io.github.multiprocessing4j.MultiprocessingException;
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
import java.util.Set;
import java.util.stream.Stream;

/**
 * This JVM's private directory for files it shares with its children (argument files, status
 * files): {@code ${java.io.tmpdir}/multiprocessing4j-${user.name}/<pid>-<nonce>}, every level mode
 * {@code 0700} on POSIX file systems and checked to belong to this user, so no other user can read
 * or plant anything there. On Windows the user's own temp directory already is private.
 *
 * <p>Created on first use; deleted by {@link #delete()} at exit. Directories of JVMs that died
 * without deleting theirs (SIGKILL) are removed the next time any JVM of the same user creates one.
 */
public final class RuntimeDir {

  /** Not a static field: RuntimeDir.delete() runs in every child's exit hook, where loading NIO costs. */
  private static Set<PosixFilePermission> ownerOnly() {
    return PosixFilePermissions.fromString("rwx------");
  }
  private static volatile Path dir;
  private static volatile Path shmDir;
  private static volatile Path segmentsDir;
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
          d = create(Paths.get(System.getProperty("java.io.tmpdir")));
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
          Path devShm = Paths.get("/dev/shm");
          d = Files.isDirectory(devShm) && Files.isWritable(devShm) ? create(devShm) : get();
          shmDir = d;
        }
      }
    }
    return d;
  }

  /**
   * Returns the user's directory of shared-memory segments ({@link Segment}):
   * {@code /dev/shm/multiprocessing4j-${user.name}/segments} where {@code /dev/shm} exists, else
   * under {@code java.io.tmpdir}; mode {@code 0700} at every level, checked to belong to this user.
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
          Path devShm = Paths.get("/dev/shm");
          Path parent = Files.isDirectory(devShm) && Files.isWritable(devShm) ? devShm
              : Paths.get(System.getProperty("java.io.tmpdir"));
          Path base = parent.resolve("multiprocessing4j-" + userDirName());
          d = base.resolve("segments");
          try {
            makePrivateDir(base);
            makePrivateDir(d);
          } catch (IOException e) {
            throw new MultiprocessingException("cannot create the private shared-memory directory " + d
                + ": " + e, e);
          }
          segmentsDir = d;
        }
      }
    }
    return d;
  }

  private static String userDirName() {
    return System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static Path create(Path parent) {
    Path base = parent.resolve("multiprocessing4j-" + userDirName());
    try {
      makePrivateDir(base);
      removeStale(base);
      long pid = ProcessHandle.current().pid();
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

  private static void makePrivateDir(Path base) throws IOException {
    try {
      Files.createDirectory(base, ownerOnly(base));
    } catch (FileAlreadyExistsException e) {
      // Someone else may have created it first: check that it is ours and private.
    }
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(base + " exists and is not a directory");
    }
    if (posix(base)) {
      String owner = Files.getOwner(base, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (me != null && !owner.equals(me)) {
        throw new IOException(base + " belongs to " + owner + ", not to " + me);
      }
      if (!Files.getPosixFilePermissions(base, LinkOption.NOFOLLOW_LINKS).equals(ownerOnly())) {
        Files.setPosixFilePermissions(base, ownerOnly());
      }
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

  /** Deletes this JVM's directory, if it was created. Called once, at the very end of exit. */
  public static void delete() {
    Path d = dir;
    if (d != null) {
      deleteTree(d);
    }
    Path s = shmDir;
    if (s != null && s != d) {
      deleteTree(s);
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
