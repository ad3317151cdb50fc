package io.github.multiprocessing4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import io.github.multiprocessing4j.internal.runtime.Log;

/**
 * Copies a child's stdout or stderr, line by line, to where its {@link ChildOutput} says. The
 * child writes UTF-8 into the pipe (it is told so in its bootstrap); lines are decoded whole, so a
 * multi-byte character is never split.
 */
final class OutputPump extends Thread {

  private static final Logger LOG = Log.get(OutputPump.class);

  private final ChildHandle child;
  private final ChildOutput sink;
  private final boolean stderr;
  private final boolean spareMark;

  /**
   * A pump of the child's stdout or stderr; it starts copying once the child is launched.
   *
   * @param spareMark the child is a spare, whose stdout starts with {@link Spares#READY_MARK}
   */
  OutputPump(ChildHandle child, ChildOutput sink, boolean stderr, String processName, boolean spareMark) {
    super(null, null, "mp4j-" + (stderr ? "stderr" : "stdout") + "-" + processName, 64 * 1024, false);
    setDaemon(true);
    this.child = child;
    this.sink = sink;
    this.stderr = stderr;
    this.spareMark = spareMark && !stderr;
  }

  @Override
  public void run() {
    java.lang.Process os = child.awaitLaunch();
    if (os == null) {
      return;
    }
    byte[] buf = new byte[8192];
    byte[] line = new byte[256];
    int len = 0;
    try (InputStream input = stderr ? os.getErrorStream() : os.getInputStream()) {
      int n = 0;
      if (spareMark) {
        int first = input.read(); // the spare's mark, written before anything of the process
        if (first >= 0 && first != Spares.READY_MARK) {
          buf[n++] = (byte) first;
        }
      }
      for (; n > 0 || (n = input.read(buf)) > 0; n = 0) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line = append(line, len, buf, start, i + 1 - start);
            len += i + 1 - start;
            emit(line, len);
            len = 0;
            start = i + 1;
          }
        }
        if (start < n) {
          line = append(line, len, buf, start, n - start);
          len += n - start;
        }
      }
    } catch (IOException e) {
      // The pipe closed under us: the child is gone; flush what we have.
    }
    if (len > 0) {
      emit(line, len);
    }
  }

  private static byte[] append(byte[] line, int len, byte[] src, int from, int count) {
    if (len + count > line.length) {
      byte[] bigger = new byte[Math.max(line.length * 2, len + count)];
      System.arraycopy(line, 0, bigger, 0, len);
      line = bigger;
    }
    System.arraycopy(src, from, line, len, count);
    return line;
  }

  private void emit(byte[] line, int len) {
    if (stderr) {
      child.stderrLine(line, len); // the JVM's own message, if it never started
    }
    try {
      switch (sink.kind()) {
        case PUMP: {
          PrintStream target = stderr ? System.err : System.out;
          target.print(new String(line, 0, len, StandardCharsets.UTF_8));
          target.flush();
          break;
        }
        case STREAM: {
          OutputStream target = sink.stream();
          synchronized (target) {
            target.write(line, 0, len);
            target.flush();
          }
          break;
        }
        case LINES: {
          int end = len;
          if (end > 0 && line[end - 1] == '\n') {
            end--;
            if (end > 0 && line[end - 1] == '\r') {
              end--;
            }
          }
          sink.lines().accept(new String(line, 0, end, StandardCharsets.UTF_8));
          break;
        }
        default:
          throw new AssertionError(sink.kind());
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("dropped a line of child output: {} failed: {}", sink, e.toString());
    }
  }
}
