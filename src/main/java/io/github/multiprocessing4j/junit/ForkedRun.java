package io.github.multiprocessing4j.junit;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.connection.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * What a forked test's child runs: the JUnit Platform launcher, selecting the one test by its
 * unique id, with {@link ForkedJvmExtension} letting it run as written; then it sends the
 * {@link ForkedOutcome} to the parent over the connection of its first argument.
 */
final class ForkedRun implements Target {

  private static final long serialVersionUID = 1L;

  private final String uniqueId;
  private final HashMap<String, String> parameters;

  /**
   * The run of the test of {@code uniqueId}, with the parent launcher's configuration parameters
   * that {@link LauncherParameters} forwards.
   */
  ForkedRun(String uniqueId, Map<String, String> parameters) {
    this.uniqueId = uniqueId;
    this.parameters = new HashMap<>(parameters);
  }

  @Override
  public void run(Args args) throws Exception {
    Connection results = args.get(0, Connection.class);
    watchMeanwhile(results);
    ForkedJvmExtension.runningForked(true);
    ForkedOutcome o = execute(uniqueId, parameters).portable();
    EndOfOutput.mark();
    results.send(o);
    results.close();
  }

  /**
   * On a thread of its own while the test runs: attaches this JVM's end of the pipe (its socket's
   * connect and handshake with the parent), so that the outcome's send does not wait for it (a
   * failure is left for that send to report); then halts this JVM if the test JVM that started it
   * goes (killed by its build tool's timeout, stopped in an IDE), since as a process that is not
   * daemonic it would run its test to the end, and a test that hangs would never end. Its own
   * children are left as any process leaves them.
   */
  private static void watchMeanwhile(Connection results) {
    Thread t = new Thread(() -> {
      try {
        results.poll();
      } catch (RuntimeException e) {
        // the send reports it
      }
      Optional<io.github.multiprocessing4j.Process> parent = Multiprocessing.parentProcess();
      if (parent.isPresent()) {
        try {
          parent.get().join();
        } catch (InterruptedException e) {
          return;
        }
        System.err.println("multiprocessing4j: the test JVM that forked this one (pid " + parent.get().pid()
            + ") is gone: halting");
        Runtime.getRuntime().halt(1);
      }
    }, "mp4j-forked-test-watch");
    t.setDaemon(true);
    t.start();
  }

  /** Runs the test of {@code uniqueId} in this JVM and tells how it ended. */
  static ForkedOutcome execute(String uniqueId) {
    return execute(uniqueId, Map.of());
  }

  /** Runs the test of {@code uniqueId} in this JVM with those configuration parameters. */
  static ForkedOutcome execute(String uniqueId, Map<String, String> parameters) {
    Outcomes listener = new Outcomes();
    ForkedLauncher.execute(uniqueId, parameters, listener);
    return listener.outcomeOf(UniqueId.parse(uniqueId));
  }

  /** Every result of the run, by unique id, and the reasons of skipped nodes. */
  private static final class Outcomes implements TestExecutionListener {
    private final Map<UniqueId, TestExecutionResult> finished = new HashMap<>();
    private final Map<UniqueId, String> skipped = new HashMap<>();

    @Override
    public synchronized void executionSkipped(TestIdentifier id, String reason) {
      skipped.put(id.getUniqueIdObject(), reason);
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
      finished.put(id.getUniqueIdObject(), result);
    }

    /**
     * The test's own result if it did not pass; else what failed around it: the nearest enclosing
     * container that was skipped, failed or aborted (a {@code @BeforeAll} or {@code @AfterAll}
     * that threw, say), since in this JVM the test is the only one its containers ran for.
     */
    synchronized ForkedOutcome outcomeOf(UniqueId test) {
      TestExecutionResult own = finished.get(test);
      if (own != null && own.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
        return of(own);
      }
      for (Optional<UniqueId> at = Optional.of(test); at.isPresent(); at = parentOf(at.get())) {
        UniqueId id = at.get();
        if (skipped.containsKey(id)) {
          return new ForkedOutcome(ForkedOutcome.Status.SKIPPED, null, skipped.get(id));
        }
        TestExecutionResult r = finished.get(id);
        if (r != null && r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
          return of(r);
        }
      }
      return own != null ? of(own) : new ForkedOutcome(ForkedOutcome.Status.NOT_FOUND, null, null);
    }

    private static Optional<UniqueId> parentOf(UniqueId id) {
      return id.getSegments().size() <= 1 ? Optional.empty() : Optional.of(id.removeLastSegment());
    }

    private static ForkedOutcome of(TestExecutionResult r) {
      Throwable t = r.getThrowable().orElse(null);
      switch (r.getStatus()) {
        case SUCCESSFUL:
          return new ForkedOutcome(ForkedOutcome.Status.SUCCESSFUL, null, null);
        case ABORTED:
          return new ForkedOutcome(ForkedOutcome.Status.ABORTED, t, null);
        default:
          return new ForkedOutcome(ForkedOutcome.Status.FAILED, t, null);
      }
    }
  }
}
