package io.github.multiprocessing4j.internal.runtime;

/**
 * This JVM's pid, read once. Thread-safe.
 *
 * <p>On Linux it is read from {@code /proc/self}: {@link ProcessHandle#current()} costs a cold
 * JVM about 5 to 10 ms, because {@code ProcessHandleImpl}'s static initialiser creates the JDK's
 * process-reaper executor with lambdas, and a child that only uses a pipe or a queue would pay
 * it on its first operation.
 */
public final class CurrentProcess {

  private CurrentProcess() {}

  /**
   * Returns this JVM's pid.
   *
   * @return the pid, as {@link ProcessHandle#pid()} gives it
   */
  public static long pid() {
    return Holder.PID;
  }

  /** Read when first asked for. */
  private static final class Holder {
    static final long PID = read();
  }

  private static long read() {
    if (new java.io.File("/proc/self/stat").isFile()) {
      try {
        long pid = Long.parseLong(new java.io.File("/proc/self").getCanonicalFile().getName());
        if (pid > 0) {
          return pid;
        }
      } catch (java.io.IOException | NumberFormatException e) {
        // not a usable procfs (another pid namespace, say): ask the JDK
      }
    }
    return ProcessHandle.current().pid();
  }
}
