package io.github.multiprocessing4j.bench;

/**
 * A daemon thread that ends a bench main that has run too long ({@code System.exit(3)}), so a hung
 * run does not hold the machine; the worker processes of its pools are daemonic and die with it.
 */
final class Watchdog {

  private Watchdog() {}

  /** Starts the watchdog: after {@code timeoutS} seconds it prints why and exits with status 3. */
  static void start(String bench, long timeoutS) {
    long deadline = timeoutS * 1000;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(deadline); // a deadline, not synchronisation
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("# " + bench + ": timed out after " + timeoutS + " s");
      System.exit(3);
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
