package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * File gates between a test and pool tasks: a gated task reports its worker's pid in
 * {@code <name>.pid} and then waits until the test creates {@code <name>.go}. Tasks capture the
 * directory as a String, which is serializable.
 */
final class Gates {

  private Gates() {}

  /** In a worker: reports the pid and waits for the gate; returns the pid. */
  static long pass(String dir, String name) throws IOException {
    long pid = Multiprocessing.getpid();
    Path tmp = Paths.get(dir, name + ".pid.tmp");
    Files.writeString(tmp, Long.toString(pid), StandardCharsets.UTF_8);
    Files.move(tmp, Paths.get(dir, name + ".pid"), StandardCopyOption.ATOMIC_MOVE);
    Path go = Paths.get(dir, name + ".go");
    long deadline = System.nanoTime() + Waits.LONG.toNanos();
    while (!Files.exists(go)) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("gate " + go + " never opened");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return pid;
  }

  /** In the test: waits until the task behind gate {@code name} runs; returns its worker's pid. */
  static long awaitRunning(Path dir, String name) {
    Path pid = dir.resolve(name + ".pid");
    Waits.until(() -> Files.exists(pid), "the task behind gate " + name + " started");
    try {
      return Long.parseLong(Files.readString(pid, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** In the test: tells whether the task behind gate {@code name} has started. */
  static boolean started(Path dir, String name) {
    return Files.exists(dir.resolve(name + ".pid"));
  }

  /** In the test: opens gate {@code name}. */
  static void open(Path dir, String name) {
    try {
      Files.writeString(dir.resolve(name + ".go"), "go", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
