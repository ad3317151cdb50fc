package io.github.multiprocessing4j.pool;

import java.util.stream.Collectors;

/**
 * A parent JVM for {@link PoolFailuresTest}: creates a pool of two workers, keeps one busy in a
 * task held at gate {@code busy} in the directory given as the argument, prints
 * {@code worker-pids=<pid>,<pid>} and {@code ready}, then waits to be killed.
 */
public final class PoolParentFixture {

  private PoolParentFixture() {}

  /**
   * Runs the fixture.
   *
   * @param args the gate directory
   * @throws Exception never expected
   */
  public static void main(String[] args) throws Exception {
    String dir = args[0];
    Pool pool = new Pool(2);
    pool.applyAsync(() -> Gates.pass(dir, "busy"));
    System.out.println("worker-pids=" + pool.workerPids().stream().map(String::valueOf).collect(Collectors.joining(",")));
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
