package io.github.multiprocessing4j.junit;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.Log;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The forked JVMs of a test class that have reported their test and are on their way out. A
 * forked test is reported as soon as its outcome and all its output have arrived, so the child's
 * JVM exit (10 to 30 ms) overlaps the next test instead of adding to this one; the class's end
 * then waits for every one of them, and kills one that has not exited after {@code drain} (a test
 * that left a non-daemon thread running), so no child outlives its class.
 *
 * <p>Kept in the class's {@link ExtensionContext.Store}, which closes it when the class ends (a
 * second close finds nothing to wait for). Thread-safe: tests of a class may run in parallel.
 */
@SuppressWarnings("deprecation") // CloseableResource for JUnit before 5.13; AutoCloseable after
final class ChildExits implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChildExits.class);

  private final Duration drain;
  private final List<Process> exiting = new ArrayList<>();

  private ChildExits(Duration drain) {
    this.drain = drain;
  }

  /** The exits of the class (or nested class) that {@code context} belongs to. */
  static ChildExits of(ExtensionContext context, Duration drain) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c.getStore(NAMESPACE).getOrComputeIfAbsent(ChildExits.class, k -> new ChildExits(drain),
        ChildExits.class);
  }

  /** Takes {@code p}, which has reported its test; forgets the children that have exited meanwhile. */
  synchronized void add(Process p) {
    exiting.removeIf(q -> !q.isAlive());
    exiting.add(p);
  }

  /**
   * Waits for every child taken; kills one still running {@code drain} after this began. An
   * interrupt kills the children not yet waited for and is kept for the caller.
   */
  @Override
  public void close() {
    List<Process> all;
    synchronized (this) {
      all = new ArrayList<>(exiting);
      exiting.clear();
    }
    long deadline = System.nanoTime() + drain.toNanos();
    boolean interrupted = false;
    for (Process p : all) {
      try {
        if (!interrupted) {
          p.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (p.isAlive()) {
        p.kill();
        if (!interrupted) {
          Log.get(ChildExits.class).warn("{} (pid {}) had not exited {} s after reporting its test, and was killed:"
              + " a non-daemon thread of the test still running keeps a JVM alive", p.name(), p.pid(),
              drain.toSeconds());
          try {
            p.join(drain); // a SIGKILL'ed JVM is gone in milliseconds; the bound is for a stuck kernel
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
