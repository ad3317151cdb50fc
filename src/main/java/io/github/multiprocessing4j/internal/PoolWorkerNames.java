package io.github.multiprocessing4j.internal;

import io.github.multiprocessing4j.Process;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link WorkerPool} names a pool's workers as CPython does ({@code SpawnPoolWorker-N},
 * {@code ForkServerPoolWorker-N}): the setting lives in {@link Process.Builder}, package-private
 * in the API package, so {@code io.github.multiprocessing4j.Context} installs this hook when it is
 * initialised (a pool always holds a context, so it is installed before any pool starts a worker).
 */
public final class PoolWorkerNames {

  private static volatile Consumer<Process.Builder> hook;

  private PoolWorkerNames() {}

  /**
   * Installs the hook; called once, by {@code Context}.
   *
   * @param namer sets a builder to name its process as a pool worker, replacing a name set before
   */
  public static void install(Consumer<Process.Builder> namer) {
    hook = Objects.requireNonNull(namer, "namer");
  }

  /**
   * Makes the builder's process a pool worker by name: {@code <Method>PoolWorker-<identity>}.
   *
   * @param b a builder from a context, its options applied
   */
  static void apply(Process.Builder b) {
    Consumer<Process.Builder> h = hook;
    if (h == null) {
      throw new IllegalStateException("Context was not initialised before a pool started a worker");
    }
    h.accept(b);
  }
}
