package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.launch.Bootstrap;
import io.github.multiprocessing4j.internal.launch.Handoffs;
import io.github.multiprocessing4j.internal.launch.ExitCodes;
import io.github.multiprocessing4j.internal.runtime.Signals;
import io.github.multiprocessing4j.internal.codec.JavaSerialization;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process: an activity that runs in a separate JVM, the counterpart of CPython's
 * {@code multiprocessing.Process}.
 *
 * <p>A process object is created in the parent with a {@link Target} and its arguments, and
 * {@link #start() started}: a child JVM is launched with the caller's class path, receives the
 * target and arguments over its standard input, and runs the target. The parent can then
 * {@link #join() join} it, {@link #terminate() terminate} or {@link #kill() kill} it, and read its
 * {@link #exitCode() exit code} and, if it failed, {@link #failure() why}.
 *
 * <pre>{@code
 * Process p = new Process(args -> System.out.println("hello " + args.get(0)), "bob");
 * p.start();
 * p.join();
 * assert p.exitCode() == 0;
 * }</pre>
 *
 * <p>As in CPython, a subclass may override {@link #run()} instead of passing a target; its fields
 * are serialized to the child, so they must be serializable.
 *
 * <p><b>Names and identity.</b> The default name is {@code Process-N}, where N counts the processes
 * created in this JVM from 1; a process created in a child is named after its parent's identity
 * ({@code Process-1:2}). The main JVM is {@code MainProcess}. A process created through a
 * {@link Context} is named after its start method, as in CPython: {@code SpawnProcess-N},
 * {@code ForkServerProcess-N} (the same counter).
 *
 * <p><b>Exit codes</b> follow CPython: {@code null} while running, 0 after a normal return, 1 after
 * an uncaught exception (the child prints {@code Process <name>:} and the stack trace to its
 * standard error), {@code n} after {@code System.exit(n)}, {@code -N} when the child was killed by
 * signal N ({@code -15} after {@link #terminate()}, {@code -9} after {@link #kill()}).
 *
 * <p><b>Exit rules.</b> When the parent's {@code main} has ended (and every other non-daemon
 * thread), or on {@code System.exit}, the daemonic children are terminated and the parent JVM stays
 * up until the non-daemonic children end, as CPython's parent does. A daemonic child also halts
 * within moments when its parent dies, even by SIGKILL.
 *
 * <p><b>Errors.</b> Lifecycle misuse throws {@link IllegalStateException} with CPython's message
 * text, e.g. {@code "cannot start a process twice"}; bad arguments throw
 * {@link IllegalArgumentException} or {@link NullPointerException} in the caller's thread, before any
 * JVM is launched.
 *
 * <p>Process objects are thread-safe. They are not {@link Serializable} in the ordinary sense: only
 * {@link #start()} serializes one (a subclass, to its own child).
 */
public class Process implements Serializable {

  private static final long serialVersionUID = 1L;

  private enum State { INITIAL, STARTED, CLOSED }

  /** Set while start() serializes a subclass: the only time a Process may be serialized. */
  private static final ThreadLocal<Process> SENDING = new ThreadLocal<>();

  // Everything is transient: the child gets these through the bootstrap frame; a subclass's own
  // fields are what Java serialization carries. Not final, so the child can initialise them in a
  // deserialized subclass (whose Process constructor never ran).
  private transient Object lock;
  private transient ProcessView view;
  private transient String name;
  /** CPython's context class ({@code SpawnProcess}), shown by {@link #toString()}; null: the class's own name. */
  private transient String typeName;
  private transient int[] identity;
  private transient boolean daemon;
  private transient byte[] authkey;
  private transient Long creatorPid;
  private transient String creatorName;
  /** The target and arguments; null once started, as CPython drops them. */
  private transient TargetCall call;
  private transient LaunchOptions options; // null unless view == CHILD
  private transient volatile State state;
  private transient volatile ChildHandle handle;
  private transient long ownPid;
  /** From the builder, or null for {@link TerminateGrace#fromProperty()} at start(). */
  private transient Duration terminateGrace;

  /**
   * Creates a process without a target, for a subclass that overrides {@link #run()} (or a process
   * that does nothing, as {@code Process()} in CPython).
   */
  public Process() {
    this(builder());
  }

  /**
   * Creates a process running a target class with positional arguments.
   *
   * @param target a class implementing {@link Target} with a no-argument constructor; the child
   *     instantiates it
   * @param args the positional arguments; each must be serializable
   * @throws IllegalArgumentException if the class cannot be instantiated
   * @throws NullPointerException if {@code target} or {@code args} is {@code null}
   */
  public Process(Class<? extends Target> target, Object... args) {
    this(builder().target(target).args(args));
  }

  /**
   * Creates a process running a target instance or lambda with positional arguments.
   *
   * @param target the target; it and everything it captures must be serializable
   * @param args the positional arguments; each must be serializable
   * @throws NullPointerException if {@code target} or {@code args} is {@code null}
   */
  public Process(Target target, Object... args) {
    this(builder().target(target).args(args));
  }

  /**
   * Creates a process from a builder: the constructor for subclasses that want options, e.g.
   * {@code super(Process.builder().name("worker").jvmOptions("-Xmx64m"))}.
   *
   * @param builder the options; later changes to the builder do not affect this process
   * @throws NullPointerException if {@code builder} is {@code null}
   */
  protected Process(Builder builder) {
    Objects.requireNonNull(builder, "builder");
    Process creator = ProcessRuntime.current();
    this.lock = new Object();
    this.view = ProcessView.CHILD;
    this.identity = Arrays.copyOf(creator.identity, creator.identity.length + 1);
    this.identity[creator.identity.length] = ProcessRuntime.nextCounter();
    // A process of a Context is named after its start method, as CPython's SpawnProcess-N; a
    // pool's worker as SpawnPoolWorker-N. A subclass keeps its own name, as in CPython.
    StartMethod method = builder.launch.startMethod;
    if (builder.contextNaming != null && method != null && getClass() == Process.class) {
      this.typeName = method.processType();
    }
    this.name = builder.name != null ? builder.name : defaultName(typeName == null ? reprClassName()
        : typeName.replace(Builder.PROCESS, builder.contextNaming), identity);
    this.daemon = builder.daemon != null ? builder.daemon : creator.daemon;
    this.authkey = creator.authkey.clone();
    this.creatorPid = ProcessRuntime.PID;
    this.creatorName = creator.name;
    this.call = TargetCall.of(builder.target, builder.targetClassName, builder.args, builder.kwargs);
    this.options = builder.launch.build();
    this.terminateGrace = options.terminateGrace;
    this.state = State.INITIAL;
  }

  /** The Process object of the main JVM. */
  static Process mainProcess(byte[] authkey) {
    Process p = new Process(ProcessView.MAIN, "MainProcess", new int[0], authkey, null, null);
    p.ownPid = ProcessRuntime.PID;
    p.state = State.STARTED;
    return p;
  }

  /** The child's view of its parent (CPython's {@code _ParentProcess}). */
  static Process parentProcess(String name, long pid) {
    Process p = new Process(ProcessView.PARENT, name, new int[0], new byte[0], null, null);
    p.ownPid = pid;
    p.state = State.STARTED;
    return p;
  }

  /** For the child runtime: a plain process becoming the current process of a child. */
  static Process forChild() {
    return new Process(ProcessView.SELF, null, null, null, null, null);
  }

  private Process(ProcessView view, String name, int[] identity, byte[] authkey, Long creatorPid, String creatorName) {
    this.lock = new Object();
    this.view = view;
    this.name = name;
    this.identity = identity;
    this.authkey = authkey;
    this.creatorPid = creatorPid;
    this.creatorName = creatorName;
    this.call = TargetCall.NONE;
    // No launch spec: only a CHILD is ever started, and loading LaunchOptions/ChildOutput would cost
    // every child JVM start-up time.
  }

  /** For the child runtime: turns this object (plain or deserialized subclass) into the child itself. */
  final void becomeSelf(Bootstrap b, TargetCall call) {
    this.lock = new Object();
    this.view = ProcessView.SELF;
    this.name = b.name;
    this.typeName = b.typeName;
    this.identity = b.identity;
    this.daemon = b.daemon;
    this.authkey = b.authkey;
    this.creatorPid = b.parentPid;
    this.creatorName = b.parentName;
    this.call = call;
    this.options = null; // never started from here: see the private constructor
    this.ownPid = ProcessRuntime.PID;
    this.state = State.STARTED;
  }

  private static String defaultName(String type, int[] identity) {
    StringBuilder sb = new StringBuilder(type).append('-');
    for (int i = 0; i < identity.length; i++) {
      sb.append(i == 0 ? "" : ":").append(identity[i]);
    }
    return sb.toString();
  }

  /**
   * Returns a builder for a process with options: target, name, arguments, daemon flag, JVM
   * options, system properties, environment, working directory and output redirects.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Module-level functions

  /**
   * Returns the Process object of the current JVM: {@code MainProcess} in a JVM not started by this
   * library, the child's own process object in a child.
   *
   * @return the current process
   */
  public static Process currentProcess() {
    return ProcessRuntime.current();
  }

  /**
   * Returns the parent of the current process, or empty in the main JVM. The parent's
   * {@link #isAlive()} tells whether it still runs, and {@link #join(Duration)} waits for it to end.
   *
   * @return the parent process, if any
   */
  public static Optional<Process> parentProcess() {
    return Optional.ofNullable(ProcessRuntime.parent());
  }

  /**
   * Returns the started children of the current process that have not ended, after reaping those
   * that have (which makes their exit codes available), as CPython's {@code active_children()}.
   *
   * @return a new list of the live children, in start order
   */
  public static List<Process> activeChildren() {
    return ProcessRuntime.activeChildren();
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Runs the process's activity; called in the child. The default calls the target with the
   * positional and keyword arguments, if there is a target. Subclasses may override it.
   *
   * @throws Exception anything the activity throws, which ends the child with exit code 1
   */
  public void run() throws Exception {
    TargetCall c = call;
    if (c != null) {
      c.run();
    }
  }

  /**
   * Starts the process: launches a child JVM that runs {@link #run()}. Returns once the child has
   * been launched and given its bootstrap, without waiting for its JVM to start up.
   *
   * <p>The target and arguments are serialized here, in the caller's thread, so a value that cannot
   * be sent fails this call and no JVM is launched. After a successful start, this object drops its
   * references to the target and arguments, as CPython does.
   *
   * @throws IllegalStateException {@code "process object is closed"}, {@code "cannot start a process
   *     twice"}, {@code "can only start a process object created by current process"}, or
   *     {@code "daemonic processes are not allowed to have children"}
   * @throws IllegalArgumentException if the target or an argument cannot be serialized (the message
   *     names it), the working directory does not exist, or the process takes the default of
   *     {@link Builder#classDataSharing(boolean)} and the system property
   *     {@code multiprocessing4j.classDataSharing} is neither {@code true} nor {@code false}, or
   *     the process takes the default of {@link Builder#terminateGrace(Duration)} and the system
   *     property {@code multiprocessing4j.terminateGrace} is not a duration
   * @throws MultiprocessingException if the JVM cannot be launched
   */
  public void start() {
    io.github.multiprocessing4j.internal.transport.PutFence.await(); // the child sees what this process put
    synchronized (lock) {
      checkNotClosed();
      if (!view.observed() && state != State.INITIAL) {
        throw new IllegalStateException("cannot start a process twice");
      }
      if (!isOwnChild()) {
        throw new IllegalStateException("can only start a process object created by current process");
      }
      if (ProcessRuntime.current().daemon) {
        throw new IllegalStateException("daemonic processes are not allowed to have children");
      }
      if (options.workingDirectory != null && !Files.isDirectory(options.workingDirectory)) {
        throw new IllegalArgumentException("working directory " + options.workingDirectory + " of " + name
            + " is not an existing directory");
      }
      if (terminateGrace == null) {
        terminateGrace = TerminateGrace.fromProperty();
      }
      ProcessRuntime.activeChildren(); // reap, as CPython's _cleanup()
      Handoffs.begin();
      Object started = FlightEvents.recording() ? FlightEvents.processStarting() : null;
      try {
        Bootstrap b = bootstrap();
        handle = ChildHandle.launch(name, daemon, options, b);
      } catch (RuntimeException | Error e) {
        Handoffs.abort();
        throw e;
      }
      Handoffs.end(this::runningQuietly);
      FlightEvents.processStarted(started, name, handle.pid(), handle.startMethod, handle.spareUsed);
      call = null;
      state = State.STARTED;
      ProcessRuntime.addChild(this);
    }
  }

  private Bootstrap bootstrap() {
    Bootstrap b = new Bootstrap();
    b.name = name;
    b.identity = identity;
    b.daemon = daemon;
    b.authkey = authkey;
    b.parentPid = ProcessRuntime.PID;
    b.parentName = creatorName;
    b.typeName = typeName;
    if (getClass() != Process.class) {
      SENDING.set(this);
      try {
        b.processObject = JavaSerialization.serialize(this, "process subclass " + getClass().getName());
      } finally {
        SENDING.remove();
      }
    }
    call.encodeInto(b);
    return b;
  }

  /**
   * Refuses serialization except by {@link #start()}, which sends a subclass to its own child.
   *
   * @param out the stream
   * @throws IOException {@link NotSerializableException} outside {@code start()}
   */
  private void writeObject(ObjectOutputStream out) throws IOException {
    if (SENDING.get() != this) {
      throw new NotSerializableException(getClass().getName() + " (a Process cannot be passed to another process;"
          + " pass what its target needs instead)");
    }
    out.defaultWriteObject();
  }

  /**
   * Waits until the process ends, and its output has been copied. Returns at once if it already
   * ended; may be called any number of times.
   *
   * @throws IllegalStateException {@code "process object is closed"}, {@code "can only join a child
   *     process"} or {@code "can only join a started process"}
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public void join() throws InterruptedException {
    CompletableFuture<Integer> exit = joinable();
    try {
      exit.get();
    } catch (ExecutionException e) {
      throw new AssertionError("the exit future never fails", e);
    }
    ProcessRuntime.removeChild(this);
  }

  /**
   * Waits at most {@code timeout} for the process to end. Unlike CPython's {@code join(timeout)},
   * which returns {@code None} either way, this tells whether the process has ended.
   *
   * @param timeout the longest time to wait; zero or negative polls without waiting, as CPython's
   *     {@code join(-1)} does
   * @return {@code true} if the process has ended, {@code false} if the timeout elapsed first
   * @throws NullPointerException if {@code timeout} is {@code null}
   * @throws IllegalStateException as {@link #join()}
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public boolean join(Duration timeout) throws InterruptedException {
    if (timeout == null) {
      throw new NullPointerException("timeout must not be null; use join() to wait forever");
    }
    CompletableFuture<Integer> exit = joinable();
    try {
      exit.get(Math.max(0, toNanos(timeout)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError("the exit future never fails", e);
    }
    ProcessRuntime.removeChild(this);
    return true;
  }

  private static long toNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE;
    }
  }

  /** The future to wait on: a child's exit, or for the parent process object, the parent's death. */
  private CompletableFuture<Integer> joinable() {
    synchronized (lock) {
      checkNotClosed();
      if (view.observed()) {
        return view.exitFuture();
      }
      if (!isOwnChild()) {
        throw new IllegalStateException("can only join a child process");
      }
      if (state == State.INITIAL) {
        throw new IllegalStateException("can only join a started process");
      }
    }
    return handle.exitFuture();
  }

  /** For objects handed to this child: whether it may still use them. */
  private boolean runningQuietly() {
    try {
      return isAlive();
    } catch (IllegalStateException e) {
      return false; // closed: it had ended
    }
  }

  /**
   * Tells whether the process is running: {@code false} before {@link #start()} and after it
   * ended (reaping it from {@link #activeChildren()}), always {@code true} for the current process.
   * Never blocks.
   *
   * @return whether the process is alive
   * @throws IllegalStateException {@code "process object is closed"}, or {@code "can only test a child
   *     process"} for a process object this JVM did not start
   */
  public boolean isAlive() {
    synchronized (lock) {
      checkNotClosed();
      if (view.observed()) {
        return view.isAlive();
      }
      if (!isOwnChild()) {
        throw new IllegalStateException("can only test a child process");
      }
      if (state == State.INITIAL) {
        return false;
      }
    }
    if (handle.pollExitCode() == null) {
      return true;
    }
    ProcessRuntime.removeChild(this);
    return false;
  }

  /** For activeChildren(): true if this started child has ended. */
  boolean reapIfEnded() {
    ChildHandle h = handle;
    return h == null || h.pollExitCode() != null;
  }

  /**
   * Asks the process to end: sends SIGTERM (on Windows, ends it at once). The child ends at once,
   * without running its shutdown hooks or joining its own children, and its exit code becomes
   * {@code -15}. Does not wait; does nothing if the process already ended. With
   * {@link Builder#killDescendants(boolean)}, the child's descendants get the signal too.
   *
   * <p>Beyond CPython, a child that cannot act on the SIGTERM still ends: one stopped by SIGSTOP
   * (or SIGTSTP) is continued with SIGCONT so that it does (Linux), and one still alive after its
   * {@linkplain Builder#terminateGrace(Duration) grace period} (3 s by default) gets SIGKILL, and
   * its exit code is then {@code -9}. The exit rules, {@code Pool.terminate()} and
   * {@code ProcessPoolExecutor.shutdownNow()} end children this way, so a stuck child cannot keep
   * its parent from exiting.
   *
   * @throws IllegalStateException {@code "process object is closed"} or {@code "process not started"}
   */
  public void terminate() {
    ChildHandle h = signalTarget();
    h.terminate(TerminateGrace.toNanos(terminateGrace));
  }

  /**
   * Kills the process: sends SIGKILL (on Windows, same as {@link #terminate()}). Its exit code
   * becomes {@code -9}. Does not wait; does nothing if the process already ended.
   *
   * @throws IllegalStateException {@code "process object is closed"} or {@code "process not started"}
   */
  public void kill() {
    signal(Signals.SIGKILL);
  }

  private void signal(int signal) {
    signalTarget().signal(signal);
  }

  private ChildHandle signalTarget() {
    ChildHandle h;
    synchronized (lock) {
      checkNotClosed();
      if (view.observed() || state == State.INITIAL) {
        throw new IllegalStateException(!view.observed() ? "process not started"
            : "can only signal a child process; use Multiprocessing.kill(pid, signal) for others");
      }
      h = handle;
    }
    return h;
  }

  /**
   * Releases the resources of an ended (or never started) process and marks the object closed:
   * most methods then throw {@code IllegalStateException("process object is closed")}, while
   * {@link #name()}, {@link #isDaemon()} and {@link #authkey()} still work. Idempotent; a no-op on
   * the current process.
   *
   * @throws IllegalStateException {@code "Cannot close a process while it is still running. You
   *     should first call join() or terminate()."}
   */
  public void close() {
    synchronized (lock) {
      if (view.observed() || state == State.CLOSED) {
        return;
      }
      if (state == State.STARTED && handle.pollExitCode() == null) {
        throw new IllegalStateException(
            "Cannot close a process while it is still running. You should first call join() or terminate().");
      }
      ProcessRuntime.removeChild(this);
      state = State.CLOSED;
    }
  }

  /** Whether this is a child created by this JVM, which alone can start, join and wait for it. */
  private boolean isOwnChild() {
    return !view.observed() && creatorPid == ProcessRuntime.PID;
  }

  private void checkNotClosed() {
    if (state == State.CLOSED) {
      throw new IllegalStateException("process object is closed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Properties

  /**
   * Returns the process's name, used for identification only (names need not be unique).
   *
   * @return the name, e.g. {@code Process-1}
   */
  public String name() {
    synchronized (lock) {
      return name;
    }
  }

  /**
   * Renames the process. Allowed at any time; a running child keeps the name it started with.
   *
   * @param name the new name
   * @throws NullPointerException if {@code name} is {@code null}
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public void setName(String name) {
    String n = Builder.checkName(name);
    synchronized (lock) {
      this.name = n;
    }
  }

  /**
   * Tells whether the process is daemonic: terminated when its parent exits, and not allowed to
   * start children. Defaults to the daemon flag of the process that created it.
   *
   * @return the daemon flag
   */
  public boolean isDaemon() {
    synchronized (lock) {
      return daemon;
    }
  }

  /**
   * Sets the daemon flag; only before {@link #start()}.
   *
   * @param daemon the flag
   * @throws IllegalStateException {@code "process has already started"}, or {@code "process object is
   *     closed"}
   */
  public void setDaemon(boolean daemon) {
    synchronized (lock) {
      checkNotClosed();
      if (state != State.INITIAL) {
        throw new IllegalStateException("process has already started");
      }
      this.daemon = daemon;
    }
  }

  /**
   * Returns the operating-system process id, or {@code null} before {@link #start()}.
   *
   * @return the pid, or {@code null}
   * @throws IllegalStateException {@code "process object is closed"}
   */
  public Long pid() {
    synchronized (lock) {
      checkNotClosed();
      if (view.observed()) {
        return ownPid;
      }
      return handle == null ? null : handle.pid();
    }
  }

  /**
   * Alias of {@link #pid()}, as CPython's {@code ident}.
   *
   * @return the pid, or {@code null}
   * @throws IllegalStateException {@code "process object is closed"}
   */
  public Long ident() {
    return pid();
  }

  /**
   * Returns the pid of the process that created this process object: the parent of a child,
   * {@code null} for {@code MainProcess} and for the parent process object (as CPython's repr shows
   * {@code parent=None}). Use {@link Multiprocessing#getppid()} for the operating system's view.
   *
   * @return the creator's pid, or {@code null}
   */
  public Long ppid() {
    synchronized (lock) {
      return creatorPid;
    }
  }

  /**
   * Returns the exit code: {@code null} while running (or before start), 0, 1 after an uncaught
   * exception, {@code n} after {@code System.exit(n)}, {@code -N} when killed by signal N. Never
   * blocks.
   *
   * @return the exit code, or {@code null}
   * @throws IllegalStateException {@code "process object is closed"}
   */
  public Integer exitCode() {
    ChildHandle h;
    synchronized (lock) {
      checkNotClosed();
      if (view.observed() || state == State.INITIAL) {
        return null;
      }
      h = handle;
    }
    return h.pollExitCode();
  }

  /**
   * Returns why the child failed: its uncaught exception, as a {@link RemoteException} with the
   * remote class name, message and stack trace. For a child whose JVM did not start (a bad JVM
   * option, say), the JVM's own reason, read from the first lines of the child's standard error
   * when it is piped (the default): {@code "the child JVM did not start: Invalid maximum heap
   * size: -Xmx1z"}, with the JVM's lines as the {@linkplain RemoteException#remoteStackTrace()
   * stack trace}. Empty while the child runs, and after any other ending (a normal return,
   * {@code System.exit}, a signal). Right after the child ended, this may wait briefly (at most
   * about 3 s) for its standard error to be read.
   *
   * @return the child's uncaught exception, if it ended with one
   * @throws IllegalStateException {@code "process object is closed"}
   */
  public Optional<RemoteException> failure() {
    ChildHandle h;
    synchronized (lock) {
      checkNotClosed();
      if (view.observed() || state == State.INITIAL) {
        return Optional.empty();
      }
      h = handle;
    }
    return h.pollExitCode() == null ? Optional.empty() : Optional.ofNullable(h.failure());
  }

  /**
   * Returns a future that completes with this process once it has ended and its output has been
   * copied; beyond CPython, like {@link ProcessHandle#onExit()}. Completing or cancelling the
   * returned future does not affect the process.
   *
   * @return a new future of this process
   * @throws IllegalStateException {@code "process not started"}, {@code "process object is closed"},
   *     or for a process object that is not a child of this JVM
   */
  public CompletableFuture<Process> onExit() {
    ChildHandle h;
    synchronized (lock) {
      checkNotClosed();
      if (!isOwnChild()) {
        throw new IllegalStateException("can only wait for a child process");
      }
      if (state == State.INITIAL) {
        throw new IllegalStateException("process not started");
      }
      h = handle;
    }
    return h.exitFuture().thenApply(code -> this);
  }

  /**
   * Returns a copy of the process's authentication key: 32 random bytes in the main process,
   * inherited by each process from the process that created it. It authenticates the library's
   * channels between processes.
   *
   * @return a copy of the key
   */
  public byte[] authkey() {
    synchronized (lock) {
      return authkey.clone();
    }
  }

  /**
   * Replaces the authentication key. Processes created afterwards inherit the new key; a running
   * child keeps the key it started with.
   *
   * @param authkey the new key; copied
   * @throws NullPointerException if {@code authkey} is {@code null}
   * @throws IllegalArgumentException if {@code authkey} is empty
   */
  public void setAuthkey(byte[] authkey) {
    Objects.requireNonNull(authkey, "authkey");
    if (authkey.length == 0) {
      throw new IllegalArgumentException("authkey must not be empty");
    }
    synchronized (lock) {
      this.authkey = authkey.clone();
    }
  }

  /**
   * Returns the process in CPython's repr format, e.g.
   * {@code <Process name='Process-1' pid=4242 parent=4200 stopped exitcode=-SIGTERM daemon>}; a
   * process of a {@link Context} shows CPython's class, e.g.
   * {@code <SpawnProcess name='SpawnProcess-2' parent=4200 initial>}.
   */
  @Override
  public String toString() {
    String status;
    Integer exitCode = null;
    Long pid = null;
    synchronized (lock) {
      ChildHandle h = handle;
      if (view.reprStatus != null) {
        status = view.reprStatus; // a view is never closed: close() is a no-op on it
      } else if (state == State.CLOSED) {
        status = "closed";
      } else if (!isOwnChild()) {
        status = "unknown";
      } else if (h == null) {
        status = "initial";
      } else {
        pid = h.pid();
        exitCode = h.pollExitCode();
        status = exitCode == null ? "started" : "stopped";
      }
    }
    StringBuilder sb = new StringBuilder("<");
    sb.append(view.reprType != null ? view.reprType : reprClassName());
    sb.append(" name='").append(name).append('\'');
    if (pid != null) {
      sb.append(" pid=").append(pid);
    }
    sb.append(" parent=").append(creatorPid == null ? "None" : creatorPid.toString());
    sb.append(' ').append(status);
    if (exitCode != null) {
      sb.append(" exitcode=").append(exitCode < 0 ? "-" + ExitCodes.signalName(-exitCode) : exitCode.toString());
    }
    if (daemon) {
      sb.append(" daemon");
    }
    return sb.append('>').toString();
  }

  private String reprClassName() {
    if (typeName != null) {
      return typeName;
    }
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? "Process" : simple;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Builds a {@link Process} with options. Every setter validates its argument at once; none is
   * required. Not thread-safe; a builder may be reused, each {@link #build()} snapshots it.
   */
  public static final class Builder {

    private Target target;
    private String targetClassName;
    private String name;
    private List<Object> args = List.of();
    private final Map<String, Object> kwargs = new LinkedHashMap<>();
    private Boolean daemon;
    private LaunchOptions.Builder launch = LaunchOptions.builder();
    /**
     * Set by {@link Context}: {@link #PROCESS} names the process after its start method
     * ({@code SpawnProcess-N}), {@link #POOL_WORKER} names a pool's worker
     * ({@code SpawnPoolWorker-N}); null names it after its class ({@code Process-N}).
     */
    String contextNaming;
    static final String PROCESS = "Process";
    static final String POOL_WORKER = "PoolWorker";

    static {
      // The pool package names its workers through the bridge: see SharedSecrets.
      SharedSecrets.setProcessBuilderAccess(Builder.class, b -> b.contextNaming(POOL_WORKER));
    }

    private Builder() {}

    /** For {@link Context}: see {@link #contextNaming}; a pool names its workers itself. */
    Builder contextNaming(String naming) {
      this.contextNaming = naming;
      if (POOL_WORKER.equals(naming)) {
        this.name = null;
      }
      return this;
    }

    /**
     * Sets the target to a class that the child instantiates with its no-argument constructor
     * (which may be non-public).
     *
     * @param target a concrete class implementing {@link Target}
     * @return this builder
     * @throws NullPointerException if {@code target} is {@code null}
     * @throws IllegalArgumentException if the class is abstract, a non-static inner class, or has no
     *     no-argument constructor
     */
    public Builder target(Class<? extends Target> target) {
      Objects.requireNonNull(target, "target");
      TargetCall.checkInstantiable(target);
      this.targetClassName = target.getName();
      this.target = null;
      return this;
    }

    /**
     * Sets the target to a class given by name, loaded here (through the context class loader) to
     * check it, and again in the child.
     *
     * @param className the fully qualified name of a concrete class implementing {@link Target}
     * @return this builder
     * @throws NullPointerException if {@code className} is {@code null}
     * @throws IllegalArgumentException if the class cannot be loaded, does not implement
     *     {@link Target} or cannot be instantiated
     */
    public Builder target(String className) {
      Objects.requireNonNull(className, "className");
      return target(TargetCall.load(className));
    }

    /**
     * Sets the target to an instance or lambda, serialized to the child at {@link Process#start()}.
     *
     * @param target the target
     * @return this builder
     * @throws NullPointerException if {@code target} is {@code null}
     */
    public Builder target(Target target) {
      this.target = Objects.requireNonNull(target, "target");
      this.targetClassName = null;
      return this;
    }

    /**
     * Sets the name. Default: {@code <ClassName>-<identity>}, e.g. {@code Process-3} or
     * {@code Process-1:2} in a child; for a builder from a {@link Context}, the start method's
     * class name as in CPython, e.g. {@code SpawnProcess-3}.
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder name(String name) {
      this.name = checkName(name);
      return this;
    }

    static String checkName(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank; leave it unset for the default Process-N");
      }
      return name;
    }

    /**
     * Sets the positional arguments (CPython's {@code args}), replacing earlier ones. Each must be
     * serializable; this is checked at {@link Process#start()}.
     *
     * @param args the arguments; elements may be {@code null}
     * @return this builder
     * @throws NullPointerException if the array is {@code null}
     */
    public Builder args(Object... args) {
      Objects.requireNonNull(args, "args");
      this.args = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(args)));
      return this;
    }

    /**
     * Adds keyword arguments (CPython's {@code kwargs}).
     *
     * @param kwargs the arguments; values may be {@code null}
     * @return this builder
     * @throws NullPointerException if the map or a key is {@code null}
     * @throws IllegalArgumentException if a key is blank
     */
    public Builder kwargs(Map<String, ?> kwargs) {
      Objects.requireNonNull(kwargs, "kwargs");
      for (Map.Entry<String, ?> e : kwargs.entrySet()) {
        kwarg(e.getKey(), e.getValue());
      }
      return this;
    }

    /**
     * Adds one keyword argument.
     *
     * @param name the keyword
     * @param value the value; may be {@code null}
     * @return this builder
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder kwarg(String name, Object value) {
      Objects.requireNonNull(name, "keyword argument name must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("keyword argument name must not be blank");
      }
      kwargs.put(name, value);
      return this;
    }

    /**
     * Sets the daemon flag. Default: the flag of the process that creates it ({@code false} in the
     * main JVM).
     *
     * @param daemon the flag
     * @return this builder
     */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    /**
     * Sets every launch option at once (JVM options, system properties, environment, working
     * directory, output, class-data sharing, short-lived flags, terminate grace, descendants),
     * replacing those set before; the setters below then change them one by one. A start method
     * left unset in {@code options} keeps this builder's (a {@link Context}'s, for its builder).
     *
     * @param options the options
     * @return this builder
     * @throws NullPointerException if {@code options} is {@code null}
     */
    public Builder launchOptions(LaunchOptions options) {
      Objects.requireNonNull(options, "options");
      StartMethod method = launch.startMethod;
      launch = options.toBuilder();
      if (launch.startMethod == null) {
        launch.startMethod = method;
      }
      return this;
    }

    /**
     * Adds options for the child JVM, as {@link LaunchOptions.Builder#jvmOptions(String...)}: e.g.
     * {@code "-Xmx256m"}, which replaces an {@code -Xmx} inherited from this JVM (see
     * {@link #inheritJvmSettings(boolean)}); class path and main class options are refused.
     *
     * @param options the options
     * @return this builder
     * @throws NullPointerException if an option is {@code null}
     * @throws IllegalArgumentException if an option is blank or conflicts with the launch
     */
    public Builder jvmOptions(String... options) {
      launch.jvmOptions(options);
      return this;
    }

    /**
     * Sets a system property of the child JVM, as
     * {@link LaunchOptions.Builder#systemProperty(String, String)} (on its command line: no secrets).
     *
     * @param key the property name
     * @param value the value
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code key} is blank or contains {@code '='}
     */
    public Builder systemProperty(String key, String value) {
      launch.systemProperty(key, value);
      return this;
    }

    /**
     * Sets an environment variable of the child, on top of the parent's environment.
     *
     * @param name the variable name
     * @param value the value
     * @return this builder
     * @throws NullPointerException if {@code name} or {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code '='} or NUL
     */
    public Builder environment(String name, String value) {
      launch.environment(name, value);
      return this;
    }

    /**
     * Sets environment variables of the child, on top of the parent's environment.
     *
     * @param variables the variables
     * @return this builder
     * @throws NullPointerException if the map, a name or a value is {@code null}
     * @throws IllegalArgumentException as {@link #environment(String, String)}
     */
    public Builder environment(Map<String, String> variables) {
      launch.environment(variables);
      return this;
    }

    /**
     * Sets the child's working directory. Default: the parent's.
     *
     * @param directory an existing directory
     * @return this builder
     * @throws NullPointerException if {@code directory} is {@code null}
     * @throws IllegalArgumentException if it is not an existing directory
     */
    public Builder workingDirectory(Path directory) {
      launch.workingDirectory(directory);
      return this;
    }

    /**
     * Sets where the child's standard output goes. Default: {@link ChildOutput#pump()}.
     *
     * @param stdout the redirect
     * @return this builder
     * @throws NullPointerException if {@code stdout} is {@code null}
     */
    public Builder stdout(ChildOutput stdout) {
      launch.stdout(stdout);
      return this;
    }

    /**
     * Sets where the child's standard error goes. Default: {@link ChildOutput#pump()}.
     *
     * @param stderr the redirect
     * @return this builder
     * @throws NullPointerException if {@code stderr} is {@code null}
     */
    public Builder stderr(ChildOutput stderr) {
      launch.stderr(stderr);
      return this;
    }

    /**
     * Makes {@link Process#terminate()} and {@link Process#kill()} signal the child's descendants
     * too (beyond CPython, which orphans them). Default: {@code false}.
     *
     * @param killDescendants whether to signal descendants
     * @return this builder
     */
    public Builder killDescendants(boolean killDescendants) {
      launch.killDescendants(killDescendants);
      return this;
    }

    /**
     * Sets how long the child may take to end after {@link Process#terminate()} sends it SIGTERM
     * before it gets SIGKILL, as {@link LaunchOptions.Builder#terminateGrace(Duration)}. Default:
     * the system property {@code multiprocessing4j.terminateGrace}, else 3 seconds.
     *
     * @param grace the grace period; zero sends SIGKILL right after SIGTERM if the child is still alive
     * @return this builder
     * @throws NullPointerException if {@code grace} is {@code null}
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder terminateGrace(Duration grace) {
      launch.terminateGrace(grace);
      return this;
    }

    /**
     * Sets how the child JVM is started, for this process only: {@code "spawn"}, a JVM launched
     * for it, or {@code "forkserver"}, a spare JVM launched ahead of time with the same settings
     * (see {@link Multiprocessing#setStartMethod(String)}). Default: the process-wide start method
     * when {@link Process#start()} is called.
     *
     * @param method {@code "spawn"} or {@code "forkserver"}
     * @return this builder
     * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
     */
    public Builder startMethod(String method) {
      launch.startMethod(method);
      return this;
    }

    /**
     * Makes the child JVM use a class-data sharing archive of the classes a child loads, as
     * {@link LaunchOptions.Builder#classDataSharing(boolean)}, which tells how the archive is
     * managed and what it saves. Default: the system property
     * {@code multiprocessing4j.classDataSharing}, else {@code false}.
     *
     * @param classDataSharing whether the child uses an archive
     * @return this builder
     */
    public Builder classDataSharing(boolean classDataSharing) {
      launch.classDataSharing(classDataSharing);
      return this;
    }

    /**
     * Gives the child JVM flags that make a short-lived target start and end faster, as
     * {@link LaunchOptions.Builder#shortLived(boolean)}, which lists them and what they cost.
     * Default: {@code false}.
     *
     * @param shortLived whether the child gets the flags
     * @return this builder
     */
    public Builder shortLived(boolean shortLived) {
      launch.shortLived(shortLived);
      return this;
    }

    /**
     * Sets whether the child inherits this JVM's heap, {@code -D}, assertion and module options,
     * as {@link LaunchOptions.Builder#inheritJvmSettings(boolean)}, which lists them. Default: the
     * system property {@code multiprocessing4j.inheritJvmSettings}, else {@code true}.
     *
     * @param inherit whether the child inherits this JVM's settings
     * @return this builder
     */
    public Builder inheritJvmSettings(boolean inherit) {
      launch.inheritJvmSettings(inherit);
      return this;
    }

    /**
     * Creates the process (not started).
     *
     * @return a new process
     */
    public Process build() {
      return new Process(this);
    }
  }
}
