package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.launch.Bootstrap;
import io.github.multiprocessing4j.internal.launch.ClassDataSharing;
import io.github.multiprocessing4j.internal.launch.Classpath;
import io.github.multiprocessing4j.internal.launch.ExitCodes;
import io.github.multiprocessing4j.internal.launch.ExitReport;
import io.github.multiprocessing4j.internal.launch.InheritedJvmOptions;
import io.github.multiprocessing4j.internal.launch.RemoteFailure;
import io.github.multiprocessing4j.internal.runtime.Limits;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.launch.SelectorProviderOption;
import io.github.multiprocessing4j.internal.launch.DefaultJvmFlags;
import io.github.multiprocessing4j.internal.launch.ShortLivedFlags;
import io.github.multiprocessing4j.internal.runtime.Signals;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A launched child JVM as its parent sees it: the OS process, its output pumps, and its exit, which
 * one waiter thread per child observes. The waiter is a non-daemon thread for a non-daemonic child,
 * so the parent JVM stays up until such a child ends, as a CPython parent does.
 */
final class ChildHandle {

  private static final Logger LOG = Log.get(ChildHandle.class);
  /** Numbers the status files in this JVM's runtime directory. */
  private static final AtomicLong LAUNCHED = new AtomicLong();
  /** After the child exited, how long its output may take to drain before join() returns anyway. */
  private static final long DRAIN_MILLIS = 2_000;

  private final Path statusFile;
  private final boolean killDescendants;
  private final List<Thread> pumps = new ArrayList<>(2);
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile int signalSent;
  /** For the flight recorder's events: the start method's name, whether a spare served, when. */
  String startMethod;
  boolean spareUsed;
  private long launchedAt;
  private String name;
  private java.lang.Process os; // guarded by this until launched; then effectively final
  private boolean launched; // guarded by this
  private String where; // guarded by this
  private Integer exitCode; // guarded by this
  private RemoteException failure; // guarded by this
  /** Exited with status 1 and no report: perhaps a JVM that never started (see JvmStartFailure). */
  private boolean mayNotHaveStarted; // guarded by this
  /** The first lines of the child's standard error, when piped. */
  private final List<String> stderrHead = new ArrayList<>(JvmStartFailure.HEAD_LINES); // guarded by itself
  /** Runs in each waiter once its child has exited, before the exit is told; for tests of a failing waiter. */
  static volatile java.util.function.Consumer<String> afterExitForTests;
  /** The waiter thread, interrupted when a kill deadline is set so that it waits for that instead. */
  private Thread waiter; // guarded by this
  /** Whether the waiter is in waitFor(), so that an interrupt reaches nothing else. */
  private boolean waiting; // guarded by this
  /** Whether a SIGKILL is due at killDeadline (nanoTime), set by terminate(grace). */
  private boolean killDue; // guarded by this
  private long killDeadline; // guarded by this

  private ChildHandle(Path statusFile, boolean killDescendants) {
    this.statusFile = statusFile;
    this.killDescendants = killDescendants;
  }

