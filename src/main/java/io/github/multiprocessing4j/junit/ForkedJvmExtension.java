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

  /** Creates the extension; JUnit does, for {@link ForkedJvm}. */
  public ForkedJvmExtension() {}

  /** Marks this JVM as the child of a forked test (or, for tests, no longer). */
  static void runningForked(boolean forked) {
    forkedHere = forked;
  }

  /** Whether this JVM is the child of a forked test. */
  static boolean isRunningForked() {
    return forkedHere;
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
}
