package io.github.multiprocessing4j.internal.access;

import java.util.concurrent.CompletableFuture;

/**
 * Workers that run a pool's tasks somewhere else than in worker processes of this JVM (the members
 * of a cluster), described in JDK types only so that the pool engine needs nothing of whoever
 * provides them. The engine hands each task over as the pool protocol's messages and keeps
 * everything else of a pool (order, chunks, callbacks, states) as for local workers.
 *
 * <p>Implementations are thread-safe.
 */
public interface RemoteWorkers {

  /**
   * The number of tasks the workers run at once now (for a cluster: the workers of its members);
   * it may change at any time.
   *
   * @return zero or more
   */
  int capacity();

  /**
   * Registers what to call when {@link #capacity()} may have grown; called at most once.
   *
   * @param listener run from any thread, never under a lock of the implementation
   */
  void onCapacityChange(Runnable listener);

  /**
   * Runs one task.
   *
   * @param function the pool protocol's DEFINE message of the task's function
   * @param task the pool protocol's TASK message
   * @return completes with the OK or ERROR message that answers the task (its task id need not be
   *     the one sent), or exceptionally when the task could not be run; cancelled when the pool
   *     is terminated
   */
  CompletableFuture<byte[]> run(byte[] function, byte[] task);

  /**
   * Names the workers in messages, e.g. {@code "cluster 'dev' (3 members)"}.
   *
   * @return a short description
   */
  String describe();
}
