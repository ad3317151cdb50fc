package io.github.multiprocessing4j.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.codec.JavaSerialization;
import io.github.multiprocessing4j.internal.runtime.Log;
import java.io.IOException;
import java.util.Map;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The JUnit Platform launcher of a forked test's child JVM, made once per JVM. Listeners, session
 * listeners and post-discovery filters found on the class path are not registered: the parent's
 * launcher reports the test, and a listener that writes a report would write it twice; the test's
 * engine and its own extensions do run.
 */
final class ForkedLauncher {

  private ForkedLauncher() {}

  /**
   * One session for the JVM, never closed (the JVM ends after its test): a launcher made per
   * request, as {@code LauncherFactory.create()} gives, looks up the test engines on the class
   * path again at every run, which a spare did in its warm-up.
   */
  private static final class Holder {
    static final LauncherSession SESSION = LauncherFactory.openSession(LauncherConfig.builder()
        .enableTestExecutionListenerAutoRegistration(false)
        .enableLauncherSessionListenerAutoRegistration(false)
        .enableLauncherDiscoveryListenerAutoRegistration(false)
        .enablePostDiscoveryFilterAutoRegistration(false)
        .build());
    static final Launcher LAUNCHER = SESSION.getLauncher();
    /**
     * This JVM's implicit configuration parameters, {@code junit-platform.properties} read once
     * and system properties read at each lookup, as every request would read them: a request
     * built with them looks the file up again on the class path (every jar searched), a spare
     * did that in its warm-up.
     */
    static final ConfigurationParameters IMPLICIT =
        LauncherDiscoveryRequestBuilder.request().build().getConfigurationParameters();
  }

  /** The unique id of {@link NoopTest}'s test. */
  private static final String WARM_UP_TEST =
      "[engine:junit-jupiter]/[class:" + NoopTest.class.getName() + "]/[method:noop()]";

  /** Runs the test of {@code uniqueId} with those configuration parameters, telling {@code listener}. */
  static void execute(String uniqueId, Map<String, String> parameters, TestExecutionListener listener) {
    LauncherDiscoveryRequest r = LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uniqueId))
        .configurationParameters(parameters)
        .parentConfigurationParameters(Holder.IMPLICIT)
        .enableImplicitConfigurationParameters(false)
        .build();
    Holder.LAUNCHER.execute(r, listener);
  }

  /**
   * Runs {@link NoopTest}'s test as a forked test runs, with no auto-detected extension: what a
   * test's run loads and links, without running anything of the user's.
   */
  static void warmUp() {
    // As in a forked test's child, where the extension lets the test run as written; restored
    // after, not cleared: in a forked test's child, a test that warms up must not fork again.
    boolean forked = ForkedJvmExtension.isRunningForked();
    ForkedJvmExtension.runningForked(true);
    try {
      execute(WARM_UP_TEST, Map.of("junit.jupiter.extensions.autodetection.enabled", "false"),
          new TestExecutionListener() { });
    } finally {
      ForkedJvmExtension.runningForked(forked);
    }
  }

  /**
   * What a {@code forkserver} spare of a forked test initialises while it waits (its command line
   * names this class, see {@code SpareWarmUp}): the launcher's session, ten runs of a no-op test
   * through it, a failed outcome sent through a pipe (the pipe's transport and Java
   * serialization), and SLF4J, which a test's extensions or the library's own loggers start
   * otherwise in the test's time (its provider lookup scans the class path).
   */
  static final class WarmUp {
    private static final int WARM_UP_RUNS = 10;

    static {
      try {
        // Run again and again, the launcher's paths are compiled: a forked test's first run on a
        // spare then took 10 ms of CPU instead of 15 (ForkedTestBench, A/B under load 9-13).
        for (int i = 0; i < WARM_UP_RUNS; i++) {
          warmUp();
        }
        warmPipe();
        Log.unbound(); // binds SLF4J's provider, or finds there is none
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | LinkageError e) {
        // a warm-up only: the test's run loads what it needs itself
      }
    }

    /**
     * A pipe end and a {@link ForkedRun} through Java serialization and back, as the test's
     * arguments arrive (the reference type of pipe ends, its package's resolver, each class's
     * stream descriptor and generated constructor: 7 ms of a forked test's start on a warm spare
     * before); then a failed outcome through that pipe, what the child's report takes.
     */
    static void warmPipe() throws IOException, InterruptedException {
      Pipe pipe = Pipe.open(false);
      try (Connection in = pipe.conn1(); Connection out = pipe.conn2()) {
        // Resolves to `out` itself: the end this JVM already has.
        JavaSerialization.deserialize(JavaSerialization.serialize(
            new Object[] {out, new ForkedRun(WARM_UP_TEST, Map.of())}, "warm-up"), "warm-up");
        out.send(new ForkedOutcome(ForkedOutcome.Status.FAILED, new AssertionError("warm-up"), null));
        in.recv();
      }
    }

  }

  /**
   * The test the warm-up runs. Nothing happens when it is loaded or made: JUnit makes an instance
   * for each run, and an initialiser that warmed up would run inside the warm-up.
   */
  @ForkedJvm // its lookup, as a forked test's run does it
  static final class NoopTest {
    @org.junit.jupiter.api.Test
    void noop() {
      // nothing: its run is the warm-up
    }
  }
}
