package io.github.multiprocessing4j.junit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The line a forked test's child writes at the end of its standard output and standard error once
 * the test has run, before it sends the outcome. The parent, which reads both streams line by
 * line, knows from it that it has every line the test wrote and can report the test without
 * waiting for the child's JVM to exit; what the child writes after it (a shutdown hook's line) is
 * still copied to the parent's streams, but not into the test's report.
 */
final class EndOfOutput {

  /** Not a line a test writes by chance: NUL characters around the library's name. */
  static final String MARKER = "\u0000multiprocessing4j:forked-test-output-ends\u0000";

  private EndOfOutput() {}

  /**
   * Writes the marker to this JVM's standard output and standard error, after what the test left
   * in {@link System#out} and {@link System#err}. Written to the file descriptors themselves, so a
   * test that replaced {@code System.out} does not swallow it.
   */
  static void mark() {
    System.out.flush();
    System.err.flush();
    byte[] line = (MARKER + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
    write(FileDescriptor.out, line);
    write(FileDescriptor.err, line);
  }

  private static void write(FileDescriptor fd, byte[] line) {
    // Not closed: closing would close the JVM's own descriptor.
    @SuppressWarnings("resource")
    FileOutputStream stream = new FileOutputStream(fd);
    try {
      stream.write(line);
    } catch (IOException e) {
      // The stream is gone: the parent waits for the child's exit instead.
    }
  }

  /**
   * What of {@code line} the test wrote, if the line ends with the marker (a test's last line that
   * had no line separator shares the marker's line); {@code null} if it does not.
   */
  static String before(String line) {
    return line.endsWith(MARKER) ? line.substring(0, line.length() - MARKER.length()) : null;
  }
}