  /**
   * Launches the child JVM, writes its bootstrap frame, and starts its pumps and waiter.
   *
   * @throws MultiprocessingException if the JVM cannot be launched
   */
  static ChildHandle launch(String name, boolean daemon, LaunchOptions options, Bootstrap bootstrap) {
    List<String> command = new ArrayList<>();
    String java = Paths.get(System.getProperty("java.home"), "bin", Signals.WINDOWS ? "java.exe" : "java").toString();
    command.add(java);
    boolean cds = options.classDataSharing != null ? options.classDataSharing : ClassDataSharing.enabledByDefault();
    // This JVM's inherited settings first, then the library's flags, so that an option of the
    // user's wins; the inherited options the user's replace are dropped.
    List<String> inherited = inheritsJvmSettings(options)
        ? InheritedJvmOptions.keptBeside(InheritedJvmOptions.ofThisJvm(), options.jvmOptions,
            options.systemProperties.keySet())
        : List.of();
    // The library's defaults before the inherited options and the user's, so that either wins.
    List<String> jvmOptions = new ArrayList<>(DefaultJvmFlags.flags());
    for (String o : inherited) {
      if (!o.startsWith("-D")) { // inherited properties go with the others, after the library's
        jvmOptions.add(o);
      }
    }
    if (options.shortLived) {
      List<String> chosen = new ArrayList<>(jvmOptions);
      chosen.addAll(options.jvmOptions);
      jvmOptions.addAll(ShortLivedFlags.flags(chosen));
    }
    jvmOptions.addAll(options.jvmOptions);
    Path dir = RuntimeDir.get();
    List<String> classpath = Classpath.entries();
    List<String> classpathArgs;
    try {
      classpathArgs = Classpath.commandLineArgs(classpath);
    } catch (IOException e) {
      throw new MultiprocessingException("cannot write the class path argument file for " + name + ": " + e, e);
    }
    if (cds) {
      ClassDataSharing.Use use = ClassDataSharing.use(java, jvmOptions, classpath, classpathArgs,
          ChildRuntime.class.getName());
      command.addAll(use.options());
      List<String> shared = use.classpath(classpath);
      if (shared != classpath) {
        try {
          classpathArgs = Classpath.commandLineArgs(shared);
        } catch (IOException e) {
          throw new MultiprocessingException("cannot write the class path argument file for " + name + ": " + e, e);
        }
      }
    }
    command.addAll(jvmOptions);
    for (Tunable t : Tunable.values()) { // program-wide defaults (patterns and numbers, not secrets)
      String v = t.value();
      if (t.inherited() && v != null && !options.systemProperties.containsKey(t.key())) {
        command.add("-D" + t.key() + "=" + v);
      }
    }
    String quiet = Log.childOption(options.systemProperties.containsKey("slf4j.internal.verbosity")
        || jvmOptions.stream().anyMatch(o -> o.startsWith("-Dslf4j.internal.verbosity="))
        || inherited.stream().anyMatch(o -> o.startsWith("-Dslf4j.internal.verbosity=")));
    if (quiet != null) {
      command.add(quiet); // SLF4J's no-provider warning once (this JVM's), not again by every child
    }
    String nio = SelectorProviderOption.forChild(classpath, jvmOptions, options.systemProperties.keySet());
    if (nio != null) {
      command.add(nio); // the child's first socket skips a scan of every jar for a provider
    }
    for (String o : inherited) {
      if (o.startsWith("-D")) {
        command.add(o);
      }
    }
    for (Map.Entry<String, String> p : options.systemProperties.entrySet()) {
      command.add("-D" + p.getKey() + "=" + p.getValue());
    }
    command.addAll(classpathArgs);
    command.add(ChildRuntime.class.getName());

    ProcessBuilder pb = builder(command, options);
    pb.redirectOutput(redirect(options.stdout));
    pb.redirectError(redirect(options.stderr));
    StartMethod method = options.startMethod != null ? options.startMethod : DefaultStartMethod.get(false);
    java.lang.Process spare = method.takeSpare(command, options.workingDirectory, options.environment,
        options.stdout.piped() && options.stderr.piped(), c -> builder(c, options));

    ChildHandle handle = new ChildHandle(dir.resolve("child-" + LAUNCHED.incrementAndGet() + ".status"),
        options.killDescendants);
    bootstrap.statusFile = handle.statusFile.toString();
    bootstrap.startMethod = method.cpythonName;
    handle.startMethod = method.cpythonName;
    handle.spareUsed = spare != null;
    bootstrap.utf8Stdout = options.stdout.piped();
    bootstrap.utf8Stderr = options.stderr.piped();
    byte[] frame = bootstrap.toFrame();

    if (options.stdout.piped()) {
      handle.pumps.add(new OutputPump(handle, options.stdout, false, name, spare != null));
    }
    if (options.stderr.piped()) {
      handle.pumps.add(new OutputPump(handle, options.stderr, true, name, spare != null));
    }
    Thread waiter = new Thread(null, handle::await, "mp4j-waiter-" + name, 64 * 1024, false);
    waiter.setDaemon(daemon);
    synchronized (handle) {
      handle.waiter = waiter;
    }
    if (spare != null) {
      // A spare has booted: it becomes the process as soon as it has the frame, so the frame goes
      // first and the threads start while the spare decodes it. A thread start waits for the new
      // thread to be scheduled, which on a loaded machine costs a millisecond or more each.
      handle.launched(spare, name);
      writeFrame(spare, frame, name);
      LOG.debug("started {} in spare pid {}: {}", name, spare.pid(), command);
      startThreads(handle, waiter, spare);
      return handle;
    }
    // A new JVM: the threads start first, as it boots for milliseconds on every core; they wait
    // for launched().
    startThreads(handle, waiter, null);
    java.lang.Process os = null;
    try {
      os = pb.start();
    } catch (IOException e) {
      throw new MultiprocessingException("cannot launch the JVM of " + name + " (" + command.get(0) + "): " + e, e);
    } finally {
      handle.launched(os, name);
    }
    LOG.debug("started {} as pid {}: {}", name, os.pid(), command);
    writeFrame(os, frame, name);
    return handle;
  }

