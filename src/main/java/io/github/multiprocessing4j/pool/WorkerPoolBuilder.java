package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Context;
import io.github.multiprocessing4j.LaunchOptions;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.internal.codec.Messages;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings {@link Pool.Builder} and {@link ProcessPoolExecutor.Builder} share: the worker
 * initializer, the task limit per worker and the options of the worker processes. Setters
 * validate at once and throw in the caller's thread.
 *
 * <p>Builders are not thread-safe.
 *
 * @param <B> the concrete builder
 */
public abstract class WorkerPoolBuilder<B extends WorkerPoolBuilder<B>> {

  byte[] initializer;
  int maxTasksPerChild;
  /** What the pool applies to each worker's builder: {@link #launchOptions}, then {@link #userOptions}. */
  Consumer<Process.Builder> workerOptions = b -> { };
  private LaunchOptions launchOptions;
  private Consumer<Process.Builder> userOptions = b -> { };
  Context context;

  /** For the two builders of this package. */
  WorkerPoolBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Sets a function each worker process runs once when it starts, before any task, with
   * {@code initargs} as its positional arguments (CPython's {@code initializer} and
   * {@code initargs}); a replacement worker runs it too. Typical use: open a connection or load a
   * model into a static field that tasks then use.
   *
   * <p>If it throws, the pool is broken (see {@link BrokenProcessPoolException}) rather than
   * replacing workers forever as CPython's {@code Pool} does. Default: none.
   *
   * @param initializer a serializable lambda, method reference or named class
   * @param initargs its arguments, which must be serializable
   * @return this builder
   * @throws IllegalArgumentException naming the initializer or argument that cannot be serialized
   */
  public B initializer(Target initializer, Object... initargs) {
    Objects.requireNonNull(initializer, "initializer");
    Objects.requireNonNull(initargs, "initargs");
    List<Object> args = Arrays.asList(initargs.clone());
    try {
      Messages.encode(initializer, "the pool's initializer cannot be sent to a worker process");
    } catch (IllegalArgumentException e) {
      String lambda = NotSerializableLambda.explain(initializer);
      if (lambda == null) {
        throw e;
      }
      throw new IllegalArgumentException("the pool's initializer cannot be sent to a worker process: " + lambda, e);
    }
    for (int i = 0; i < initargs.length; i++) {
      Messages.encode(initargs[i], "argument " + i + " of the pool's initializer cannot be sent to a worker process");
    }
    this.initializer = Messages.encode(List.of(initializer, new java.util.ArrayList<>(args)), "the initializer");
    return self();
  }

  /**
   * Sets how many tasks a worker process runs before it exits and is replaced by a fresh one
   * (CPython's {@code maxtasksperchild}), e.g. to release what a leaky library holds. A chunk of
   * a {@code map} counts as one task. Default: no limit.
   *
   * @param maxTasksPerChild at least 1
   * @return this builder
   * @throws IllegalArgumentException if it is less than 1
   */
  public B maxTasksPerChild(int maxTasksPerChild) {
    if (maxTasksPerChild < 1) {
      throw new IllegalArgumentException("maxtasksperchild must be a positive int or None, not " + maxTasksPerChild);
    }
    this.maxTasksPerChild = maxTasksPerChild;
    return self();
  }

  /**
   * Sets the context whose start method the workers are started with: CPython's
   * {@code Pool(context=ctx)} and {@code ProcessPoolExecutor(mp_context=ctx)}. Workers are named
   * after it: {@code SpawnPoolWorker-N} or {@code ForkServerPoolWorker-N} in a {@link Pool},
   * {@code SpawnProcess-N} or {@code ForkServerProcess-N} in a {@link ProcessPoolExecutor}.
   * Default: {@link Multiprocessing#getContext()} when the pool is built, which fixes the
   * process-wide start method, as CPython's {@code get_context()} does; later changes of the
   * process-wide method do not affect the pool. A start method set in
   * {@link #workerOptions(Consumer) workerOptions} takes precedence (and names the workers).
   *
   * @param context the context, e.g. {@code Multiprocessing.getContext("forkserver")}
   * @return this builder
   * @throws NullPointerException if {@code context} is null
   */
  public B context(Context context) {
    this.context = Objects.requireNonNull(context, "context must not be null; leave it unset for the default");
    return self();
  }

  /** The context to build with: the one set, else the default (fixing the start method). */
  Context resolveContext() {
    return context != null ? context : Multiprocessing.getContext();
  }

  /**
   * Sets the options of every worker process: JVM options (heap, flags), system properties,
   * environment, working directory, where output goes; everything {@link Process.Builder} offers.
   * The pool then sets the target and arguments itself and makes the workers daemonic; a
   * {@link Pool} also names its workers ({@code SpawnPoolWorker-N}), whereas an executor's keep a
   * name set here, else the context's ({@code SpawnProcess-N}).
   *
   * <pre>{@code
   * Pool.builder().processes(4)
   *     .workerOptions(w -> w.jvmOptions("-Xmx256m").systemProperty("app.mode", "batch"))
   *     .build();
   * }</pre>
   *
   * <p>The function is applied once when the pool is built, so bad options fail there, and again
   * for every worker started later, after the {@link #launchOptions(LaunchOptions) launch
   * options}, so that it may refine them. Default: the {@link Process.Builder} defaults.
   *
   * @param options sets options on a worker's builder
   * @return this builder
   * @throws IllegalArgumentException (or whatever {@code options} throws) if an option is invalid
   */
  public B workerOptions(Consumer<Process.Builder> options) {
    Objects.requireNonNull(options, "options");
    options.accept(Process.builder());
    this.userOptions = options;
    composeWorkerOptions();
    return self();
  }

  /**
   * Sets the launch options of every worker process (JVM options, system properties, environment,
   * working directory, output, ...), the same value a {@link Process.Builder} takes, so one
   * {@link LaunchOptions} can serve processes, pools and executors alike:
   *
   * <pre>{@code
   * LaunchOptions opts = LaunchOptions.builder().jvmOptions("-Xmx256m").build();
   * Pool.builder().processes(4).launchOptions(opts).build();
   * }</pre>
   *
   * <p>A {@link #workerOptions(Consumer) workerOptions} function runs after these, so it may
   * change them. A start method left unset in the options keeps the pool's
   * {@link #context(Context) context}'s; one set there takes precedence (and names the workers).
   * Default: {@link LaunchOptions#defaults()}.
   *
   * @param options the options; immutable, so later use of them elsewhere does not affect the pool
   * @return this builder
   * @throws NullPointerException if {@code options} is null
   */
  public B launchOptions(LaunchOptions options) {
    this.launchOptions = Objects.requireNonNull(options, "options");
    composeWorkerOptions();
    return self();
  }

  private void composeWorkerOptions() {
    LaunchOptions launch = launchOptions;
    Consumer<Process.Builder> user = userOptions;
    workerOptions = launch == null ? user : b -> user.accept(b.launchOptions(launch));
  }
}
