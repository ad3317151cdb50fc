package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * How each way a child can end shows in {@code exitCode()} and {@code failure()}, as CPython's
 * §A.5 table: 0 on return, 1 and a {@code Process <name>:} traceback on an uncaught exception, the
 * code itself on {@code System.exit}/{@code Runtime.halt} (including codes above 128, which must not
 * be mistaken for signals), and {@code -N} for signal N.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ExitCodeTest {

  /** A named class, so its frame can be looked for in the remote stack trace. */
  static final class Thrower implements Target {
    @Override
    public void run(Args args) {
      throw new IllegalStateException("bad thing");
    }
  }

  /** Sends itself a signal first thing: nothing else of the child can have happened yet. */
  static final class SelfSignaller implements Target {
    @Override
    public void run(Args args) throws InterruptedException {
      Multiprocessing.kill(Multiprocessing.getpid(), args.getInt(0));
      // The signal is on its way: the child must not end by itself meanwhile.
      Thread.sleep(Waits.UNTIL_KILLED.toMillis());
    }
  }

  @Test
  void normalReturnGivesZeroAndNoFailure() throws Exception {
    Process p = new Process(args -> { });
    p.start();
    p.join();
    assertThat(p.exitCode()).isZero();
    assertThat(p.failure()).isEmpty();
  }

  @Test
  void uncaughtExceptionGivesOneTracebackOnStderrAndFailure() throws Exception {
    CapturedLines err = new CapturedLines();
    Process p = Process.builder().target(Thrower.class).name("thrower").stderr(err.output()).build();
    assertThat(p.failure()).as("before start").isEmpty();
    p.start();
    p.join();

    assertThat(p.exitCode()).isEqualTo(1);
    List<String> lines = err.lines();
    assertThat(lines).as("child stderr").hasSizeGreaterThan(2);
    assertThat(lines.get(0)).isEqualTo("Process thrower:");
    assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: bad thing");
    assertThat(lines.get(2)).startsWith("\tat " + Thrower.class.getName() + ".run(");

    RemoteException failure = p.failure().orElseThrow();
    assertThat(failure.remoteClassName()).isEqualTo("java.lang.IllegalStateException");
    assertThat(failure.remoteMessage()).isEqualTo("bad thing");
    assertThat(failure.remoteStackTrace()).startsWith("java.lang.IllegalStateException: bad thing");
    assertThat(failure.getStackTrace()).isNotEmpty();
    assertThat(failure.getStackTrace()[0].getClassName()).isEqualTo(Thrower.class.getName());
    assertThat(failure.getStackTrace()[0].getMethodName()).isEqualTo("run");
    assertThat(failure.getMessage()).startsWith("java.lang.IllegalStateException: bad thing (in thrower, pid " + p.pid());
  }

  @Test
  void systemExitCodeIsTheExitCodeEvenAbove128() throws Exception {
    Map<Integer, Process> byCode = new LinkedHashMap<>();
    for (int code : new int[] {0, 3, 143}) {
      byCode.put(code, new Process(args -> System.exit(args.getInt(0)), code));
    }
    // Concurrently: each JVM start costs more than the whole check.
    byCode.values().forEach(Process::start);
    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<Integer, Process> e : byCode.entrySet()) {
      Process p = e.getValue();
      assertThat(p.join(Waits.JOIN)).isTrue();
      softly.assertThat(p.exitCode()).as("System.exit(%d)", e.getKey()).isEqualTo(e.getKey());
      softly.assertThat(p.failure()).as("failure after System.exit(%d)", e.getKey()).isEmpty();
    }
    softly.assertAll();
  }

  @Test
  void runtimeHaltCodeIsTheExitCode() throws Exception {
    Process p = new Process(args -> Runtime.getRuntime().halt(5));
    p.start();
    p.join();
    assertThat(p.exitCode()).isEqualTo(5);
    assertThat(p.failure()).isEmpty();
  }

  @Test
  void terminateGivesMinus15AndKillGivesMinus9() throws Exception {
    CapturedLines termOut = new CapturedLines();
    CapturedLines killOut = new CapturedLines();
    Process terminated = Process.builder().target(Sleeper.class).stdout(termOut.output()).build();
    Process killed = Process.builder().target(Sleeper.class).stdout(killOut.output()).build();
    terminated.start();
    try {
      killed.start();
      termOut.await(Sleeper.READY, Waits.JOIN);
      killOut.await(Sleeper.READY, Waits.JOIN);
      terminated.terminate();
      killed.kill();
      assertThat(terminated.join(Waits.JOIN)).isTrue();
      assertThat(killed.join(Waits.JOIN)).isTrue();
    } finally {
      terminated.kill();
      terminated.join(Waits.JOIN);
      if (killed.pid() != null) {
        killed.kill();
        killed.join(Waits.JOIN);
      }
    }
    assertThat(terminated.exitCode()).isEqualTo(-15);
    assertThat(killed.exitCode()).isEqualTo(-9);
    assertThat(terminated.failure()).isEmpty();
    assertThat(killed.failure()).isEmpty();
  }

  @ParameterizedTest(name = "signal {0}")
  @ValueSource(ints = {Multiprocessing.SIGKILL, Multiprocessing.SIGTERM})
  void childSignallingItselfGivesMinusTheSignal(int signal) throws Exception {
    Process p = new Process(SelfSignaller.class, signal);
    p.start();
    try {
      assertThat(p.join(Waits.JOIN)).isTrue();
    } finally {
      p.kill();
      p.join(Waits.JOIN);
    }
    assertThat(p.exitCode()).isEqualTo(-signal);
    assertThat(p.failure()).isEmpty();
  }
}
