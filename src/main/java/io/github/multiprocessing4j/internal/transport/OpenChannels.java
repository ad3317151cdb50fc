package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.ExitActions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Every channel this JVM has open, so that exit can close them all (see {@link ExitActions}): the
 * peers see the end of the stream at once, and no thread stays blocked in a socket read.
 */
public final class OpenChannels {

  private static final Set<AutoCloseable> OPEN = Collections.newSetFromMap(new IdentityHashMap<>());
  private static boolean registered; // guarded by OPEN

  private OpenChannels() {}

  /**
   * Adds a channel.
   *
   * @param c the channel
   */
  public static void add(AutoCloseable c) {
    boolean register;
    synchronized (OPEN) {
      OPEN.add(c);
      register = !registered;
      registered = true;
    }
    if (register) {
      ExitActions.onExitClose(new CloseAll());
    }
  }

  /**
   * Removes a channel that was closed.
   *
   * @param c the channel
   */
  public static void remove(AutoCloseable c) {
    synchronized (OPEN) {
      OPEN.remove(c);
    }
  }

  private static void closeAll() {
    List<AutoCloseable> all;
    synchronized (OPEN) {
      all = new ArrayList<>(OPEN);
    }
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort at exit
      }
    }
  }

  /**
   * {@link #closeAll()} as a class, not a method reference: a JVM's first use of a method
   * reference spins a class at run time, milliseconds of a new child's first operation.
   */
  private static final class CloseAll implements Runnable {
    @Override
    public void run() {
      closeAll();
    }
  }
}
