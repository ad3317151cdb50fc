package io.github.multiprocessing4j.internal.runtime;

/**
 * Makes SIGTERM halt the JVM at once with status 143, running no shutdown hook, as SIGTERM ends a
 * CPython child. Installed by initialising this class ({@code Class.forName(name, true, loader)}):
 * the thread that initialises it (the child's parent watcher, blocked reading stdin afterwards) is
 * interrupted first, because HotSpot's exit waits up to 300 ms for a thread in native code.
 *
 * <p>Why class initialisation rather than a constructor called through reflection: from JDK 18 a
 * reflective call's first use spins method-handle classes (on JDK 25 through the class-file API),
 * several milliseconds of every child's start-up; a class initialiser runs with no reflection.
 *
 * <p>In a source root of its own: javac warns about {@code sun.misc} on every use, whatever
 * {@code -Xlint} says, and the main sources compile with {@code -Werror}. A direct implementation
 * instead of a reflective {@code Proxy} saves every child JVM dozens of classes at start-up.
 */
public final class SigtermHalt implements sun.misc.SignalHandler {

  static {
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), new SigtermHalt(Thread.currentThread()));
  }

  private final Thread stopFirst;

  private SigtermHalt(Thread stopFirst) {
    this.stopFirst = stopFirst;
  }

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
}
