package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.ChildOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Collects the lines a child writes to one of its streams, for assertions in the parent. A child
 * reports what it sees as {@code key=value} lines; tests wait for a line with
 * {@link #await(String, Duration)} instead of sleeping, e.g. to know a child is running before
 * signalling it.
 */
public final class CapturedLines implements Consumer<String> {

  private final List<String> lines = new ArrayList<>(); // guarded by itself

  @Override
  public void accept(String line) {
    synchronized (lines) {
      lines.add(line);
      lines.notifyAll();
    }
  }

  /** The redirect that feeds this collector. */
  public ChildOutput output() {
    return ChildOutput.toLines(this);
  }

  /** A snapshot of the lines so far. */
  public List<String> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  /** The lines so far joined with newlines, for failure messages and multi-line assertions. */
  public String text() {
    return String.join("\n", lines());
  }

  /**
   * Waits for the first line starting with {@code prefix}.
   *
   * @param prefix the start of the line
   * @param timeout the longest wait
   * @return the line
   * @throws AssertionError if no such line arrives in time
   */
  public String await(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) {
          if (l.startsWith(prefix)) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no line starting with '" + prefix + "' within " + timeout + "; lines: " + lines);
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /**
   * Returns the value of the first {@code key=value} line already received.
   *
   * @param key the key
   * @return the value
   * @throws AssertionError if there is no such line
   */
  public String value(String key) {
    String prefix = key + "=";
    for (String l : lines()) {
      if (l.startsWith(prefix)) {
        return l.substring(prefix.length());
      }
    }
    throw new AssertionError("child reported no '" + key + "'; lines: " + lines());
  }
}
