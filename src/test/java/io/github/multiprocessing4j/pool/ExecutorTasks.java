package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the executor tests run in worker processes, and the files through which a task and the
 * test talk: a task announces that it started by creating a file (holding its pid), and waits
 * until the test creates the gate file. Everything here is static, so the task lambdas capture
 * only strings and numbers.
 */
final class ExecutorTasks {

  /** How long a gated task waits for its gate before giving up, so a failed test leaves no stuck worker. */
  static final Duration GATE_LIMIT = Duration.ofSeconds(40);

  private ExecutorTasks() {}

  /** A test exception that only this test class path knows. */
  static final class CustomTaskException extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    CustomTaskException(String message, int code) {
      super(message);
      this.code = code;
    }
  }

  /** An exception class the parent refuses through its serial filter in one test. */
  static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  /** Not serializable: captured by a lambda, it makes the lambda unserializable. */
  static final class NotSerializableThing {
    @Override
    public String toString() {
      return "a thing";
    }
  }

  /** A serializable result wrapping what is not: its serialization fails in the worker. */
  static final class Unsendable implements Serializable {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings({"unused", "serial"})
    private final Object payload = new NotSerializableThing();

    @Override
    public String toString() {
      return "Unsendable!";
    }
  }

  static Path started(String dir, String name) {
    return Path.of(dir, "started-" + name);
  }

  static Path ran(String dir, String name) {
    return Path.of(dir, "ran-" + name);
  }

  static Path gate(String dir) {
    return Path.of(dir, "gate");
  }

  /** Test side: opens the gate of a directory. */
  static void open(Path dir) {
    write(dir.resolve("gate"), "open");
  }

  /**
   * Test side: opens the gate and waits until the named tasks have passed it. A test on a shared
   * executor must not end with a task still waiting: its {@code @TempDir}, gate included, is
   * deleted after the test, and the task would then wait for a gate that is gone.
   */
  static void release(Path dir, String... names) {
    open(dir);
    for (String name : names) {
      Path p = ran(dir.toString(), name);
      Waits.until(() -> Files.exists(p), "task " + name + " passed the gate");
    }
  }

  /** Test side: waits until the task {@code name} has started, and returns its pid. */
  static long awaitStarted(Path dir, String name) throws IOException {
    Path p = started(dir.toString(), name);
    Waits.until(() -> Files.exists(p), "task " + name + " started");
    return Long.parseLong(Files.readString(p, StandardCharsets.UTF_8).trim());
  }

  /** Worker side: says it started, waits for the gate, says it ran, returns {@code value}. */
  static int gated(String dir, String name, int value) {
    write(started(dir, name), Long.toString(Multiprocessing.getpid()));
    awaitGate(dir);
    write(ran(dir, name), Long.toString(Multiprocessing.getpid()));
    return value;
  }

  /** Worker side: returns {@code x * x} once the gate is open. */
  static int gatedSquare(String dir, int x) {
    awaitGate(dir);
    mark(dir, "square-" + x);
    return x * x;
  }

  /** Worker side: waits for the gate, then returns its pid. */
  static long gatedPid(String dir, String name) {
    gated(dir, name, 0);
    return Multiprocessing.getpid();
  }

  static void awaitGate(String dir) {
    Path gate = gate(dir);
    long deadline = System.nanoTime() + GATE_LIMIT.toNanos();
    while (!Files.exists(gate)) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the gate " + gate + " never opened");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Worker side: records that the task ran. */
  static void mark(String dir, String name) {
    write(ran(dir, name), Long.toString(Multiprocessing.getpid()));
  }

  static long pid() {
    return Multiprocessing.getpid();
  }

  static int failWithIllegalState(String message) {
    throw new IllegalStateException(message);
  }

  static int failWithCustom(int code) throws CustomTaskException {
    throw new CustomTaskException("custom failure " + code, code);
  }

  static int failWithRefused() {
    throw new RefusedException("refused by the parent's filter");
  }

  /** Appends a line to a file, for counting how often something ran (initializers). */
  static void appendLine(String file, String line) {
    try {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a file atomically, so a reader never sees it half written. */
  static void write(Path file, String content) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + "." + Multiprocessing.getpid() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
