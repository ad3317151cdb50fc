package io.github.multiprocessing4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a descendant process of the test JVM running. Registered for
 * every test class through {@code META-INF/services}. Descendants get a grace period to finish
 * exiting (a child that was just terminated may still be on its way out); survivors are killed,
 * so one leaky class does not poison the next, and reported with their command lines.
 */
public final class NoLeakedProcesses implements AfterAllCallback {

  private static final long GRACE_MILLIS = 10_000;

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // Spare JVMs of the forkserver start method are kept on purpose; ForkserverTest checks that
    // they end with their parent.
    io.github.multiprocessing4j.Multiprocessing.discardSpares();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    List<ProcessHandle> alive = liveDescendants();
    for (ProcessHandle p : alive) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // reported below
        }
      }
    }
    List<ProcessHandle> leaked = liveDescendants();
    if (!leaked.isEmpty()) {
      String report = leaked.stream()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
          .collect(Collectors.joining("\n  "));
      leaked.forEach(ProcessHandle::destroyForcibly);
      throw new AssertionError(context.getDisplayName() + " leaked " + leaked.size()
          + " process(es), now killed:\n  " + report);
    }
  }

  /** The live descendants of this JVM, zombies excluded. */
  public static List<ProcessHandle> liveDescendants() {
    return ProcessHandle.current().descendants().filter(NoLeakedProcesses::reallyAlive)
        .collect(Collectors.toList());
  }

  /**
   * Tells whether a process is alive and not a zombie: where PID 1 does not reap orphans,
   * {@link ProcessHandle#isAlive()} keeps answering true for an exited process.
   *
   * @param p the process
   * @return whether it still runs
   */
  public static boolean reallyAlive(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    if (!Files.exists(stat)) {
      return p.isAlive();
    }
    try {
      String s = Files.readString(stat);
      int close = s.lastIndexOf(')');
      return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false; // vanished meanwhile
    }
  }
}
