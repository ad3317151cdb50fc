package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.SerializableCallable;
import java.util.Locale;

/**
 * A cold program: its first {@code Pool(2)} to the first result, in a JVM that has run nothing of
 * the library before (unlike {@link PoolBench}, whose parent is warm by the time it measures), then
 * the pool's end. Prints {@code first_result N ms}; time the whole program from outside to see its
 * exit too. BENCHMARKS.md ("Cold paths", the library's archive) runs it in a loop with and without
 * {@code -Dmultiprocessing4j.classDataSharing=true}.
 */
public final class FirstPoolProgram {

  private FirstPoolProgram() {}

  /**
   * Runs the program.
   *
   * @param args ignored
   * @throws Exception if the pool fails
   */
  public static void main(String[] args) throws Exception {
    SerializableCallable<Object> noop = () -> 1;
    long t0 = System.nanoTime();
    Pool pool = new Pool(2);
    try {
      pool.apply(noop);
      System.out.printf(Locale.ROOT, "first_result %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    } finally {
      pool.terminate();
      pool.join();
    }
  }
}
