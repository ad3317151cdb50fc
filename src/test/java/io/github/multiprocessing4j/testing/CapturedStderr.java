package io.github.multiprocessing4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures this JVM's {@link System#err} until closed, for tests that make the library log an
 * ERROR on purpose: the test asserts on it, and the build's output keeps no stack trace that
 * looks like a failure. (slf4j-simple, the tests' provider, writes to the current
 * {@code System.err} at every event.)
 */
public final class CapturedStderr implements AutoCloseable {

  private final PrintStream saved = System.err;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private CapturedStderr() {
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
  }

  /**
   * Starts capturing.
   *
   * @return the capture; close it to restore {@code System.err}
   */
  public static CapturedStderr start() {
    return new CapturedStderr();
  }

  /** What was written so far. */
  public String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Restores the {@code System.err} of before. */
  @Override
  public void close() {
    System.err.flush();
    System.setErr(saved);
  }
}
