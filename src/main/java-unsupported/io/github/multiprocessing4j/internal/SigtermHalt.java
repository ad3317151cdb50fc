package io.github.multiprocessing4j.internal;

/**
 * Makes SIGTERM halt the JVM at once with status 143, running no shutdown hook, as SIGTERM ends a
 * CPython child. Installed by {@link Signals#haltOnSigterm()} through {@link Runnable}.
 *
 * <p>In a source root of its own: javac warns about {@code sun.misc} on every use, whatever
 * {@code -Xlint} says, and the main sources compile with {@code -Werror}. A direct implementation
 * instead of a reflective {@code Proxy} saves every child JVM dozens of classes at start-up.
 */
final class SigtermHalt implements sun.misc.SignalHandler, Runnable {

  @Override
  public void handle(sun.misc.Signal signal) {
    Runtime.getRuntime().halt(128 + 15);
  }

  @Override
  public void run() {
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), this);
  }
}
