package io.github.multiprocessing4j.internal.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * What the library must do when this JVM exits, in order: first the exit rules for child processes
 * (set by the process runtime), then flushing what queues still buffer, then closing every open
 * channel. Closing matters beyond tidiness: a thread blocked reading a socket makes HotSpot wait
 * 300 ms at exit.
 *
 * <p>One shutdown hook, installed on first use, runs them; {@link #runAll()} may also be called
 * directly, and everything runs at most once.
 */
public final class ExitActions {

  private static final List<Runnable> FLUSH = new ArrayList<>(); // guarded by the class
  private static final List<Runnable> CLOSE = new ArrayList<>(); // guarded by the class
  private static final List<Runnable> BEFORE_CHILDREN = new ArrayList<>(); // guarded by the class
  private static Runnable first; // guarded by the class
  private static boolean hookInstalled; // guarded by the class
  private static boolean ran; // guarded by the class

  private ExitActions() {}

  /**
   * Sets what runs before everything else at exit.
   *
   * @param action the child-process exit rules
   */
  public static synchronized void setFirst(Runnable action) {
    first = action;
  }

  /**
   * Adds an action that runs when the exit rules for child processes are applied, before them:
   * pools stop their workers this way, so that none is replaced while the children are being
   * terminated. It may run more than once (when {@code main} ends, and again at shutdown), so it
   * must be idempotent.
   *
   * @param action the action
   */
  public static synchronized void beforeChildren(Runnable action) {
    BEFORE_CHILDREN.add(action);
  }

  /** Runs the {@link #beforeChildren} actions; the exit rules call this first. */
  public static void runBeforeChildren() {
    List<Runnable> todo;
    synchronized (ExitActions.class) {
      todo = new ArrayList<>(BEFORE_CHILDREN);
    }
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        // one failing action must not keep the children from being terminated
      }
    }
  }

  /**
   * Adds an action that flushes buffered data; these run before the channels close.
   *
   * @param action the action
   */
  public static void onExitFlush(Runnable action) {
    add(FLUSH, action);
  }

  /**
   * Adds an action that closes channels.
   *
   * @param action the action
   */
  public static void onExitClose(Runnable action) {
    add(CLOSE, action);
  }

  private static synchronized void add(List<Runnable> list, Runnable action) {
    list.add(action);
    if (!hookInstalled) {
      hookInstalled = true;
      Runtime.getRuntime().addShutdownHook(new Thread(new RunAll(), "mp4j-ipc-exit"));
    }
  }

  /** Runs everything not run yet; later calls return at once. */
  public static void runAll() {
    Runnable f;
    List<Runnable> todo = new ArrayList<>();
    synchronized (ExitActions.class) {
      if (ran) {
        return;
      }
      ran = true;
      f = first;
      todo.addAll(FLUSH);
      todo.addAll(CLOSE);
    }
    if (f != null) {
      f.run();
    }
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        // one failing action must not keep the others from running at exit
      }
    }
  }

  /**
   * {@link #runAll()} as a class, not a method reference: a JVM's first use of a method reference
   * spins a class at run time, milliseconds of a new child's first operation.
   */
  private static final class RunAll implements Runnable {
    @Override
    public void run() {
      runAll();
    }
  }
}
