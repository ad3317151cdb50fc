package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The thread that waits for a child and tells its exit: if it fails (it did when a build rewrote
 * the library's class files under a running JVM, and it could not load a class), {@code join()}
 * must not wait for ever.
 */
@Timeout(120)
class ProcessWaiterFailureTest {

  /** Exits with status 3. */
  public static final class ExitsThree implements Target {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(Args args) {
      System.exit(3);
    }
  }

  @Test
  void aWaiterThatFailsStillTellsTheExitAndJoinReturns() throws Exception {
    String name = "waiter-fails-" + System.nanoTime();
    ChildHandle.afterExitForTests = n -> {
      if (n.equals(name)) {
        throw new NoClassDefFoundError("simulated: a class file gone from the class path");
      }
    };
    try {
      Process p = Process.builder().name(name).target(ExitsThree.class).build();
      p.start();
      assertThat(p.join(Duration.ofSeconds(60))).as("join returned").isTrue();
      assertThat(p.exitCode()).isEqualTo(3);
      assertThat(p.isAlive()).isFalse();
    } finally {
      ChildHandle.afterExitForTests = null;
    }
  }
}
