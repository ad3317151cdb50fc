package io.github.multiprocessing4j.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.junit.ForkedJvm;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A {@link ForkedJvm} test's overhead: the time from JUnit starting a trivial test to its result,
 * forked with {@code spawn}, with {@code forkserver} (a warm spare waiting before each test), and
 * not forked. Not a test: run it with
 * {@code mvn -q test-compile exec:exec@bench -Dbench.mainClass=io.github.multiprocessing4j.bench.ForkedTestBench -Dbench.args=}
 * or {@code java -cp <test class path> io.github.multiprocessing4j.bench.ForkedTestBench [trials]}.
 * Metrics {@code java.junit.forked_spawn}, {@code java.junit.forked_forkserver},
 * {@code java.junit.in_jvm}, each from a test's start to its finish as the launcher reports them;
 * {@code java.junit.forked_forkserver.whole_class}, the launcher's whole run of the forkserver
 * case's class (its end waits for the child's exit).
 */
public final class ForkedTestBench {

  private ForkedTestBench() {}

  /**
   * Runs the bench.
   *
   * @param args the number of trials per metric (default 15)
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    Launcher launcher = LauncherFactory.create();
    run(launcher, InJvm.class); // warms this JVM's JUnit and the library's parent side
    run(launcher, Spawn.class);
    double[] inJvm = new double[trials];
    double[] spawn = new double[trials];
    double[] forkserver = new double[trials];
    double[] forkserverClass = new double[trials];
    double[] plain = new double[trials];
    for (int i = 0; i < trials; i++) {
      inJvm[i] = run(launcher, InJvm.class);
      spawn[i] = run(launcher, Spawn.class);
      Multiprocessing.awaitSpares(Duration.ofSeconds(60)); // none on the first round: one is asked for
      run(launcher, Forkserver.class);
      Multiprocessing.awaitSpares(Duration.ofSeconds(60));
      long t0 = System.nanoTime();
      forkserver[i] = run(launcher, Forkserver.class);
      forkserverClass[i] = System.nanoTime() - t0;
      Multiprocessing.awaitSpares(Duration.ofSeconds(60));
      plain[i] = plainWarmStart();
    }
    Metrics.emit("java.junit.in_jvm", inJvm, "ms", 1e-6, "a trivial test, not forked");
    Metrics.emit("java.junit.forked_spawn", spawn, "ms", 1e-6, "@ForkedJvm(startMethod=spawn)");
    Metrics.emit("java.junit.forked_forkserver", forkserver, "ms", 1e-6, "@ForkedJvm(startMethod=forkserver), warm spare");
    Metrics.emit("java.junit.forked_forkserver.whole_class", forkserverClass, "ms", 1e-6,
        "the launcher's run of that class: discovery, the test, the class's end waiting for the child's exit");
    Metrics.emit("java.warm.start_join", plain, "ms", 1e-6, "a no-op Process with forkserver, warm spare, beside them");
    System.exit(0);
  }

  /** A no-op process on a warm spare, start to join: the floor under a forked test. */
  private static double plainWarmStart() throws Exception {
    io.github.multiprocessing4j.Process p = io.github.multiprocessing4j.Process.builder().startMethod("forkserver")
        .target(NoopTarget.class).build();
    p.start();
    p.join();
    Multiprocessing.awaitSpares(Duration.ofSeconds(60));
    long t0 = System.nanoTime();
    io.github.multiprocessing4j.Process q = io.github.multiprocessing4j.Process.builder().startMethod("forkserver")
        .target(NoopTarget.class).build();
    q.start();
    q.join();
    return System.nanoTime() - t0;
  }

  /** Runs the class's one test; returns nanoseconds from its start to its finish. */
  private static double run(Launcher launcher, Class<?> test) {
    Map<String, Long> started = new ConcurrentHashMap<>();
    long[] took = {-1};
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(test))
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false").build(),
        new TestExecutionListener() {
          @Override
          public void executionStarted(TestIdentifier id) {
            started.put(id.getUniqueId(), System.nanoTime());
          }

          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                throw new AssertionError(test + ": " + result);
              }
              took[0] = System.nanoTime() - started.get(id.getUniqueId());
            }
          }
        });
    return took[0];
  }

  /** Not forked. */
  public static class InJvm {
    /** Does nothing. */
    @Test
    public void noop() {}
  }

  /** Forked with spawn. */
  @ForkedJvm(startMethod = "spawn")
  public static class Spawn {
    /** Does nothing. */
    @Test
    public void noop() {}
  }

  /** Forked with forkserver. */
  @ForkedJvm(startMethod = "forkserver")
  public static class Forkserver {
    /** Does nothing. */
    @Test
    public void noop() {}
  }
}
