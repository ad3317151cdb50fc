package io.github.multiprocessing4j.internal.runtime;

/**
 * Makes SIGTERM halt the JVM at once with status 143, running no shutdown hook, as SIGTERM ends a
 * CPython child. Installed by the child runtime through {@link java.util.function.Consumer}; the
 * thread it is given (the child's parent watcher, blocked reading stdin) is interrupted first,
 * because HotSpot's exit waits up to 300 ms for a thread in native code.
 *
 * <p>In a source root of its own: javac warns about {@code sun.misc} on every use, whatever
 * {@code -Xlint} says, and the main sources compile with {@code -Werror}. A direct implementation
 * instead of a reflective {@code Proxy} saves every child JVM dozens of classes at start-up.
 */
public final class SigtermHalt implements sun.misc.SignalHandler, java.util.function.Consumer<Thread> {

  private volatile Thread stopFirst;

  /** Creates the handler; {@link #accept} installs it. */
  public SigtermHalt() {}

  @Override
  public void handle(sun.misc.Signal signal) {
    Thread t = stopFirst;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(200);
      } catch (InterruptedException e) {
        // halting anyway
      }
    }
    Runtime.getRuntime().halt(128 + 15);
  }

  /** Installs the handler; {@code stopFirst} is interrupted and briefly joined before the halt. */
  @Override
  public void accept(Thread stopFirst) {
    this.stopFirst = stopFirst;
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), this);
  }
}
