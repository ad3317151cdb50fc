package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a spare does while it waits: the classes it preloads are named by string (a rename must not
 * leave one behind unnoticed), and the classes a process's command line names in
 * {@code multiprocessing4j.spareWarmUp} are initialised there before the process arrives.
 */
final class SpareWarmUpTest {

  @Test
  void everyPreloadedLibraryClassExists() {
    List<String> missing = new ArrayList<>();
    for (String name : SpareWarmUp.PRELOADED) {
      if (name.startsWith("io.github.multiprocessing4j.")) {
        try {
          Class.forName(name, false, SpareWarmUp.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("renamed or moved: update SpareWarmUp.PRELOADED").isEmpty();
  }

  @Test
  void theNamedWarmUpClassesAreInitialisedAndAMissingOneIsIgnored() {
    String before = System.getProperty(Tunable.SPARE_WARM_UP_KEY);
    System.setProperty(Tunable.SPARE_WARM_UP_KEY, "no.such.Class, " + InThisJvm.class.getName());
    try {
      SpareWarmUp.run();
      assertThat(inThisJvmInitialised).as("initialised by the warm-up, not by this test").isTrue();
    } finally {
      if (before == null) {
        System.clearProperty(Tunable.SPARE_WARM_UP_KEY);
      } else {
        System.setProperty(Tunable.SPARE_WARM_UP_KEY, before);
      }
    }
  }

  @Test
  @Timeout(120)
  void aProcessServedByASpareFindsItsWarmUpClassesInitialised() throws Exception {
    Process.Builder b = Process.builder().startMethod("forkserver").target(SpareWarmUpTest::report)
        .systemProperty(Tunable.SPARE_WARM_UP_KEY, InASpare.class.getName());
    List<String> cold = run(b);
    assertThat(cold).containsExactly("spare=null warmed=false");
    assertThat(Multiprocessing.awaitSpares(Waits.JOIN)).isTrue();
    assertThat(run(b)).containsExactly("spare=true warmed=true");
  }

  private static List<String> run(Process.Builder b) throws InterruptedException {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = b.stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    return lines;
  }

  static void report(Args args) {
    System.out.println("spare=" + System.getProperty(Tunable.SPARE_KEY) + " warmed=" + InASpare.initialisedBefore);
  }

  /** Initialised by a spare's warm-up, before the process it serves runs. */
  static final class InASpare {
    static final boolean initialisedBefore = java.util.Arrays.stream(new Throwable().getStackTrace())
        .anyMatch(f -> f.getClassName().equals(SpareWarmUp.class.getName()));
  }

  /** Set by {@link InThisJvm}'s initialiser, which nothing but the warm-up triggers. */
  static volatile boolean inThisJvmInitialised;

  /** Initialised by the warm-up in this JVM. */
  static final class InThisJvm {
    static {
      inThisJvmInitialised = true;
    }
  }
}
