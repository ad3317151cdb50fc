package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.launch.Bootstrap;
import io.github.multiprocessing4j.internal.launch.ExitReport;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.codec.JavaSerialization;
import io.github.multiprocessing4j.internal.codec.SerialFilters;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The child side of a process, CPython's {@code BaseProcess._bootstrap}, and the main class of
 * every child JVM: reads the {@link Bootstrap} frame from stdin, becomes the process the parent
 * started, runs it, reports how it ended, applies the exit rules and exits. Started by
 * {@link Process#start()}, never by hand.
 *
 * <p>Everything here runs on the child's start-up path, so it avoids what costs a cold JVM
 * milliseconds: lambdas and method references, {@code ProcessHandle}, {@code CompletableFuture},
 * and Java serialization unless a value needs it; every class it loads costs a child JVM about
 * 0.3 ms, which is why the entry point lives here rather than in a class of its own.
 */
final class ChildRuntime {

  /**
   * Holds the future that completes when the parent is gone (the child's stdin reached its end).
   * A holder, not a field of this class: CompletableFuture's static initialiser (ForkJoinPool,
   * VarHandles) costs a child milliseconds, and only the parent watcher and parentProcess().join()
   * need it.
   */
  private static final class ParentDeath {
    static final CompletableFuture<Integer> FUTURE = new CompletableFuture<>();
  }
  /** Set once the child's main chose its exit code, so the shutdown hook knows the exit is ours. */
  private static volatile boolean exitChosen;
  /** The thread that entered {@link #main}: the launcher's, whose end ends the JVM. */
  private static Thread mainThread;
  /**
   * Whether {@code System.exit} logs through {@code System.getLogger} (JDK 21 and later), whose
   * first call searches every jar of the class path for a logging backend: 80 ms of a child's exit
   * on JDK 25 with 20 jars. Where it does, a child whose work is done ends its main thread instead,
   * which ends the JVM as well, unless the search is known done ({@link #exitBySystemExit}).
   */
  private static final boolean EXIT_LOGS = Runtime.version().feature() >= 21;
  private static volatile String statusFile;
  /** A spare's UTF-8 streams for stdout and stderr, made while it waited; null in a cold child. */
  private static PrintStream spareOut;
  private static PrintStream spareErr;

  static CompletableFuture<Integer> parentDeath() {
    return ParentDeath.FUTURE;
  }

  private ChildRuntime() {}

  /**
   * Entry point of a child JVM.
   *
   * @param args ignored: everything comes over stdin, so nothing secret is on the command line
   */
  public static void main(String[] args) {
    mainThread = Thread.currentThread();
    // The raw descriptor, not System.in: the user's code gets an empty System.in, as in CPython.
    FileInputStream stdin = new FileInputStream(FileDescriptor.in);
    // The watcher installs the SIGTERM handler while this thread reads and decodes the bootstrap;
    // it starts watching stdin once the bootstrap has been read from it.
    ParentWatcher watcher = new ParentWatcher(stdin);
    Thread watcherThread = new Thread(null, watcher, "mp4j-parent-watcher", 32 * 1024, false);
    watcherThread.setDaemon(true);
    watcher.thread = watcherThread;
    watcherThread.start();
    Bootstrap bootstrap;
    try {
      if (Boolean.getBoolean(Tunable.SPARE_KEY)) { // a constant: loads neither Tunable nor Spares
        // A spare: warms up, then waits here until its parent hands it a process. Its watcher
        // thread was started above, so a process it serves does not pay for that either.
        SpareWarmUp.run();
        // Made now, used only if the process pipes its output (the streams are unused otherwise).
        spareOut = utf8(FileDescriptor.out);
        spareErr = utf8(FileDescriptor.err);
        // Tells the parent this spare is warm: one byte on stdout, before any output of the process
        // it will serve, which the parent's pump drops.
        new FileOutputStream(FileDescriptor.out).write(Spares.READY_MARK);
        int first = stdin.read();
        if (first < 0) {
          // Discarded, or its parent died, before it got a process: the JVM ends with this thread
          // (see the end of run for why not System.exit), unless a thread of its warm-up lives on.
          if (exitBySystemExit()) {
            System.exit(0);
          }
          return;
        }
        bootstrap = Bootstrap.read(new java.io.SequenceInputStream(
            new ByteArrayInputStream(new byte[] {(byte) first}), stdin));
      } else {
        bootstrap = Bootstrap.read(stdin);
      }
    } catch (Bootstrap.TooLarge e) {
      // The heap the array did not fit is free again: enough to say so where failure() looks.
      System.err.println("multiprocessing4j child: " + e.getMessage());
      if (e.statusFile != null) {
        ExitReport.writeFailure(e.statusFile, e);
      }
      System.exit(1);
      return;
    } catch (IOException e) {
      System.err.println("multiprocessing4j child: " + e.getMessage());
      System.exit(2);
      return;
    }
    watcher.watch(bootstrap.daemon);
    run(bootstrap, watcher);
  }

  private static void run(Bootstrap b, ParentWatcher watcher) {
    if (b.utf8Stdout) {
      System.setOut(spareOut != null ? spareOut : utf8(FileDescriptor.out));
    }
    if (b.utf8Stderr) {
      System.setErr(spareErr != null ? spareErr : utf8(FileDescriptor.err));
    }
    System.setIn(new ByteArrayInputStream(new byte[0]));
    statusFile = b.statusFile;

    Process self = null;
    TargetCall call = TargetCall.NONE;
    Throwable setupError = null;
    ProcessRuntime.childAuthkey = b.authkey.clone(); // arguments may connect as they are read
    try {
      call = TargetCall.decode(b);
      if (b.processObject != null) {
        self = (Process) JavaSerialization.deserialize(b.processObject, "process subclass");
      }
    } catch (Exception | LinkageError | OutOfMemoryError e) {
      // OutOfMemoryError: an argument too large for this child's heap, reported as any failure.
      setupError = e;
    }
    if (self == null) {
      self = Process.forChild();
    }
    self.becomeSelf(b, call);
    ProcessRuntime.becomeChild(self, Process.parentProcess(b.parentName, b.parentPid), b.startMethod);

    // Only once SIGTERM halts the JVM may the exit hook exist: a SIGTERM that ran the hook would be
    // recorded as an orderly exit (143, not -15) and would wait for this child's children.
    watcher.awaitHandlerInstalled();
    ExitHook exitHook = new ExitHook(watcher);
    Thread exitHookThread = new Thread(exitHook, "mp4j-exit");
    Runtime.getRuntime().addShutdownHook(exitHookThread);

    int code;
    try {
      if (setupError != null) {
        throw setupError;
      }
      self.run();
      code = 0;
    } catch (Throwable t) {
      System.err.println("Process " + self.name() + ":");
      t.printStackTrace();
      ExitReport.writeFailure(statusFile, t);
      code = 1;
    }
    // As a CPython child: wait for the non-daemon threads, then the exit rules (terminate daemonic
    // children, join the others), then exit.
    try {
      for (Thread t; (t = ProcessRuntime.otherUserThread()) != null; ) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessRuntime.exitFunction();
    exitChosen = true;
    if (!ProcessRuntime.startedAny()) {
      // The exit hook's work, done by this thread: as a shutdown hook it costs the exit a thread
      // start and a join (about 1 ms of a warm start to join). Removed only once done, so that an
      // exit by another thread meanwhile still stops the watcher; if one has begun, the hook runs
      // as well, which is harmless. Not for a child that started processes: its runtime directory
      // must outlive the user's shutdown hooks, as it does when the hook deletes it beside them.
      exitHook.run();
      try {
        Runtime.getRuntime().removeShutdownHook(exitHookThread);
      } catch (IllegalStateException e) {
        // another thread's exit is in progress and runs the hook too
      }
    }
    if (code == 0 && Thread.currentThread() == mainThread && !exitBySystemExit()) {
      // Ending the main thread ends the JVM with status 0 and runs the shutdown hooks, as
      // System.exit(0) does, without Runtime.exit's logging (see EXIT_LOGS): 120 ms of a trivial
      // child's CPU on JDK 25 with 20 jars.
      return;
    }
    System.exit(code); // else the exit hook stops the watcher and flushes the output
  }

  /**
   * Whether a successful end should call {@code System.exit(0)} rather than end the main thread:
   * where exit does not log (before JDK 21); where the logging backend has been looked for already
   * (the library initialised {@code ObjectInputFilter.Config}: a spare's warm-up, Java
   * serialization, a compact message on JDK 22+), as then {@code System.exit} is the faster end,
   * by about 0.5 ms; and where another non-daemon thread lives, which ending the main thread would
   * wait for.
   */
  private static boolean exitBySystemExit() {
    return !EXIT_LOGS || SerialFilters.filterConfigInitialised() || !ProcessRuntime.onlyNonDaemonThread();
  }

  private static PrintStream utf8(FileDescriptor fd) {
    return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 8192), true, StandardCharsets.UTF_8);
  }

  /**
   * Reads the rest of stdin; its end means the parent is gone. A daemonic child then halts at once,
   * even when the parent was SIGKILLed and ran no shutdown hook. Installs the SIGTERM handler
   * first, while the main thread decodes the bootstrap, and starts reading 100 ms after the
   * bootstrap ({@code multiprocessing4j.parentWatchDelayMillis}), so that a parent's death is
   * noticed at most that much later.
   */
  private static final class ParentWatcher implements Runnable {
    private final FileInputStream stdin;
    private boolean handlerInstalled; // guarded by this
    private Boolean daemon; // guarded by this; null until the bootstrap has been read
    volatile Thread thread;

    ParentWatcher(FileInputStream stdin) {
      this.stdin = stdin;
    }

    /** Lets the watcher read stdin, now that the bootstrap has been read from it. */
    synchronized void watch(boolean daemonChild) {
      daemon = daemonChild;
      notifyAll();
    }

    synchronized void awaitHandlerInstalled() {
      boolean interrupted = false;
      while (!handlerInstalled) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Takes the watcher out of its blocking read before the JVM exits: HotSpot's exit waits up to
     * 300 ms for any thread still in native code, which a thread blocked reading a pipe is.
     * Interrupting a read on a FileChannel (unlike one on a FileInputStream) ends it at once, and
     * the interrupt returns only once the reader has left the read: it closes the channel, which
     * signals every thread in its I/O and waits until they are out. So this does not join the
     * watcher: its thread's own end (about 0.5 ms on a loaded machine) overlaps the JVM's exit.
     */
    void stop() {
      Thread t = thread;
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
      }
    }

    @Override
    public void run() {
      try {
        haltOnSigterm();
      } finally {
        synchronized (this) {
          handlerInstalled = true;
          notifyAll();
        }
      }
      boolean daemonChild;
      synchronized (this) {
        try {
          while (daemon == null) {
            wait();
          }
          // A child that ends within this delay never opens the channel, whose classes and native
          // libraries cost a new JVM 4-5 ms of CPU; an end of stdin meanwhile is still there to
          // read when it does.
          long delay = Math.min(Math.max(Long.getLong(Tunable.PARENT_WATCH_DELAY_KEY, 100), 0), 86_400_000L) * 1_000_000L;
          long end = System.nanoTime() + delay;
          for (long left = delay; left > 0; left = end - System.nanoTime()) {
            wait(left / 1_000_000 + 1);
          }
        } catch (InterruptedException e) {
          return; // this JVM is exiting: see stop()
        }
        daemonChild = daemon;
      }
      FileChannel channel = stdin.getChannel();
      ByteBuffer buf = ByteBuffer.allocateDirect(256); // direct: the read needs no temporary buffer
      try {
        while (channel.read(buf) >= 0) {
          buf.clear(); // nothing else is sent yet; keep reading until the end
        }
      } catch (ClosedByInterruptException e) {
        return; // this child is exiting: see stop()
      } catch (IOException e) {
        // a broken pipe is an end too
      }
      ParentDeath.FUTURE.complete(0);
      if (daemonChild) {
        Runtime.getRuntime().halt(1);
      }
    }
  }

  /**
   * Makes SIGTERM end this JVM at once with status 143 and no shutdown hooks, as SIGTERM ends a
   * CPython child: a JVM's default SIGTERM handling runs the hooks, and the exit hook joins this
   * child's non-daemonic children, which would make {@code terminate()} wait for them. The
   * handler first stops the calling thread, the watcher (see {@link ParentWatcher#stop()}). Once
   * per JVM (it is a class's initialiser). Best effort: does
   * nothing where {@code sun.misc.Signal} or SIGTERM is missing; on Windows, where nobody sends
   * SIGTERM, installing it is harmless.
   */
  private static void haltOnSigterm() {
    try {
      // SigtermHalt is compiled apart from the main sources (see its comment); its initialiser,
      // run by this thread, installs the handler with this thread as the one to stop first.
      Class.forName("io.github.multiprocessing4j.internal.runtime.SigtermHalt", true,
          ChildRuntime.class.getClassLoader());
    } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
      // Without the handler SIGTERM still ends the child, only through its shutdown hooks.
    }
  }

  /** On an exit the child's main did not choose ({@code System.exit(n)} in user code). */
  private static final class ExitHook implements Runnable {
    private final ParentWatcher watcher;

    ExitHook(ParentWatcher watcher) {
      this.watcher = watcher;
    }

    @Override
    public void run() {
      watcher.stop();
      if (!exitChosen) {
        ProcessRuntime.exitFunction();
        ExitReport.writeOrderly(statusFile);
      }
      // Output printed without a final newline is still in the buffer on System.exit(n).
      System.out.flush();
      System.err.flush();
      if (ProcessRuntime.startedAny()) { // else there is no runtime directory to delete
        RuntimeDir.delete();
      }
    }
  }
}
