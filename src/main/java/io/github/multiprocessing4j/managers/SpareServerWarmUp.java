package io.github.multiprocessing4j.managers;

/**
 * What a {@code forkserver} spare JVM that may become a manager's process does while it waits:
 * {@link BaseManager#start()} names this class in the process's
 * {@code multiprocessing4j.spareWarmUp}, and a spare initialises the classes named there. Its
 * initialiser takes the paths of a server's first connection and call ({@link ServerWarmUp}) at
 * once, on the spare's thread, which has nothing else to do; a manager's process started on that
 * spare finds them loaded and linked. Nothing here has an effect a process could observe.
 */
final class SpareServerWarmUp {

  static {
    ServerWarmUp.run();
  }

  private SpareServerWarmUp() {}
}
