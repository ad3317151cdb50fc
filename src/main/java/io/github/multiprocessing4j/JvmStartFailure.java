package io.github.multiprocessing4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Recognises a child JVM that never started, from the first lines of its standard error: the java
 * launcher prints the JVM's reason ({@code Invalid maximum heap size: -Xmx1z}) and then
 * {@code Error: Could not create the Java Virtual Machine.}, or {@code Error: Could not find or
 * load main class ...}, and exits with status 1 before any code of the library runs. Such a child
 * writes no exit report, so without this its {@link Process#failure()} would be empty.
 */
final class JvmStartFailure {

  /** How many lines of a child's standard error are kept for this. */
  static final int HEAD_LINES = 8;
  /** The longest line kept. */
  static final int HEAD_LINE_CHARS = 500;

  private static final String NOT_CREATED = "Error: Could not create the Java Virtual Machine";
  private static final String NO_MAIN = "Error: Could not find or load main class";

  private JvmStartFailure() {}

  /**
   * The failure to report for a child that exited with status 1 and no exit report, or null if its
   * standard error does not show the launcher's own messages.
   *
   * @param head the first lines of the child's standard error
   * @param where the child, for the message
   */
  static RemoteException from(List<String> head, String where) {
    List<String> reason = new ArrayList<>();
    boolean recognised = false;
    for (String line : head) {
      if (line.startsWith(NOT_CREATED)) {
        recognised = true;
        break;
      }
      if (line.startsWith(NO_MAIN) && reason.isEmpty()) {
        reason.add(line.substring("Error: ".length()));
        recognised = true;
        continue;
      }
      if (recognised) {
        if (line.startsWith("Caused by: ")) {
          reason.add(line);
        }
        break;
      }
      reason.add(line);
    }
    if (!recognised) {
      return null;
    }
    if (reason.isEmpty()) {
      reason.add(NOT_CREATED.substring("Error: ".length()));
    }
    String message = "the child JVM did not start: " + String.join("; ", reason);
    return new RemoteException(MultiprocessingException.class.getName(), message, String.join("\n", head) + "\n",
        new StackTraceElement[0], where);
  }
}
