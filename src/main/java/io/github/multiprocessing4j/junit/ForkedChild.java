package io.github.multiprocessing4j.junit;

import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.PeerClosedException;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One forked test's child: its launch, its output, its outcome. The test is reported once its
 * outcome and both output streams' {@link EndOfOutput} line have arrived; the child's exit is left
 * to {@link ChildExits}, which the class's end waits for. A child that ends without an outcome,
 * or whose output does not end, is waited for here.
 */
final class ForkedChild {

  /** After the child ended (or sent its outcome), how long its output may take to reach the parent. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** The most lines of the child's standard error a crash report quotes. */
  private static final int CRASH_LINES = 20;

  private final ExtensionContext context;
  private final ForkedJvm settings;
  private final List<String> out = new ArrayList<>();
  private final List<String> err = new ArrayList<>();
  private final CountDownLatch outEnds = new CountDownLatch(1);
  private final CountDownLatch errEnds = new CountDownLatch(1);

  ForkedChild(ExtensionContext context, ForkedJvm settings) {
    this.context = context;
    this.settings = settings;
  }

  ForkedOutcome run() throws Throwable {
    Pipe pipe = Pipe.open(true); // duplex: the child's end can attach before it sends (ForkedRun)
    Process p = builder().args(pipe.conn2()).build();
    boolean exiting = false;
    try (Connection results = pipe.conn1()) {
      p.start();
      pipe.conn2().close(); // this JVM's copy: the child has its own, and its end ends the stream
      Duration timeout = settings.timeoutSeconds() > 0 ? Duration.ofSeconds(settings.timeoutSeconds())
          : Duration.ofDays(365);
      if (!results.poll(timeout)) {
        p.kill();
        p.join(DRAIN);
        publishOutput();
        throw new TimeoutException(describe() + " timed out after " + settings.timeoutSeconds()
            + " s in its forked JVM (pid " + p.pid() + "), which was killed; raise @ForkedJvm(timeoutSeconds)"
            + " if it needs longer");
      }
      ForkedOutcome outcome;
      try {
        outcome = results.recv(ForkedOutcome.class);
      } catch (PeerClosedException e) {
        p.join(DRAIN);
        publishOutput();
        throw new AssertionError(crashReport(p));
      }
      long deadline = System.nanoTime() + DRAIN.toNanos();
      if (outEnds.await(DRAIN.toNanos(), TimeUnit.NANOSECONDS)
          && errEnds.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        ChildExits.of(context, DRAIN).add(p);
        exiting = true;
      } else {
        p.join(DRAIN);
      }
      publishOutput();
      return outcome;
    } finally {
      if (!exiting && p.isAlive()) {
        p.kill();
        p.join(DRAIN);
      }
      pipe.conn2().close();
    }
  }

  private Process.Builder builder() {
    ForkedJvm s = settings;
    Process.Builder b = Process.builder()
        .name("ForkedJvm-" + context.getRequiredTestMethod().getName())
        .target(new ForkedRun(context.getUniqueId(), LauncherParameters.of(context)))
        .jvmOptions(s.jvmOptions())
        .shortLived(s.shortLived())
        .stdout(ChildOutput.toLines(line -> copy(line, out, false)))
        .stderr(ChildOutput.toLines(line -> copy(line, err, true)));
    for (String p : s.systemProperties()) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new ExtensionConfigurationException("@ForkedJvm(systemProperties) of " + describe()
            + ": '" + p + "' is not name=value");
      }
      b.systemProperty(p.substring(0, eq), p.substring(eq + 1));
    }
    for (String v : s.environment()) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new ExtensionConfigurationException("@ForkedJvm(environment) of " + describe()
            + ": '" + v + "' is not NAME=value");
      }
      b.environment(v.substring(0, eq), v.substring(eq + 1));
    }
    if (!s.startMethod().isEmpty()) {
      b.startMethod(s.startMethod());
    }
    // A forkserver spare for these children loads and runs the JUnit Platform before its test comes.
    b.systemProperty(Tunable.SPARE_WARM_UP_KEY, ForkedLauncher.WarmUp.class.getName());
    return b;
  }

  /**
   * Copies a line of the child's into this JVM's stream now, and keeps it for the report; the
   * {@link EndOfOutput} line is counted, not copied.
   */
  private void copy(String line, List<String> lines, boolean stderr) {
    String last = EndOfOutput.before(line);
    String kept = last != null ? last : line;
    if (last == null || !last.isEmpty()) {
      synchronized (lines) {
        lines.add(kept);
      }
      (stderr ? System.err : System.out).println(kept);
    }
    if (last != null) {
      (stderr ? errEnds : outEnds).countDown();
    }
  }

  private void publishOutput() {
    publish("stdout", out);
    publish("stderr", err);
  }

  private void publish(String key, List<String> lines) {
    String text;
    synchronized (lines) {
      text = String.join(System.lineSeparator(), lines);
    }
    if (!text.isEmpty()) {
      context.publishReportEntry(key, text);
    }
  }

  private String describe() {
    return context.getRequiredTestClass().getName() + "." + context.getRequiredTestMethod().getName() + " ["
        + context.getDisplayName() + "]";
  }

  private String crashReport(Process p) {
    Integer code = p.exitCode();
    StringBuilder s = new StringBuilder(describe()).append(": its forked JVM (pid ").append(p.pid())
        .append(") ended before reporting a result, ");
    if (code == null) {
      s.append("closing its connection");
    } else if (code < 0) {
      s.append("killed by signal ").append(-code);
    } else {
      s.append("with exit code ").append(code)
          .append(" (System.exit or Runtime.halt in the test, or a crash of the JVM)");
    }
    synchronized (err) {
      if (!err.isEmpty()) {
        s.append("; the end of its standard error:");
        for (String line : err.subList(Math.max(0, err.size() - CRASH_LINES), err.size())) {
          s.append(System.lineSeparator()).append("  ").append(line);
        }
      }
    }
    return s.toString();
  }
}
