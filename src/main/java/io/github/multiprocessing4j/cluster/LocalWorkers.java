package io.github.multiprocessing4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A member's own pool of worker JVMs, which runs the tasks callers send to the member, found by the
 * member's instance name.
 */
final class LocalWorkers {

  private static final Map<String, LocalWorkers> BY_MEMBER = new ConcurrentHashMap<>();
  private static final SharedSecrets.PoolAccess<Pool, ProcessPoolExecutor> POOLS =
      SharedSecrets.poolAccess(Pool.class, ProcessPoolExecutor.class);

  private final Pool pool;
  private final String key;
  /** Names the member in failures, once its address is known. */
  private volatile String where;

  private LocalWorkers(Pool pool, String key) {
    this.pool = pool;
    this.key = key;
    this.where = "cluster member " + key;
  }

  /**
   * Starts a member's workers and registers them for its instance, before the member starts: a
   * member publishes its workers as it joins, and a task may come at once.
   *
   * @param instanceName the name the member will have
   * @param workers how many worker JVMs
   * @param options the worker pool's other settings (initializer, maxTasksPerChild...)
   */
  static LocalWorkers start(String instanceName, int workers, Consumer<Pool.Builder> options) {
    Pool.Builder b = Pool.builder();
    options.accept(b);
    LocalWorkers w = new LocalWorkers(b.processes(workers).build(), instanceName);
    BY_MEMBER.put(w.key, w);
    return w;
  }

  /** Names the member by its address once it has started. */
  void startedAs(HazelcastInstance member) {
    where = "cluster member " + member.getCluster().getLocalMember().getAddress();
  }

  /**
   * The workers of a member.
   *
   * @throws IllegalStateException if the member runs none
   */
  static LocalWorkers of(HazelcastInstance member) {
    LocalWorkers w = member == null ? null : BY_MEMBER.get(member.getName());
    if (w == null) {
      throw new IllegalStateException("this cluster member runs no multiprocessing4j workers: "
          + "start members with ClusterMember or Cluster.builder()");
    }
    return w;
  }

  /**
   * Runs a task on a worker here and waits for the worker's answer. Interrupted (the caller
   * cancelled the task: its pool was terminated), it stops the task: the worker running it is
   * killed and replaced.
   */
  byte[] run(byte[] function, byte[] task) throws InterruptedException {
    java.util.concurrent.CompletableFuture<byte[]> answer = POOLS.runMessages(pool, function, task, where);
    try {
      return answer.get();
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("never: the answer is the worker's message", e);
    }
  }

  /** The pids of the worker JVMs now. */
  List<Long> workerPids() {
    return pool.workerPids();
  }

  /** Ends the workers: they are killed, as at a pool's {@code terminate()}. */
  void stop() {
    BY_MEMBER.remove(key, this);
    pool.terminate();
  }
}
