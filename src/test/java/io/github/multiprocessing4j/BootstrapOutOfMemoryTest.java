package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child whose arguments do not fit its heap says so in failure() (issue 12, section 4). */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class BootstrapOutOfMemoryTest {

  static void noop(Args args) {
    // never reached
  }

  @Test
  void aChildWhoseArgumentDoesNotFitItsHeapReportsItInFailure() throws Exception {
    CapturedLines err = new CapturedLines();
    Process child = Process.builder().target(BootstrapOutOfMemoryTest::noop)
        .args((Object) new byte[100_000_000]).jvmOptions("-Xmx64m").stderr(err.output()).build();
    child.start();
    if (!child.join(Waits.LONG)) {
      child.kill();
      child.join(Waits.JOIN);
    }
    assertThat(child.exitCode()).isEqualTo(1);
    assertThat(child.failure()).isPresent();
    assertThat(child.failure().get().getMessage()).contains("heap").contains("-Xmx");
  }
}
