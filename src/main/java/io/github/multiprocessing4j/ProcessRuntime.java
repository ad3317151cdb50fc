package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-JVM state of the process model: the current and parent process, the name counter, the
 * set of started children, and CPython's exit rules ({@code util._exit_function}): at exit,
 * daemonic children are terminated, then every child is joined.
 *
 * <p>In the main JVM the exit rules run twice over: when the {@code main} thread and every other
 * user thread have ended (a watcher thread), and in a shutdown hook for {@code System.exit}. The
 * JVM itself stays up for non-daemonic children because their waiter threads are non-daemon.
 */
final class ProcessRuntime {

  static final long PID = CurrentProcess.pid();

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Set<Process> CHILDREN = new LinkedHashSet<>(); // guarded by itself
  private static final Object INIT = new Object();
  private static volatile Process current;
  private static volatile Process parent;
  private static boolean exitHandlingInstalled; // guarded by INIT
  private static volatile boolean startedAny;

  private ProcessRuntime() {}

  /**
   * In a child, its inherited authkey from the moment its bootstrap is read: an argument that
   * connects somewhere as it is deserialized (a manager's proxy takes its reference) does so
   * before the child's own Process exists, and must use the key the child will have.
   */
  static volatile byte[] childAuthkey;

  /** The current process: {@code MainProcess} in the main JVM, the child's own Process in a child. */
  static Process current() {
    Process c = current;
    if (c == null) {
      synchronized (INIT) {
        c = current;
        if (c == null) {
          byte[] authkey = childAuthkey;
          if (authkey == null) {
            authkey = new byte[32];
            new SecureRandom().nextBytes(authkey);
          }
          c = Process.mainProcess(authkey);
          current = c;
        }
      }
    }
    return c;
  }

  static Process parent() {
    return parent;
  }

  /** The start method this child was started with, or null in the main JVM. */
  static volatile String inheritedStartMethod;

  /** Called once in a child, before its target runs. */
  static void becomeChild(Process self, Process parentProcess, String startMethod) {
    synchronized (INIT) {
      inheritedStartMethod = startMethod;
      current = self;
      parent = parentProcess;
      exitHandlingInstalled = true; // the child runtime runs the exit rules itself
    }
  }

  static int nextCounter() {
    return COUNTER.incrementAndGet();
  }

  /** Tells whether this JVM has started a child (and so has a runtime directory). */
  static boolean startedAny() {
    return startedAny;
  }

  static void addChild(Process p) {
    startedAny = true;
    installExitHandling();
    synchronized (CHILDREN) {
      CHILDREN.add(p);
    }
  }

  static void removeChild(Process p) {
    synchronized (CHILDREN) {
      CHILDREN.remove(p);
    }
  }

  /** Reaps finished children (as CPython's {@code _cleanup}) and returns the live ones. */
  static List<Process> activeChildren() {
    List<Process> snapshot;
    synchronized (CHILDREN) {
      snapshot = new ArrayList<>(CHILDREN);
    }
    List<Process> alive = new ArrayList<>(snapshot.size());
    for (Process p : snapshot) {
      if (p.reapIfEnded()) {
        removeChild(p);
      } else {
        alive.add(p);
      }
    }
    return alive;
  }

  /**
   * CPython's {@code _exit_function}: terminate the daemonic children, then join every child
   * (non-daemonic ones without a timeout). Safe to run more than once and from several threads.
   */
  static void exitFunction() {
    ExitActions.runBeforeChildren();
    List<Process> children = activeChildren();
    for (Process p : children) {
      if (p.isDaemon()) {
        try {
          p.terminate();
        } catch (IllegalStateException e) {
          // closed by another thread meanwhile: nothing left to terminate
        }
      }
    }
    for (Process p : children) {
      try {
        p.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IllegalStateException e) {
        // closed by another thread meanwhile: it had ended
      }
    }
  }

  private static void installExitHandling() {
    synchronized (INIT) {
      if (exitHandlingInstalled) {
        return;
      }
      exitHandlingInstalled = true;
    }
    ExitActions.setFirst(ProcessRuntime::exitFunction);
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessRuntime::atShutdown, "mp4j-exit"));
    Thread main = findMainThread();
    if (main != null) {
      Thread watcher = new Thread(() -> watchMain(main), "mp4j-main-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  private static void atShutdown() {
    exitFunction();
    ExitActions.runAll(); // channels close only after the children were joined
    RuntimeDir.delete();
  }

  /**
   * Waits until {@code main} and then every other user (non-daemon) thread has ended, as CPython's
   * interpreter waits for its threads before running the exit handlers; then applies the exit rules.
   * The non-daemon waiter threads of non-daemonic children keep the JVM up meanwhile.
   */
  private static void watchMain(Thread main) {
    try {
      main.join();
      for (Thread t; (t = otherUserThread()) != null; ) {
        t.join();
      }
    } catch (InterruptedException e) {
      return;
    }
    exitFunction();
  }

  private static Thread findMainThread() {
    Thread me = Thread.currentThread();
    if ("main".equals(me.getName()) && !me.isDaemon()) {
      return me;
    }
    for (Thread t : allThreads()) {
      if ("main".equals(t.getName()) && !t.isDaemon()) {
        return t;
      }
    }
    return null;
  }

  /** A live non-daemon thread that is not ours and not the launcher's DestroyJavaVM, or null. */
  static Thread otherUserThread() {
    Thread me = Thread.currentThread();
    for (Thread t : allThreads()) {
      // "hz.mp4j-": the threads of a Hazelcast client the library opened for a cluster queue
      // this process received, closed at exit (Hazelcast makes its threads non-daemon).
      if (t != me && t.isAlive() && !t.isDaemon() && !t.getName().startsWith("mp4j-")
          && !t.getName().startsWith("hz.mp4j-") && !"DestroyJavaVM".equals(t.getName())) {
        return t;
      }
    }
    return null;
  }

  /**
   * Whether the calling thread is the only live non-daemon thread, not counting the launcher's
   * DestroyJavaVM: then ending it ends the JVM, as {@code System.exit(0)} would, shutdown hooks
   * included. Unlike {@link #otherUserThread()}, the library's own non-daemon threads count.
   */
  static boolean onlyNonDaemonThread() {
    Thread me = Thread.currentThread();
    for (Thread t : allThreads()) {
      if (t != me && t.isAlive() && !t.isDaemon() && !"DestroyJavaVM".equals(t.getName())) {
        return false;
      }
    }
    return true;
  }

  private static Thread[] allThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int n = root.enumerate(threads, true);
    while (n == threads.length) {
      threads = new Thread[threads.length * 2];
      n = root.enumerate(threads, true);
    }
    Thread[] result = new Thread[n];
    System.arraycopy(threads, 0, result, 0, n);
    return result;
  }
}
