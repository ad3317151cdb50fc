package io.github.multiprocessing4j.queues;

import java.io.IOException;

/**
 * What tests in other packages may see of this package's implementation, which is package-private:
 * one place, so a test elsewhere never reaches in by reflection.
 */
public final class QueueInternals {

  private QueueInternals() {}

  /**
   * The address of this JVM's queue server, started if it was not.
   *
   * @return {@code unix:<path>} or {@code tcp:<host>:<port>}
   * @throws IOException if the server cannot start
   */
  public static String serverAddress() throws IOException {
    return QueueServer.get().address();
  }
}
