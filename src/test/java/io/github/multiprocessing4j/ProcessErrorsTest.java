package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.NoLeakedProcesses;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse: CPython's lifecycle errors (§A.3–A.9) with their exact texts, bad input refused in the
 * caller's thread before any JVM is launched, and bad arguments read by a target in the child.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ProcessErrorsTest {

  /** Starts a child from inside a (daemonic) child. */
  private static void startsAChild(Args args) {
    new Process(a -> { }).start();
  }

  abstract static class AbstractTarget implements Target {
  }

  static final class NoDefaultConstructor implements Target {
    NoDefaultConstructor(String unused) {
    }

    @Override
    public void run(Args args) {
    }
  }

  /** Non-static: the child could not instantiate it without an enclosing test instance. */
  final class Inner implements Target {
    @Override
    public void run(Args args) {
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle errors

  @Test
  void startedChildRefusesSecondStartDaemonChangeAndClose() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(Sleeper.class).stdout(out.output()).build();
    p.start();
    try {
      out.await(Sleeper.READY, Waits.JOIN);
      assertIllegalState(p::start, "cannot start a process twice");
      assertIllegalState(() -> p.setDaemon(true), "process has already started");
      assertIllegalState(p::close,
          "Cannot close a process while it is still running. You should first call join() or terminate().");
      assertThat(p.isDaemon()).isFalse();
      assertThat(p.isAlive()).isTrue();
    } finally {
      p.kill();
      p.join(Waits.JOIN);
    }
    // Still refused after the end: a process object runs once.
    assertIllegalState(p::start, "cannot start a process twice");
  }

  @Test
  void unstartedProcessCannotBeJoinedOrSignalled() {
    Process p = new Process(args -> { });
    assertIllegalState(p::join, "can only join a started process");
    assertIllegalState(() -> p.join(Waits.JOIN), "can only join a started process");
    assertIllegalState(p::terminate, "process not started");
    assertIllegalState(p::kill, "process not started");
    assertIllegalState(p::onExit, "process not started");
  }

  @Test
  void currentProcessCannotBeJoined() {
    assertIllegalState(() -> Process.currentProcess().join(), "can only join a child process");
    assertIllegalState(() -> Process.currentProcess().join(Duration.ZERO), "can only join a child process");
  }

  @Test
  void daemonicChildMayNotStartChildren() throws Exception {
    Process p = Process.builder().target(ProcessErrorsTest::startsAChild).daemon(true)
        .stderr(ChildOutput.discard()).build();
    p.start();
    p.join();

    assertThat(p.exitCode()).isEqualTo(1);
    RemoteException failure = p.failure().orElseThrow();
    assertThat(failure.remoteClassName()).isEqualTo(IllegalStateException.class.getName());
    assertThat(failure.remoteMessage()).isEqualTo("daemonic processes are not allowed to have children");
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input: refused in the caller's thread, no JVM launched

  @Test
  void unserializablePositionalArgumentIsRefusedByStart() {
    Process p = new Process(args -> { }, "fine", new Object());
    assertRefusedWithoutLaunch(p::start, IllegalArgumentException.class, "argument #1", "java.lang.Object");
    // The object stays unstarted, as CPython's after a pickling error.
    assertThat(p.pid()).isNull();
    assertThat(p.isAlive()).isFalse();
    assertThat(Process.activeChildren()).doesNotContain(p);
  }

  @Test
  void unserializableKeywordArgumentIsRefusedByStart() {
    Process p = Process.builder().target(args -> { }).kwarg("fine", 1).kwarg("lock", new Object()).build();
    assertRefusedWithoutLaunch(p::start, IllegalArgumentException.class, "keyword argument 'lock'",
        "java.lang.Object");
    assertThat(p.pid()).isNull();
  }

  @Test
  void lambdaCapturingAnUnserializableObjectIsRefusedByStart() {
    Object captured = new Object();
    Process p = new Process(args -> System.out.println(captured));
    assertRefusedWithoutLaunch(p::start, IllegalArgumentException.class, "target", "java.lang.Object");
    assertThat(p.pid()).isNull();
  }

  @Test
  void targetClassesTheChildCouldNotInstantiateAreRefused() {
    assertRefusedWithoutLaunch(() -> Process.builder().target("io.github.multiprocessing4j.NoSuchTarget"),
        IllegalArgumentException.class, "io.github.multiprocessing4j.NoSuchTarget");
    assertRefusedWithoutLaunch(() -> Process.builder().target("java.lang.String"),
        IllegalArgumentException.class, "java.lang.String", "does not implement");
    assertRefusedWithoutLaunch(() -> new Process(AbstractTarget.class),
        IllegalArgumentException.class, AbstractTarget.class.getName(), "abstract");
    assertRefusedWithoutLaunch(() -> new Process(NoDefaultConstructor.class),
        IllegalArgumentException.class, NoDefaultConstructor.class.getName(), "no-argument constructor");
    assertRefusedWithoutLaunch(() -> new Process(Inner.class),
        IllegalArgumentException.class, Inner.class.getName(), "inner class");
  }

  @Test
  void nullOrBlankNamesAreRefused() {
    assertRefusedWithoutLaunch(() -> Process.builder().name(null), NullPointerException.class, "name");
    assertRefusedWithoutLaunch(() -> Process.builder().name(" "), IllegalArgumentException.class, "name");
    Process p = new Process(args -> { });
    String name = p.name();
    assertRefusedWithoutLaunch(() -> p.setName(null), NullPointerException.class, "name");
    assertRefusedWithoutLaunch(() -> p.setName(""), IllegalArgumentException.class, "name");
    assertThat(p.name()).isEqualTo(name);
  }

  @Test
  void negativeJoinTimeoutPollsAsZeroDoes() throws Exception {
    Process p = new Process(args -> Thread.sleep(Waits.UNTIL_KILLED.toMillis()));
    p.start();
    try {
      // CPython's join(-1) polls; this threw IllegalArgumentException("timeout must not be negative").
      assertThat(p.join(Duration.ofMillis(-1))).isFalse();
      assertThat(p.join(Duration.ofSeconds(Long.MIN_VALUE))).as("a negative timeout too long for nanoseconds").isFalse();
      assertThat(p.isAlive()).isTrue();
      p.kill();
      p.join();
      assertThat(p.join(Duration.ofMillis(-1))).isTrue();
    } finally {
      p.kill();
      p.join();
    }
  }

  @Test
  void aChildJvmThatCannotStartSaysWhyInItsFailure() throws Exception {
    for (String method : new String[] {"spawn", "forkserver"}) {
      // Captured, not pumped: the JVM's lines would otherwise reach this JVM's stderr as noise.
      CapturedLines err = new CapturedLines();
      Process p = Process.builder().target(args -> { }).jvmOptions("-Xmx1z").startMethod(method)
          .stderr(err.output()).build();
      p.start();
      p.join();
      assertThat(p.exitCode()).as(method).isEqualTo(1);
      // Before: empty, as for a target that exited with 1 and said nothing.
      assertThat(p.failure()).as("%s; stderr: %s", method, err.text()).hasValueSatisfying(f -> {
        assertThat(f.getMessage()).contains("the child JVM did not start: Invalid maximum heap size: -Xmx1z");
        assertThat(f.remoteStackTrace()).contains("Could not create the Java Virtual Machine");
      });
    }
    // The forkserver start has a spare for this key launched in the background: no more of those
    // (discarding clears what is pending), and the one in flight, if any, dies of the same option.
    Multiprocessing.discardSpares();
    Waits.until(() -> NoLeakedProcesses.liveDescendants().isEmpty(), "spares for the bad option gone");
  }

  @Test
  void aTargetThatHaltsWithOneHasNoFailure() throws Exception {
    CapturedLines err = new CapturedLines();
    Process p = Process.builder().target(args -> {
      System.err.println("Error: said by the target");
      System.err.flush();
      Runtime.getRuntime().halt(1);
    }).stderr(err.output()).build();
    p.start();
    p.join();
    assertThat(p.exitCode()).isEqualTo(1);
    assertThat(err.text()).contains("said by the target");
    assertThat(p.failure()).isEmpty();
  }

  @Test
  void jvmOptionsThatReplaceTheClassPathOrMainClassAreRefused() {
    for (String option : new String[] {"-cp", "-classpath", "--class-path=/tmp", "-jar"}) {
      assertRefusedWithoutLaunch(() -> Process.builder().jvmOptions(option), IllegalArgumentException.class, option);
    }
  }

  @Test
  void missingWorkingDirectoryIsRefused(@TempDir Path tmp) {
    Path missing = tmp.resolve("missing");
    assertRefusedWithoutLaunch(() -> Process.builder().workingDirectory(missing), IllegalArgumentException.class,
        missing.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Bad arguments, seen by the target in the child

  @Test
  void targetReadingAMissingOrMistypedArgumentFailsNamingIt() throws Exception {
    Map<String, Process> byExpectation = new LinkedHashMap<>();
    byExpectation.put("missing positional argument #2",
        Process.builder().target(args -> args.get(2)).args("only", "two").stderr(ChildOutput.discard()).build());
    byExpectation.put("positional argument #0 is a java.lang.String",
        Process.builder().target(args -> args.getInt(0)).args("not a number").stderr(ChildOutput.discard()).build());
    byExpectation.put("missing keyword argument 'count'",
        Process.builder().target(args -> args.kwarg("count", Integer.class)).kwarg("other", 1)
            .stderr(ChildOutput.discard()).build());
    byExpectation.values().forEach(Process::start);

    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, Process> e : byExpectation.entrySet()) {
      Process p = e.getValue();
      assertThat(p.join(Waits.JOIN)).isTrue();
      softly.assertThat(p.exitCode()).as(e.getKey()).isEqualTo(1);
      softly.assertThat(p.failure()).as(e.getKey()).hasValueSatisfying(f -> {
        assertThat(f.remoteClassName()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(f.remoteMessage()).contains(e.getKey());
      });
    }
    softly.assertAll();
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertIllegalState(ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessage(message);
  }

  private static void assertRefusedWithoutLaunch(ThrowingCallable call, Class<? extends Throwable> type,
      String... messageParts) {
    Multiprocessing.discardSpares(); // spare JVMs of the forkserver start method are children too
    assertThat(NoLeakedProcesses.liveDescendants()).as("children before").isEmpty();
    assertThatThrownBy(call).isInstanceOf(type).hasMessageContainingAll(messageParts);
    assertThat(NoLeakedProcesses.liveDescendants()).as("children launched by a refused call").isEmpty();
  }
}
