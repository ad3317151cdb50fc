package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
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
