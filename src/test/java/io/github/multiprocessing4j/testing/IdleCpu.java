package io.github.multiprocessing4j.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the CPU a blocked process uses, for tests that a waiter does not spin. One second
 * measured once after a fixed pause failed on a busy machine: the child's start-up work (JIT
 * compilation, GC) was still running after the pause. A waiter that spins uses about a core in
 * every second; so this measures up to {@code tries} seconds and returns the quietest.
 */
public final class IdleCpu {

  private IdleCpu() {}

  /**
   * Measures one-second windows of a process's CPU time until one uses less than {@code enough}
   * or {@code tries} were measured.
   *
   * @param process the process, which should be blocked meanwhile
   * @param enough a use low enough to stop at
   * @param tries the most windows to measure
   * @return the least CPU time any window used
   */
  public static Duration quietestSecond(ProcessHandle process, Duration enough, int tries) {
    Duration least = null;
    for (int i = 0; i < tries; i++) {
      Duration before = process.info().totalCpuDuration().orElseThrow();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      for (long left; (left = end - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(left);
      }
      Duration used = process.info().totalCpuDuration().orElseThrow().minus(before);
      if (least == null || used.compareTo(least) < 0) {
        least = used;
      }
      if (least.compareTo(enough) < 0) {
        break;
      }
    }
    return least;
  }
}
