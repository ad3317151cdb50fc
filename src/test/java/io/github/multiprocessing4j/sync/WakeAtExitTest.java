package io.github.multiprocessing4j.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process that sets an event and exits at once still wakes a waiter of another process: its
 * first wake to that process waits for a connection, made by a thread of its own, which the exit
 * used to end before it sent the wake.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
final class WakeAtExitTest {

  /** Without the 100 ms re-check: a lost wake shows as a wait that lasts until its own deadline. */
  private static final String NO_SAFETY_NET = "-Dmultiprocessing4j.syncSliceMillis=600000";
  /**
   * Far beyond the test's own waits, so that a lost wake fails the wait for the "woke" line; a
   * 15 s deadline was within reach of a busy machine's start of the setter's JVM.
   */
  private static final long DEADLINE_MS = 240_000;

  static void awaitAndTime(Args args) throws Exception {
    Event e = args.get(0, Event.class);
    long t0 = System.nanoTime();
    boolean set = e.await(Duration.ofMillis(DEADLINE_MS));
    System.out.println("woke " + set + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  static void setAndExit(Args args) {
    args.get(0, Event.class).set();
  }

  @Test
  void aProcessThatSetsAnEventAndExitsWakesTheWaiter() throws Exception {
    for (int round = 0; round < 5; round++) {
      Event e = new Event();
      CapturedLines out = new CapturedLines();
      Process waiter = Process.builder().target(WakeAtExitTest::awaitAndTime).args(e).jvmOptions(NO_SAFETY_NET)
          .stdout(out.output()).build();
      waiter.start();
      try {
        Waits.until(() -> e.cell().registered() == 1, "e.cell().registered() == 1");
        Process setter = Process.builder().target(WakeAtExitTest::setAndExit).args(e).build();
        setter.start();
        assertThat(setter.join(Waits.JOIN)).isTrue();
        assertThat(setter.exitCode()).isZero();
        String line = out.await("woke", Waits.JOIN);
        assertThat(line).startsWith("woke true");
        long ms = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        assertThat(ms).as("round %d: woken by the wake, not at its own deadline", round).isLessThan(DEADLINE_MS - 2000);
      } finally {
        if (waiter.isAlive()) {
          waiter.kill();
        }
        waiter.join(Waits.JOIN);
      }
    }
  }
}
