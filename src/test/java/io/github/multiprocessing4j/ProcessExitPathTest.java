package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child whose target returns does the library's exit work (stop the parent watcher, flush the
 * output) on its main thread and exits without the library's shutdown hook, which cost every exit
 * a thread start. What that must not change: the user's own shutdown hooks still run, and output
 * printed without a final newline still reaches the parent. Rerun under {@code forkserver} by the
 * second surefire execution, where the process is served by a spare.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ProcessExitPathTest {

  static void hookAndUnterminatedOutput(Args args) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("hook ran")));
    System.out.print("last words");
  }

  static void exitsWithSeven(Args args) {
    System.out.print("before exit");
    System.exit(7);
  }

  /**
   * Leaves a non-daemon thread named as the library's threads are, which the exit rules do not
   * wait for and only a shutdown hook ends (as the threads of a Hazelcast client the library
   * opened): the child must still exit, through {@code System.exit}, not by ending its main thread.
   */
  static void leavesANonDaemonThreadThatAHookEnds(Args args) {
    CountDownLatch release = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mp4j-test-straggler");
    t.start();
    Runtime.getRuntime().addShutdownHook(new Thread(release::countDown));
  }

  @Test
  void aNonDaemonThreadThatOnlyAShutdownHookEndsDoesNotKeepTheChildAlive() throws Exception {
    Process p = Process.builder().target(ProcessExitPathTest::leavesANonDaemonThreadThatAHookEnds).build();
    p.start();
    try {
      assertThat(p.join(Waits.JOIN)).as("the child exited").isTrue();
    } finally {
      p.kill();
      p.join(Waits.JOIN);
    }
    assertThat(p.exitCode()).isZero();
  }

  @Test
  void theUsersShutdownHookRunsAndUnterminatedOutputArrives() throws Exception {
    CapturedLines out = new CapturedLines();
    CapturedLines err = new CapturedLines();
    Process p = Process.builder().target(ProcessExitPathTest::hookAndUnterminatedOutput)
        .stdout(out.output()).stderr(err.output()).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();

    assertThat(p.exitCode()).isZero();
    assertThat(p.failure()).isEmpty();
    assertThat(out.lines()).containsExactly("last words");
    assertThat(err.lines()).contains("hook ran");
  }

  @Test
  void aTargetsOwnSystemExitStillFlushesAndGivesItsCode() throws Exception {
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessExitPathTest::exitsWithSeven).stdout(out.output()).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();

    assertThat(p.exitCode()).isEqualTo(7);
    assertThat(out.lines()).containsExactly("before exit");
  }
}
