package io.github.multiprocessing4j.internal;

/**
 * Makes SIGTERM halt the JVM at once with status 143, running no shutdown hook, as SIGTERM ends a
 * CPython child. Installed by {@link Signals#haltOnSigterm(Runnable)} through {@link java.util.function.Consumer}.
 *
 * <p>In a source root of its own: javac warns about {@code sun.misc} on every use, whatever
 * {@code -Xlint} says, and the main sources compile with {@code -Werror}. A direct implementation
 * instead of a reflective {@code Proxy} saves every child JVM dozens of classes at start-up.
 */
final class SigtermHalt implements sun.misc.SignalHandler, java.util.function.Consumer<Runnable> {

  private volatile Runnable beforeHalt;

  @Override
  public void handle(sun.misc.Signal signal) {
    Runnable r = beforeHalt;
    if (r != null) {
      r.run();
    }
    Runtime.getRuntime().halt(128 + 15);
  }

  /** Installs the handler; {@code beforeHalt} runs first, in the handler's thread. */
  @Override
  public void accept(Runnable beforeHalt) {
    this.beforeHalt = beforeHalt;
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), this);
  }
}
