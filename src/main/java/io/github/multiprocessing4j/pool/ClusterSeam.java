package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.access.RemoteWorkers;
import io.github.multiprocessing4j.internal.access.SharedSecrets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What the cluster package gets of this one, through {@link SharedSecrets} so that neither imports
 * the other: a {@link Pool} or {@link ProcessPoolExecutor} whose tasks run on other machines, and a
 * local pool that runs a task arriving as messages. A cluster-backed pool is thus this package's
 * own pool, with its whole surface, over a {@link RemoteChannel}.
 */
final class ClusterSeam implements SharedSecrets.PoolAccess<Pool, ProcessPoolExecutor> {

  private ClusterSeam() {}

  /** Registers the seam; by {@link Pool}'s initialiser. */
  static void register() {
    SharedSecrets.setPoolAccess(new ClusterSeam());
  }

  @Override
  public Pool pool(RemoteWorkers workers) {
    return new Pool(new WorkerPool(Objects.requireNonNull(workers), false));
  }

  @Override
  public ProcessPoolExecutor executor(RemoteWorkers workers) {
    return new ProcessPoolExecutor(new WorkerPool(Objects.requireNonNull(workers), true));
  }

  @Override
  public CompletableFuture<byte[]> runMessages(Pool pool, byte[] function, byte[] task, String where) {
    return pool.engine().runMessages(function, task, where);
  }
}
