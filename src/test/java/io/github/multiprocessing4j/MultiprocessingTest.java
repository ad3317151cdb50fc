package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.condition.OS.LINUX;
import static org.junit.jupiter.api.condition.OS.MAC;

import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Sleeper;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;

/**
 * The module-level functions of {@link Multiprocessing}: {@code cpuCount}, {@code getpid},
 * {@code getppid} and {@code kill}, checked against real child JVMs where they involve one.
 */
@Timeout(60)
class MultiprocessingTest {

  @Test
  void cpuCountIsThePositiveProcessorCount() {
    assertThat(Multiprocessing.cpuCount()).isPositive().isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void getpidIsThisJvm() {
    assertThat(Multiprocessing.getpid()).isEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void getppidInAChildIsTheParentJvm() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = Process.builder().target(args -> System.out.println("ppid=" + Multiprocessing.getppid()
        + " pid=" + Multiprocessing.getpid())).stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(lines).containsExactly("ppid=" + ProcessHandle.current().pid() + " pid=" + p.pid());
  }

  @Test
  void killWithSigtermEndsChildWithMinus15() throws Exception {
    assertKilledWith(Multiprocessing.SIGTERM, -15);
  }

  @Test
  void killWithSigkillEndsChildWithMinus9() throws Exception {
    assertKilledWith(Multiprocessing.SIGKILL, -9);
  }

  @Test
  @EnabledOnOs({LINUX, MAC})
  void killWithAnotherSignalEndsChildWithItsNumber() throws Exception {
    // SIGUSR1 has no handler in a JVM: its default action ends the process.
    assertKilledWith(10, -10);
  }

  @Test
  void killRefusesSignalsOutsideZeroTo64() {
    long me = Multiprocessing.getpid();
    assertThatThrownBy(() -> Multiprocessing.kill(me, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid signal number -1");
    assertThatThrownBy(() -> Multiprocessing.kill(me, 65)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid signal number 65");
  }

  @Test
  void signalZeroChecksThatAProcessExists() throws Exception {
    Multiprocessing.kill(Multiprocessing.getpid(), 0); // as os.kill(pid, 0): no signal, no error
    long pid = endedPid();
    assertThatThrownBy(() -> Multiprocessing.kill(pid, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such process: " + pid);
  }

  @Test
  void killOfAMissingProcessIsIllegalArgument() throws Exception {
    long pid = endedPid();
    assertThatThrownBy(() -> Multiprocessing.kill(pid, Multiprocessing.SIGTERM))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such process: " + pid);
    assertThatThrownBy(() -> Multiprocessing.kill(pid, Multiprocessing.SIGKILL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such process: " + pid);
  }

  @Test
  @EnabledOnOs({LINUX, MAC})
  void killOfAMissingProcessWithAnotherSignalIsIllegalArgument() throws Exception {
    long pid = endedPid();
    assertThatThrownBy(() -> Multiprocessing.kill(pid, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such process: " + pid);
  }

  /** The pid of a process that ran and was reaped, so nothing answers to it (barring reuse). */
  private static long endedPid() throws Exception {
    java.lang.Process p = new ProcessBuilder(JavaMain.javaExecutable().toString(), "-version")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
    long pid = p.pid();
    assertThat(ProcessHandle.of(pid)).as("pid %s reused already", pid).isEmpty();
    return pid;
  }

  private static void assertKilledWith(int signal, int expectedExitCode) throws Exception {
    CountDownLatch began = new CountDownLatch(1);
    Process p = Process.builder().target(Sleeper.class)
        .stdout(ChildOutput.toLines(line -> began.countDown())).build();
    try {
      p.start();
      assertThat(began.await(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
      Multiprocessing.kill(p.pid(), signal);
      assertThat(p.join(Waits.JOIN)).as("child ended within 30 s of signal %s", signal).isTrue();
      assertThat(p.exitCode()).isEqualTo(expectedExitCode);
    } finally {
      if (p.isAlive()) {
        p.kill();
        p.join(Duration.ofSeconds(10));
      }
    }
  }
}
