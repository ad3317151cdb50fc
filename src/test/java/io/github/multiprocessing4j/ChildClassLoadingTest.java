package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.ClassLoadLog;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every class a child JVM loads costs its start-up (about 0.3 ms each; SLF4J's initialisation
 * alone, about 50 classes and a service lookup, cost 80 ms when a non-constant property name made
 * the child initialise {@code Spares}). A child that runs a trivial target loads no logging and none
 * of the parent-side classes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ChildClassLoadingTest {

  static void noop(Args args) {}

  /** A target given by class, so that nothing in the child's bootstrap is decoded with filters. */
  public static final class NoopTarget implements Target {
    private static final long serialVersionUID = 1L;

    /** The child calls this constructor. */
    public NoopTarget() {}

    @Override
    public void run(Args args) {
      // nothing: the start and exit paths are what is looked at
    }
  }

  /** Puts one item into the queue it is given, then returns (the exit confirms the put). */
  public static final class PutOne implements Target {
    private static final long serialVersionUID = 1L;

    /** The child calls this constructor. */
    public PutOne() {}

    @Override
    @SuppressWarnings("unchecked")
    public void run(Args args) throws InterruptedException {
      ((Queue<Object>) args.get(0)).put("one");
    }
  }

  /** Sends one message on the pipe end it is given, then returns. */
  public static final class SendOne implements Target {
    private static final long serialVersionUID = 1L;

    /** The child calls this constructor. */
    public SendOne() {}

    @Override
    public void run(Args args) throws InterruptedException {
      args.get(0, Connection.class).send("one");
    }
  }

  /**
   * Asserts that a child's class-load log shows {@code used} and no lambda of the library's (a
   * class spun at run time, about a millisecond each in a new JVM).
   */
  private static void assertSpunNoLibraryLambda(Path log, String used, String child) throws IOException {
    List<String> loaded = ClassLoadLog.classes(log);
    assertThat(loaded).as("the child's classes").contains(used);
    assertThat(loaded).as("the library's lambdas in a child that " + child)
        .noneMatch(c -> c.startsWith("io.github.multiprocessing4j.") && c.contains("$$Lambda"));
  }

  private static void assertEndedWithZero(Process p) throws InterruptedException {
    assertThat(p.join(Waits.JOIN)).as("the child ended").isTrue();
    assertThat(p.exitCode()).isZero();
  }

  @Test
  void aChildsFirstPutAndItsExitSpinNoLambdaOfTheLibrarys(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Queue<Object> q = new Queue<>();
    try {
      Process p = Process.builder().target(PutOne.class).args(q).jvmOptions(ClassLoadLog.option(log)).build();
      p.start();
      assertThat(q.get(Duration.ofSeconds(60))).isEqualTo("one");
      assertEndedWithZero(p);
    } finally {
      q.close();
    }
    assertSpunNoLibraryLambda(log, "io.github.multiprocessing4j.queues.QueueClient", "put an item and ended");
  }

  @Test
  void aChildsFirstSendAndItsExitSpinNoLambdaOfTheLibrarys(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Pipe pipe = Pipe.open();
    try {
      Process p = Process.builder().target(SendOne.class).args(pipe.conn2())
          .jvmOptions(ClassLoadLog.option(log)).build();
      p.start();
      pipe.conn2().close();
      assertThat(pipe.conn1().poll(Duration.ofSeconds(60))).as("the child's message arrived").isTrue();
      assertThat(pipe.conn1().recv()).isEqualTo("one");
      assertEndedWithZero(p);
    } finally {
      pipe.conn1().close();
    }
    assertSpunNoLibraryLambda(log, "io.github.multiprocessing4j.connection.PipeEndpoint", "sent a message and ended");
  }

  @Test
  void aTrivialChildsExitSearchesNoJarForALoggingBackend(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Process p = Process.builder().target(NoopTarget.class).jvmOptions(ClassLoadLog.option(log)).build();
    p.start();
    assertEndedWithZero(p);
    // JDK 21 and later log Runtime.exit through System.getLogger, whose first call looks for a
    // logging backend in every jar of the class path (120 ms of CPU on JDK 25 with 20 jars); a
    // child whose target returned ends without calling it.
    assertThat(ClassLoadLog.classes(log)).as("the child's classes").contains(ChildRuntime.class.getName())
        .doesNotContain("jdk.internal.logger.BootstrapLogger$DetectBackend");
  }

  @Test
  void aChildThatEndsBeforeItsParentWatchBeginsOpensNoChannel(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    // A delay no run of this test reaches, so that the check does not depend on the machine's speed.
    Process p = Process.builder().target(NoopTarget.class).jvmOptions(ClassLoadLog.option(log))
        .systemProperty("multiprocessing4j.parentWatchDelayMillis", "600000").build();
    p.start();
    assertEndedWithZero(p);
    assertThat(ClassLoadLog.classes(log)).as("the child's classes").contains(ChildRuntime.class.getName())
        .doesNotContain("sun.nio.ch.FileChannelImpl");
  }

  @Test
  void aTrivialChildLoadsNoLoggingAndNoParentSideClass(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Process p = Process.builder().target(ChildClassLoadingTest::noop)
        .jvmOptions(ClassLoadLog.option(log)).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isZero();
    List<String> loaded = ClassLoadLog.classes(log);
    assertThat(loaded).as("the child's classes").contains(ChildRuntime.class.getName());
    assertThat(loaded).as("logging in a trivial child")
        .noneMatch(c -> c.startsWith("org.slf4j.") || c.endsWith(".internal.runtime.Log"));
    assertThat(loaded).as("parent-side classes in a child")
        .doesNotContain(Spares.class.getName(), ChildHandle.class.getName(), Multiprocessing.class.getName());
  }
}
