package io.github.multiprocessing4j.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.runtime.Log;
import java.util.Map;
import org.junit.platform.launcher.EngineFilter;
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
  }

  /** Runs the test of {@code uniqueId} with those configuration parameters, telling {@code listener}. */
  static void execute(String uniqueId, Map<String, String> parameters, TestExecutionListener listener) {
    Holder.LAUNCHER.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uniqueId))
        .configurationParameters(parameters).build(), listener);
  }

  /**
   * Runs {@link WarmUp}'s no-op test with the Jupiter engine alone and no auto-detected extension:
   * what a test's run loads and links, without running anything of the user's.
   */
  static void warmUp() {
    // As in a forked test's child, where the extension lets the test run as written.
    ForkedJvmExtension.runningForked(true);
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectUniqueId("[engine:junit-jupiter]/[class:" + WarmUp.class.getName() + "]/[method:noop()]"))
        .filters(EngineFilter.includeEngines("junit-jupiter"))
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
        .build();
    try {
      Holder.LAUNCHER.execute(request, new TestExecutionListener() { });
    } finally {
      ForkedJvmExtension.runningForked(false);
    }
  }

  /**
   * What a {@code forkserver} spare of a forked test initialises while it waits (its command line
   * names this class, see {@code SpareWarmUp}): the launcher's session, ten runs of a no-op test
   * through it, a failed outcome sent through a pipe (the pipe's transport and Java
   * serialization), and SLF4J, which a test's extensions or the library's own loggers start
   * otherwise in the test's time (its provider lookup scans the class path).
   */
  @ForkedJvm // its lookup, as a forked test's run does it
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
      } catch (RuntimeException | LinkageError e) {
        // a warm-up only: the test's run loads what it needs itself
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** A failed outcome through a pipe of this JVM's own: what the child's report takes. */
    private static void warmPipe() throws InterruptedException {
      Pipe pipe = Pipe.open(false);
      try (Connection in = pipe.conn1(); Connection out = pipe.conn2()) {
        out.send(new ForkedOutcome(ForkedOutcome.Status.FAILED, new AssertionError("warm-up"), null));
        in.recv();
      }
    }

    @org.junit.jupiter.api.Test
    void noop() {
      // nothing: its run is the warm-up
    }
  }
}
