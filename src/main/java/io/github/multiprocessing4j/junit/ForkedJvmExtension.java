package io.github.multiprocessing4j.junit;

import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.PeerClosedException;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link ForkedJvm}: in the parent JVM it skips a forked test's invocation
 * and its lifecycle methods and runs the test in a child JVM instead, which it starts with this
 * library; in that child it lets them run as written. Registered by {@code @ForkedJvm}; a test
 * registering it with {@code @ExtendWith} alone is not forked.
 *
 * <p>Thread-safe: tests run in parallel each start their own child.
 */
public final class ForkedJvmExtension implements InvocationInterceptor {

  /** Set in the child JVM of a forked test: there the test runs as written. */
  private static volatile boolean forkedHere;
  /** After the child ended, how long its output may take to reach the parent. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** The most lines of the child's standard error a crash report quotes. */
  private static final int CRASH_LINES = 20;

  /** Creates the extension; JUnit does, for {@link ForkedJvm}. */
  public ForkedJvmExtension() {}

  /** Marks this JVM as the child of a forked test (or, for tests, no longer). */
  static void runningForked(boolean forked) {
    forkedHere = forked;
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    runForked(invocation, extensionContext);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    runForked(invocation, extensionContext);
  }

  @Override
  public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    if (!forkedHere && settings(extensionContext).isPresent()) {
      invocation.skip();
      throw new ExtensionConfigurationException("@ForkedJvm does not run @TestFactory methods ("
          + extensionContext.getRequiredTestMethod().getName() + "): their dynamic tests would run in this JVM; "
          + "fork the tests they make one by one, or use a @ParameterizedTest");
    }
    return invocation.proceed();
  }

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    proceedUnlessForked(invocation, extensionContext);
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    proceedUnlessForked(invocation, extensionContext);
  }

  @Override
  public void interceptBeforeAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    proceedUnlessForked(invocation, extensionContext);
  }

  @Override
  public void interceptAfterAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    proceedUnlessForked(invocation, extensionContext);
  }

  /** A lifecycle method of a forked test or class runs in the child, with the test. */
  private static void proceedUnlessForked(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    if (!forkedHere && settings(context).isPresent()) {
      invocation.skip();
    } else {
      invocation.proceed();
    }
  }

  /** The nearest {@code @ForkedJvm}: the method's, else its class's, else an enclosing class's. */
  private static Optional<ForkedJvm> settings(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<AnnotatedElement> element = c.getElement();
      if (element.isPresent()) {
        Optional<ForkedJvm> found = AnnotationSupport.findAnnotation(element.get(), ForkedJvm.class);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static void runForked(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    Optional<ForkedJvm> settings = settings(context);
    if (forkedHere || settings.isEmpty()) {
      invocation.proceed();
      return;
    }
    invocation.skip();
    requireLauncher(context);
    ForkedOutcome outcome = new ForkedChild(context, settings.get()).run();
    switch (outcome.status) {
      case SUCCESSFUL:
        return;
      case SKIPPED:
        throw new org.opentest4j.TestAbortedException("skipped in the forked JVM: " + outcome.reason);
      case NOT_FOUND:
        throw new ExtensionConfigurationException("the forked JVM did not find the test " + context.getUniqueId()
            + " (a test whose unique id changes from one run to the next cannot be forked)");
      default:
        throw outcome.throwable;
    }
  }

  /**
   * The child runs the test through the JUnit Platform launcher, an optional dependency that a
   * build does not always put on the test class path: said here, not by a child that dies of it.
   */
  private static void requireLauncher(ExtensionContext context) {
    try {
      Class.forName("org.junit.platform.launcher.core.LauncherFactory", false,
          ForkedJvmExtension.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ExtensionConfigurationException("@ForkedJvm on " + context.getDisplayName()
          + " needs org.junit.platform:junit-platform-launcher on the test class path: add it in test scope", e);
    }
  }

  /** One forked test's child: its launch, its output, its outcome. */
  private static final class ForkedChild {
    private final ExtensionContext context;
    private final ForkedJvm settings;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    ForkedChild(ExtensionContext context, ForkedJvm settings) {
      this.context = context;
      this.settings = settings;
    }

    ForkedOutcome run() throws Throwable {
      Pipe pipe = Pipe.open(false);
      Process p = builder().args(pipe.conn2()).build();
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
        p.join(DRAIN);
        publishOutput();
        return outcome;
      } finally {
        if (p.isAlive()) {
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
          .target(new ForkedRun(context.getUniqueId()))
          .jvmOptions(s.jvmOptions())
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

    /** Copies a line of the child's into this JVM's stream now, and keeps it for the report. */
    private void copy(String line, List<String> lines, boolean stderr) {
      synchronized (lines) {
        lines.add(line);
      }
      (stderr ? System.err : System.out).println(line);
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
}