  /** Starts the pumps and the waiter; if that fails, kills {@code os} (when launched) so that it is not left behind. */
  private static void startThreads(ChildHandle handle, Thread waiter, java.lang.Process os) {
    try {
      for (Thread pump : handle.pumps) {
        pump.start();
      }
      waiter.start();
    } catch (RuntimeException | Error e) {
      if (os != null) {
        os.destroyForcibly();
      }
      throw e;
    }
  }

  /**
   * Writes the bootstrap frame. The stdin pipe stays open for the child's whole life: its end tells
   * the child that the parent is gone. The frame fits the pipe buffer in the common case, so this
   * does not wait for the child.
   */
  private static void writeFrame(java.lang.Process os, byte[] frame, String name) {
    OutputStream stdin = os.getOutputStream();
    try {
      stdin.write(frame);
      stdin.flush();
    } catch (IOException e) {
      // The JVM died before reading (a bad JVM option, say): its exit code and stderr tell why.
      LOG.debug("could not write the bootstrap of {}: {}", name, e.toString());
    }
  }

  /** Whether the child inherits this JVM's settings: its options' choice, else the system property's. */
  private static boolean inheritsJvmSettings(LaunchOptions options) {
    if (options.inheritJvmSettings != null) {
      return options.inheritJvmSettings;
    }
    String v = Tunable.INHERIT_JVM_SETTINGS.value();
    if (v == null || v.isBlank() || v.strip().equalsIgnoreCase("true")) {
      return true;
    }
    if (v.strip().equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("system property " + Tunable.INHERIT_JVM_SETTINGS.key()
        + " must be true or false, not '" + v + "'");
  }

  private synchronized void launched(java.lang.Process os, String name) {
    this.os = os;
    this.where = os == null ? name : name + ", pid " + os.pid();
    this.launched = true;
    this.launchedAt = System.nanoTime();
    this.name = name;
    notifyAll();
  }

  /** Waits until {@link #launch} has started the JVM; returns it, or null if that failed. */
  synchronized java.lang.Process awaitLaunch() {
    boolean interrupted = false;
    while (!launched) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return os;
  }

  /** A builder for the command, with the options' directory and environment and piped streams. */
  private static ProcessBuilder builder(List<String> command, LaunchOptions options) {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (options.workingDirectory != null) {
      pb.directory(options.workingDirectory.toFile());
    }
    RuntimeDir.exportTo(pb.environment()); // the private directories used instead of unsafe ones
    pb.environment().putAll(options.environment);
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    pb.redirectError(ProcessBuilder.Redirect.PIPE);
    return pb;
  }

  private static ProcessBuilder.Redirect redirect(ChildOutput out) {
    switch (out.kind()) {
      case INHERIT:
        return ProcessBuilder.Redirect.INHERIT;
      case DISCARD:
        return ProcessBuilder.Redirect.DISCARD;
      case FILE:
        return ProcessBuilder.Redirect.to(out.file().toFile());
      case APPEND:
        return ProcessBuilder.Redirect.appendTo(out.file().toFile());
      default:
        return ProcessBuilder.Redirect.PIPE;
    }
  }

  private void await() {
    if (awaitLaunch() == null) {
      return; // the JVM could not be launched: start() reports it
    }
    try {
      awaitExitAndTell();
    } catch (RuntimeException | Error e) {
      tellExitAfterFailure(e);
    }
  }

  /**
   * A waiter that failed must still tell the exit, which {@code join()} and every exit callback
   * wait for: seen when a build rewrote the library's class files under a running JVM, and the
   * waiter could not load a class it needed (the parent hung in {@code join()}). The output may
   * not be drained then; the failure is logged.
   */
  private void tellExitAfterFailure(Throwable e) {
    while (true) {
      try {
        os.waitFor();
        break;
      } catch (InterruptedException interrupt) {
        os.destroyForcibly(); // only terminate() interrupts the waiter: its kill deadline is moot now
      }
    }
    int code;
    try {
      code = resolve();
    } catch (RuntimeException | Error again) {
      code = os.exitValue();
    }
    exit.complete(code);
    try {
      LOG.error("the waiter of {} (pid {}) failed; its exit ({}) is told, its output may be incomplete", name,
          os.pid(), code, e);
    } catch (RuntimeException | Error logging) {
      e.printStackTrace(); // the logger's classes failed too: System.err is what is left
    }
  }

  private void awaitExitAndTell() {
    awaitExitKillingWhenDue();
    java.util.function.Consumer<String> hook = afterExitForTests;
    if (hook != null) {
      hook.accept(name);
    }
    boolean interrupted = false;
    int code = resolve();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
    for (Thread pump : pumps) {
      try {
        pump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      os.getOutputStream().close();
    } catch (IOException e) {
      // already closed by the child's exit
    }
    synchronized (this) {
      if (mayNotHaveStarted && failure == null) {
        List<String> head;
        synchronized (stderrHead) {
          head = new ArrayList<>(stderrHead);
        }
        failure = JvmStartFailure.from(head, where);
      }
    }
    if (FlightEvents.recording()) {
      FlightEvents.processExited(name, os.pid(), code, code < 0 ? ExitCodes.signalName(-code) : null,
          System.nanoTime() - launchedAt);
    }
    exit.complete(code);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for the OS process to end, sending SIGKILL when a deadline set by {@link #terminate}
   * passes first. The waiter does this, not a timer, so a stuck child costs no thread of its own;
   * an interrupt means a deadline was set (only {@link #terminate} interrupts this thread).
   */
  private void awaitExitKillingWhenDue() {
    synchronized (this) {
      waiting = true;
    }
    while (true) {
      try {
        long left;
        synchronized (this) {
          left = killDue ? killDeadline - System.nanoTime() : Long.MAX_VALUE;
        }
        if (left == Long.MAX_VALUE) {
          os.waitFor();
          break;
        }
        if (left > 0) {
          if (os.waitFor(left, TimeUnit.NANOSECONDS)) {
            break;
          }
          continue;
        }
        synchronized (this) {
          killDue = false;
        }
        if (os.isAlive()) {
          LOG.debug("{} did not end within its terminate grace period after SIGTERM: sending SIGKILL", where());
          signal(Signals.SIGKILL);
        }
      } catch (InterruptedException e) {
        // terminate() set a kill deadline: wait for it
      }
    }
    synchronized (this) {
      waiting = false;
    }
    Thread.interrupted(); // one sent just before waiting turned false: it is not for the pumps' joins
  }

  private synchronized String where() {
    return where;
  }

  /**
   * Ends the child: SIGTERM now (a stopped child is continued, so that it acts on it), SIGKILL if it
   * is still alive {@code graceNanos} later. Does not wait; a no-op once exited.
   */
  void terminate(long graceNanos) {
    signal(Signals.SIGTERM);
    if (Signals.WINDOWS || !os.isAlive()) {
      return; // on Windows SIGTERM already ended it for good
    }
    // A stopped JVM acts on no signal but SIGKILL until continued; continued, it acts on the SIGTERM.
    Signals.continueIfStopped(os.pid());
    synchronized (this) {
      long deadline = System.nanoTime() + Math.max(0, graceNanos);
      if (killDue && killDeadline - deadline <= 0) {
        return; // an earlier terminate() already set a deadline as soon or sooner
      }
      killDue = true;
      killDeadline = deadline;
      if (waiting) {
        waiter.interrupt();
      }
    }
  }

  /** Computes the exit code once the OS process has ended; idempotent. */
  private synchronized int resolve() {
    if (exitCode == null) {
      // Only called once the process has ended, so after launched().
      ExitReport report = ExitReport.readAndDelete(statusFile, where);
      RemoteFailure f = report.failure();
      failure = f == null ? null : new RemoteException(f.className(), f.message(), f.trace(), f.frames(), f.where());
      exitCode = ExitCodes.decode(os.exitValue(), report.orderly(), signalSent);
      mayNotHaveStarted = os.exitValue() == 1 && !report.orderly() && failure == null;
    }
    return exitCode;
  }

  long pid() {
    return os.pid();
  }

  /** The exit code if the child has ended, else {@code null}; never blocks. */
  Integer pollExitCode() {
    return os.isAlive() ? null : resolve();
  }

  /**
   * The child's failure. For a child that may never have started, waits (briefly) until its
   * standard error has been read, which tells.
   */
  RemoteException failure() {
    synchronized (this) {
      if (failure != null || !mayNotHaveStarted || exit.isDone()) {
        return failure;
      }
    }
    try {
      exit.get(DRAIN_MILLIS + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // answered with what is known now
    }
    synchronized (this) {
      return failure;
    }
  }

  /** Keeps the first lines of the child's standard error (called by its pump). */
  void stderrLine(byte[] line, int len) {
    synchronized (stderrHead) {
      if (stderrHead.size() < JvmStartFailure.HEAD_LINES) {
        String s = new String(line, 0, len, java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
        stderrHead.add(s.length() > JvmStartFailure.HEAD_LINE_CHARS ? s.substring(0, JvmStartFailure.HEAD_LINE_CHARS) : s);
      }
    }
  }

  /** Completes with the exit code once the child has ended and its output has drained. */
  CompletableFuture<Integer> exitFuture() {
    return exit;
  }

  /** Sends SIGTERM or SIGKILL, to the descendants first if so configured; a no-op once exited. */
  void signal(int signal) {
    if (!os.isAlive()) {
      return;
    }
    signalSent = signal;
    if (killDescendants) {
      // Collected before any is signalled: a child whose parent died is reparented and would no
      // longer be found as a descendant.
      List<ProcessHandle> descendants = new ArrayList<>();
      os.descendants().forEach(descendants::add);
      for (ProcessHandle d : descendants) {
        destroy(d, signal);
      }
    }
    destroy(os.toHandle(), signal);
  }

  private static void destroy(ProcessHandle handle, int signal) {
    // ProcessHandle, not java.lang.Process.destroy(): the latter also closes the child's stdin,
    // which the child would take for its parent's death and exit on its own before the signal.
    if (signal == Signals.SIGKILL) {
      handle.destroyForcibly();
    } else {
      handle.destroy();
    }
  }

}
