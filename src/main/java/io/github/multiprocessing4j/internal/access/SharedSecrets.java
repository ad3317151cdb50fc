package io.github.multiprocessing4j.internal.access;

import java.util.Objects;

/**
 * The one door between the public packages for what one needs of another's package-private
 * implementation, as the JDK's {@code jdk.internal.access.SharedSecrets}: the package that owns
 * the secret registers an accessor when its class initialises, and the package that needs it asks
 * here. Nothing else in the library reaches across packages by a static hook or by reflection.
 *
 * <p>The accessors are typed by the API class they work on, which this package never names (it
 * uses nothing of the library): the caller passes the class, and the answer is checked against
 * the class the accessor was registered for. Today there is one secret:
 *
 * <ul>
 *   <li>{@link ProcessBuilderAccess}: registered by {@code Process.Builder}; a pool names its
 *       workers as CPython does ({@code SpawnPoolWorker-N}) through it.
 * </ul>
 *
 * <p>Beside it, {@link ObjectRef} keeps the other registry of the pattern: each package that sends
 * its objects by name registers the resolver of their serialized form there.
 *
 * <p>Thread-safe: accessors are published through volatile fields.
 */
public final class SharedSecrets {

  private static volatile Registered<?> processBuilderAccess;
  private static volatile PoolAccess<?, ?> poolAccess;

  private SharedSecrets() {}

  /**
   * What a pool needs of a process builder that the builder's public API does not offer.
   *
   * @param <B> the builder type
   */
  public interface ProcessBuilderAccess<B> {
    /**
     * Names the builder's process as a pool worker ({@code <Method>PoolWorker-<identity>}),
     * replacing a name set before, as CPython's pool renames its workers.
     *
     * @param builder a builder from a context, its options applied
     */
    void nameAsPoolWorker(B builder);
  }

  private record Registered<B>(Class<B> type, ProcessBuilderAccess<B> access) {}

  /**
   * Registers the process builder's accessor; called once, by the builder class's initialiser.
   *
   * @param type the builder class
   * @param access the accessor
   * @param <B> the builder type
   */
  public static <B> void setProcessBuilderAccess(Class<B> type, ProcessBuilderAccess<B> access) {
    processBuilderAccess = new Registered<>(Objects.requireNonNull(type), Objects.requireNonNull(access));
  }

  /**
   * The process builder's accessor, its class initialised first if it was not.
   *
   * @param type the builder class
   * @param <B> the builder type
   * @return the accessor
   * @throws IllegalStateException if the class registered none, or registered it for another class
   */
  @SuppressWarnings("unchecked") // checked: the registered type is the one asked for
  public static <B> ProcessBuilderAccess<B> processBuilderAccess(Class<B> type) {
    Registered<?> r = processBuilderAccess;
    if (r == null) {
      initialize(type);
      r = processBuilderAccess;
    }
    if (r == null || r.type() != type) {
      throw new IllegalStateException(type.getName() + " registered no accessor");
    }
    return (ProcessBuilderAccess<B>) r.access();
  }

  /**
   * What the cluster package needs of the pool package: pools whose tasks {@link RemoteWorkers}
   * run, and a local pool that runs a task given as the pool protocol's messages.
   *
   * @param <P> the pool type
   * @param <E> the executor type
   */
  public interface PoolAccess<P, E> {
    /**
     * A pool whose tasks the given workers run.
     *
     * @param workers where the tasks run
     * @return a running pool
     */
    P pool(RemoteWorkers workers);

    /**
     * An executor whose tasks the given workers run.
     *
     * @param workers where the tasks run
     * @return a running executor
     */
    E executor(RemoteWorkers workers);

    /**
     * Runs a task given as messages on a local pool's workers.
     *
     * @param pool the local pool
     * @param function the DEFINE message of the task's function
     * @param task the TASK message
     * @param where names this JVM in failures, e.g. a cluster member's address
     * @return completes with the OK or ERROR message answering the task, never exceptionally
     */
    java.util.concurrent.CompletableFuture<byte[]> runMessages(P pool, byte[] function, byte[] task, String where);
  }

  /**
   * Registers the pool package's accessor; called once, by the pool class's initialiser.
   *
   * @param access the accessor
   */
  public static void setPoolAccess(PoolAccess<?, ?> access) {
    poolAccess = Objects.requireNonNull(access);
  }

  /**
   * The pool package's accessor, the pool class initialised first if it was not.
   *
   * @param <P> the pool type
   * @param <E> the executor type
   * @param pool the pool class
   * @param executor the executor class
   * @return the accessor
   * @throws IllegalStateException if the pool class registered none
   */
  @SuppressWarnings("unchecked") // the pool package registers the accessor of exactly these types
  public static <P, E> PoolAccess<P, E> poolAccess(Class<P> pool, Class<E> executor) {
    if (poolAccess == null) {
      initialize(pool);
    }
    PoolAccess<?, ?> a = poolAccess;
    if (a == null) {
      throw new IllegalStateException(pool.getName() + " registered no accessor");
    }
    return (PoolAccess<P, E>) a;
  }

  private static void initialize(Class<?> type) {
    try {
      Class.forName(type.getName(), true, type.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(type.getName() + " cannot be initialised", e);
    }
  }
}
