package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A program that ends without closing its pools: the JVM exits, and the workers with it. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PoolExitTest {

  /** Creates a pool and an executor, uses them, prints the worker pids, and returns from main. */
  public static void main(String[] args) throws Exception {
    Pool pool = new Pool(2);
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    pool.map(x -> x, List.of(1, 2, 3, 4));
    executor.submit(() -> 1).get();
    List<Long> pids = new ArrayList<>(pool.workerPids());
    pids.addAll(executor.workerPids());
    System.out.println("workers " + pids);
  }

  @Test
  void aProgramThatNeverClosesItsPoolsExitsAndTakesTheWorkersWithIt() throws Exception {
    try (JavaMain parent = JavaMain.start(PoolExitTest.class)) {
      String line = parent.awaitStdout("workers ", Waits.JOIN);
      assertThat(parent.waitFor(Waits.JOIN)).as("exit code; stderr: %s", parent.stderr()).isZero();
      String list = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
      List<Long> pids = new ArrayList<>();
      for (String p : list.split(", ")) {
        pids.add(Long.parseLong(p.trim()));
      }
      assertThat(pids).hasSize(3);
      for (long pid : pids) {
        assertThat(Pids.awaitGone(pid, Waits.JOIN)).as("worker %d gone", pid).isTrue();
      }
      assertThat(parent.stderr()).doesNotContain("Exception");
    }
  }
}
