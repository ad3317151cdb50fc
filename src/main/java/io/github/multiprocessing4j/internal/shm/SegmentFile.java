package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Segment} does to one segment file, apart from its record of the segments this JVM
 * uses: the owner-only permissions files are created with, a file's identity (device and inode: a
 * file created later under the same name is another segment), and deleting a file nobody uses.
 * Stateless.
 */
final class SegmentFile {

  /** Created files' permissions: owner only, where the file system has POSIX permissions. */
  static final FileAttribute<?>[] OWNER_ONLY = posixOwnerOnly();

  private SegmentFile() {}

  private static FileAttribute<?>[] posixOwnerOnly() {
    try {
      if (RuntimeDir.segments().getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
      }
    } catch (RuntimeException e) {
      // no segment directory: create() fails on its own
    }
    return new FileAttribute<?>[0];
  }

  /** Whether the file of that name is still the one of that identity. */
  static boolean isFile(Path file, Object key) {
    try {
      return Objects.equals(key, Files.readAttributes(file, BasicFileAttributes.class).fileKey());
    } catch (IOException e) {
      return false; // deleted meanwhile
    }
  }

  /** The identity of the file of that name, or null if there is none. */
  static Object keyOf(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Deletes a segment file if no process holds its lock. The caller must not use it (a JVM must
   * never open a file it uses a second time: see {@link Segment}).
   *
   * @param key the identity of the file to delete, or null for whatever file has the name now
   * @return whether this call deleted it
   */
  static boolean deleteIfUnused(Path file, Object key) {
    Object now = keyOf(file);
    if (now == null || (key != null && !key.equals(now))) {
      return false; // gone, or another file has the name now
    }
    key = now;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = ch.tryLock(0, 1, false);
      } catch (OverlappingFileLockException e) {
        return false; // used in this JVM after all
      }
      if (lock != null && Objects.equals(key, keyOf(file))) {
        return Files.deleteIfExists(file); // nobody maps it: a process attaching now finds it gone
      }
    } catch (IOException e) {
      // deleted meanwhile, or not ours to delete: best effort
    }
    return false;
  }

  static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // best effort
    }
  }
}
