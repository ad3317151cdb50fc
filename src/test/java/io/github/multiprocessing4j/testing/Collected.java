package io.github.multiprocessing4j.testing;

import java.lang.ref.ReferenceQueue;
import java.util.concurrent.TimeUnit;

/** Waits for objects to be garbage-collected, for tests that a closed thing leaves nothing behind. */
public final class Collected {

  private Collected() {}

  /**
   * Collects garbage until {@code n} references were enqueued or the time is up.
   *
   * @param q the queue the weak references were registered with
   * @param n how many to wait for
   * @param millis how long to try
   * @return how many were enqueued
   * @throws InterruptedException if interrupted
   */
  public static int await(ReferenceQueue<Object> q, int n, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    int got = 0;
    while (got < n && System.nanoTime() - deadline < 0) {
      System.gc();
      while (got < n && q.remove(50) != null) {
        got++;
      }
    }
    return got;
  }
}
