package io.github.multiprocessing4j.sync;

/**
 * What tests and benchmarks in other packages may see of this package's implementation, which is
 * package-private: one place, so nothing elsewhere reaches in by reflection.
 */
public final class SyncInternals {

  private SyncInternals() {}

  /**
   * Makes this JVM listen for wakes, as a waiter does before it parks.
   *
   * @return false if this platform has no wake socket
   */
  public static boolean ensureParkListening() {
    return ParkingLot.ensureListening();
  }

  /**
   * The number of processes registered as waiting on the event.
   *
   * @param e the event
   * @return the waiters now
   */
  public static int waiters(Event e) {
    return e.cell().waiters();
  }
}
