package io.github.multiprocessing4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Helpers for tests of what the garbage collector reclaims: collect until a condition holds (with
 * a deadline), and count this JVM's open file descriptors ({@code /proc/self/fd}, Linux).
 */
public final class Reclaim {

  private Reclaim() {}

  /**
   * Asks for collections until a condition holds: cleaners run on their own thread after a
   * collection, so this polls (every 10 ms) rather than expecting it after one.
   *
   * @param what what is awaited, for the failure message
   * @param condition the condition
   * @param timeout the longest wait
   * @throws AssertionError if it does not hold in time
   */
  public static void gcUntil(String what, BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + " of collections: " + what);
      }
      System.gc();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /**
   * Whether {@code /proc/self/fd} exists, so that descriptors can be counted.
   *
   * @return whether descriptors can be counted
   */
  public static boolean canCountFds() {
    return Files.isDirectory(Paths.get("/proc/self/fd"));
  }

  /**
   * The number of file descriptors this JVM has open.
   *
   * @return the count
   */
  public static int openFds() {
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
      for (Path ignored : fds) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /**
   * The number of this JVM's file descriptors open on a file: on its inode, whatever name it was
   * opened by (a segment is opened by a temporary name, then linked to its own).
   *
   * @param file the file
   * @return the count; 0 if the file does not exist
   */
  public static int fdsOf(Path file) {
    Object key;
    try {
      key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return 0;
    }
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          if (key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) {
            n++;
          }
        } catch (IOException e) {
          // closed meanwhile (the stream's own descriptor)
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
