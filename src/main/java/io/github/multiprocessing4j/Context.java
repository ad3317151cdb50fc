package io.github.multiprocessing4j;

import io.github.multiprocessing4j.managers.SyncManager;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * A start method as an object: CPython's context ({@code multiprocessing.get_context(method)}),
 * whose processes, pools and executors all start their child JVMs with that method, whatever the
 * process-wide start method is.
 *
 * <pre>{@code
 * Context ctx = Multiprocessing.getContext("forkserver");
 * Process p = ctx.process(args -> System.out.println(Multiprocessing.getStartMethod()));
 * p.start();                                   // the child prints "forkserver"
 * p.join();
 * System.out.println(p.name());                // ForkServerProcess-1
 * try (Pool pool = ctx.pool(2)) {             // workers ForkServerPoolWorker-2, -3
 *   System.out.println(pool.map(x -> x * x, List.of(1, 2, 3)));
 * }
 * }</pre>
 *
 * <p>There is one context per start method: {@link Multiprocessing#getContext(String)} returns the
 * same instance for the same method, and {@link Multiprocessing#getContext()} the one of the
 * process-wide start method (which that call fixes, as CPython's {@code get_context()} does).
 *
 * <p><b>Names</b> are CPython's: a process created through a context is {@code SpawnProcess-N} or
 * {@code ForkServerProcess-N} (a plain {@code new Process(..)} stays {@code Process-N}; N is the
 * one counter of every process of this JVM), and its {@link Process#toString()} shows that class,
 * {@code <SpawnProcess name='SpawnProcess-1' ...>}. Pool workers are {@code SpawnPoolWorker-N} or
 * {@code ForkServerPoolWorker-N}; executor workers are not renamed ({@code SpawnProcess-N}), as
 * in CPython. A name follows the start method a process is actually started with, so a
 * {@code startMethod(..)} set later on a context's builder (or in a pool's
 * {@code workerOptions}) renames it too.
 *
 * <p><b>Not here:</b> CPython's context also makes queues, pipes, locks and managers, and repeats
 * the module functions. In this library a {@link io.github.multiprocessing4j.connection.Pipe} or
 * {@link io.github.multiprocessing4j.queues.Queue} does not depend on the start method: create
 * them directly ({@code Pipe.open()}, {@code new Queue<>()}), and use them with processes of any
 * context. The module functions are on {@link Multiprocessing}.
 *
 * <p>Contexts are immutable and thread-safe. They are serializable (a target may capture one to
 * start processes in a child); a deserialized context is the instance of its start method.
 */
public final class Context implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final Context SPAWN = new Context(StartMethod.SPAWN.cpythonName);
  private static final Context FORKSERVER = new Context(StartMethod.FORKSERVER.cpythonName);

  /** {@code "spawn"} or {@code "forkserver"}. */
  private final String method;

  private Context(String method) {
    this.method = method;
  }

  /**
   * Returns the context of a start method.
   *
   * @throws NullPointerException if {@code method} is null
   * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
   */
  static Context of(String method) {
    if (method == null) {
      throw new NullPointerException("start method must not be null; Multiprocessing.getContext() gives the"
          + " context of the default start method");
    }
    return of(StartMethod.of(method));
  }

  /** Returns the context of a start method. */
  static Context of(StartMethod method) {
    switch (method) {
      case FORKSERVER:
        return FORKSERVER;
      case SPAWN:
        return SPAWN;
      default:
        throw new AssertionError(method);
    }
  }

  /**
   * Returns this context's start method: CPython's {@code ctx.get_start_method()}.
   *
   * @return {@code "spawn"} or {@code "forkserver"}
   */
  public String getStartMethod() {
    return method;
  }

  /**
   * Always fails, as CPython's {@code ctx.set_start_method(method)} on a concrete context: a
   * context's start method cannot change. Set the process-wide one with
   * {@link Multiprocessing#setStartMethod(String)}, or take another context with
   * {@link Multiprocessing#getContext(String)}.
   *
   * @param method ignored
   * @throws IllegalStateException {@code "cannot set start method of concrete context"}, always
   *     (CPython raises {@code ValueError}; this library's state errors are
   *     {@code IllegalStateException}s)
   */
  public void setStartMethod(String method) {
    setStartMethod(method, false);
  }

  /**
   * Always fails, as CPython's {@code ctx.set_start_method(method, force)} on a concrete context,
   * even with {@code force}.
   *
   * @param method ignored
   * @param force ignored
   * @throws IllegalStateException {@code "cannot set start method of concrete context"}, always
   */
  public void setStartMethod(String method, boolean force) {
    throw new IllegalStateException("cannot set start method of concrete context");
  }

  /**
   * Returns a builder for a process started with this context's start method and named after it
   * ({@code SpawnProcess-N}): CPython's {@code ctx.Process(...)} with options. Every option of
   * {@link Process#builder()} is available; setting {@link Process.Builder#startMethod(String)}
   * on it overrides the context's method (and the name follows).
   *
   * @return a new builder
   */
  public Process.Builder processBuilder() {
    return Process.builder().startMethod(method).contextNaming(Process.Builder.PROCESS);
  }

  /**
   * Creates a process (not started) that runs a target instance or lambda with this context's
   * start method: CPython's {@code ctx.Process(target=f, args=args)}.
   *
   * @param target the target; it and everything it captures must be serializable
   * @param args the positional arguments; each must be serializable
   * @return a new process, named {@code SpawnProcess-N} or {@code ForkServerProcess-N}
   * @throws NullPointerException if {@code target} or {@code args} is null
   */
  public Process process(Target target, Object... args) {
    return processBuilder().target(target).args(args).build();
  }

  /**
   * Creates a process (not started) that runs a target class with this context's start method.
   *
   * @param target a class implementing {@link Target} with a no-argument constructor
   * @param args the positional arguments; each must be serializable
   * @return a new process, named {@code SpawnProcess-N} or {@code ForkServerProcess-N}
   * @throws NullPointerException if {@code target} or {@code args} is null
   * @throws IllegalArgumentException if the class cannot be instantiated
   */
  public Process process(Class<? extends Target> target, Object... args) {
    return processBuilder().target(target).args(args).build();
  }

  /**
   * Returns a builder for a pool whose workers start with this context's start method: CPython's
   * {@code ctx.Pool(...)}, the same as {@code Pool.builder().context(this)}.
   *
   * @return a new builder
   */
  public Pool.Builder poolBuilder() {
    return Pool.builder().context(this);
  }

  /**
   * Creates a pool with one worker per CPU, started with this context's start method, and starts
   * its workers: CPython's {@code ctx.Pool()}.
   *
   * @return the pool; workers are named {@code SpawnPoolWorker-N} or {@code ForkServerPoolWorker-N}
   * @throws MultiprocessingException if a worker cannot be started
   */
  public Pool pool() {
    return poolBuilder().build();
  }

  /**
   * Creates a pool of {@code processes} workers started with this context's start method, and
   * starts them: CPython's {@code ctx.Pool(processes)}.
   *
   * @param processes the number of workers, at least 1
   * @return the pool; workers are named {@code SpawnPoolWorker-N} or {@code ForkServerPoolWorker-N}
   * @throws IllegalArgumentException {@code "Number of processes must be at least 1"}
   * @throws MultiprocessingException if a worker cannot be started
   */
  public Pool pool(int processes) {
    return poolBuilder().processes(processes).build();
  }

  /**
   * Returns a builder for an executor whose workers start with this context's start method:
   * CPython's {@code ProcessPoolExecutor(mp_context=ctx)}, the same as
   * {@code ProcessPoolExecutor.builder().context(this)}.
   *
   * @return a new builder
   */
  public ProcessPoolExecutor.Builder processPoolExecutorBuilder() {
    return ProcessPoolExecutor.builder().context(this);
  }

  /**
   * Creates an executor with up to one worker per CPU, started on demand with this context's
   * start method: CPython's {@code ProcessPoolExecutor(mp_context=ctx)}.
   *
   * @return the executor; workers are named {@code SpawnProcess-N} or {@code ForkServerProcess-N}
   */
  public ProcessPoolExecutor processPoolExecutor() {
    return processPoolExecutorBuilder().build();
  }

  /**
   * Creates an executor with up to {@code maxWorkers} workers, started on demand with this
   * context's start method: CPython's {@code ProcessPoolExecutor(max_workers, mp_context=ctx)}.
   *
   * @param maxWorkers at least 1
   * @return the executor; workers are named {@code SpawnProcess-N} or {@code ForkServerProcess-N}
   * @throws IllegalArgumentException {@code "max_workers must be greater than 0"}
   */
  public ProcessPoolExecutor processPoolExecutor(int maxWorkers) {
    return processPoolExecutorBuilder().maxWorkers(maxWorkers).build();
  }

  /**
   * Starts a {@link SyncManager} whose server process starts with this context's start method,
   * and returns it started: CPython's {@code ctx.Manager()}. Close it (try-with-resources) to
   * shut the server down; it is also shut down when this JVM exits.
   *
   * @return the manager, started; its server is named {@code SyncManager-N}
   * @throws io.github.multiprocessing4j.MultiprocessingException if the server's process cannot
   *     be started or cannot listen
   */
  public SyncManager manager() {
    SyncManager m = new SyncManager(SyncManager.builder().startMethod(method));
    m.start();
    return m;
  }

  /**
   * Describes the context: {@code Context[start_method=spawn]}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "Context[start_method=" + method + "]";
  }

  /**
   * Keeps one instance per start method across serialization.
   *
   * @return the instance of this start method
   * @throws ObjectStreamException {@link InvalidObjectException} for an unknown start method
   */
  private Object readResolve() throws ObjectStreamException {
    try {
      return of(method);
    } catch (RuntimeException e) {
      throw new InvalidObjectException(e.getMessage());
    }
  }
}
