package io.github.multiprocessing4j.pool;

import java.util.stream.Collectors;

/**
 * A parent JVM for {@link PoolFailuresTest}: creates a pool of two workers, keeps one busy in a
 * task held at gate {@code busy} in the directory given as the argument, prints
 * {@code worker-pids=<pid>,<pid>} and {@code ready}, then waits to be killed, or, with a second
 * argument {@code return}, waits until the busy task runs and returns from {@code main} without
 * closing the pool.
 */
public final class PoolParentFixture {

  private PoolParentFixture() {}

  /**
   * Runs the fixture.
   *
   * @param args the gate directory, then optionally {@code return}
   * @throws Exception never expected
   */
  public static void main(String[] args) throws Exception {
    String dir = args[0];
    Pool pool = new Pool(2);
    pool.applyAsync(() -> Gates.pass(dir, "busy"));
    System.out.println("worker-pids=" + pool.workerPids().stream().map(String::valueOf).collect(Collectors.joining(",")));
    System.out.println("ready");
    System.out.flush();
    if (args.length > 1 && args[1].equals("return")) {
      java.nio.file.Path started = java.nio.file.Paths.get(dir, "busy.pid");
      while (!java.nio.file.Files.exists(started)) {
        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
      }
      return;
    }
    Thread.currentThread().join(); // until killed
  }
}
