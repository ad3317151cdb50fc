package io.github.multiprocessing4j.pool;

import java.time.Duration;

/**
 * A snapshot of what a {@link Pool} or {@link ProcessPoolExecutor} is doing and has done: its
 * workers, busy and idle, the tasks waiting for a worker, and the tasks finished so far, with
 * their summed latency. What a metrics library needs (the {@code micrometer} package binds these
 * to meters) and what a log line or a health check may print.
 *
 * <p>A <em>task</em> is one message to a worker: an {@code apply}/{@code submit} call, or one chunk
 * of a {@code map}. The counters grow from the pool's creation and never reset; the gauges
 * ({@link #workers()}, {@link #busyWorkers()}, {@link #queuedTasks()}) are read together under the
 * pool's lock, the counters just after. Immutable.
 */
public final class PoolStatistics {

  private final int workers;
  private final int busyWorkers;
  private final int queuedTasks;
  private final long completedTasks;
  private final long failedTasks;
  private final long workerDeaths;
  private final long taskNanos;

  PoolStatistics(int workers, int busyWorkers, int queuedTasks, long completedTasks, long failedTasks,
      long workerDeaths, long taskNanos) {
    this.workers = workers;
    this.busyWorkers = busyWorkers;
    this.queuedTasks = queuedTasks;
    this.completedTasks = completedTasks;
    this.failedTasks = failedTasks;
    this.workerDeaths = workerDeaths;
    this.taskNanos = taskNanos;
  }

  /**
   * Returns the worker processes the pool has now (an executor starts them on demand; a pool
   * replacing a dead worker may be one short for a moment).
   *
   * @return the workers
   */
  public int workers() {
    return workers;
  }

  /**
   * Returns the workers holding at least one task.
   *
   * @return the busy workers
   */
  public int busyWorkers() {
    return busyWorkers;
  }

  /**
   * Returns the workers holding no task.
   *
   * @return {@code workers() - busyWorkers()}
   */
  public int idleWorkers() {
    return workers - busyWorkers;
  }

  /**
   * Returns the tasks submitted that no worker has yet.
   *
   * @return the queued tasks
   */
  public int queuedTasks() {
    return queuedTasks;
  }

  /**
   * Returns the tasks a worker ran and returned from.
   *
   * @return the completed tasks since the pool was created
   */
  public long completedTasks() {
    return completedTasks;
  }

  /**
   * Returns the tasks that ran and failed: the function threw, or its worker died running it.
   * Tasks cancelled before they ran (by {@code terminate()} or {@code cancel}) are not counted.
   *
   * @return the failed tasks since the pool was created
   */
  public long failedTasks() {
    return failedTasks;
  }

  /**
   * Returns the workers that ended while the pool did not ask them to: killed, crashed,
   * {@code System.exit}. A worker that exits after its {@code maxTasksPerChild} tasks is not
   * counted, nor one stopped by {@code shutdown()} or {@code terminate()}.
   *
   * @return the worker deaths since the pool was created
   */
  public long workerDeaths() {
    return workerDeaths;
  }

  /**
   * Returns the summed latency of the completed and failed tasks: for each, from its submission to
   * its answer (or its worker's death), queueing, transfer and run included.
   *
   * @return the total; divide by {@code completedTasks() + failedTasks()} for the mean
   */
  public Duration totalTaskTime() {
    return Duration.ofNanos(taskNanos);
  }

  @Override
  public String toString() {
    return "PoolStatistics[workers=" + workers + ", busy=" + busyWorkers + ", queued=" + queuedTasks
        + ", completed=" + completedTasks + ", failed=" + failedTasks + ", workerDeaths=" + workerDeaths
        + ", totalTaskTime=" + totalTaskTime() + "]";
  }
}
