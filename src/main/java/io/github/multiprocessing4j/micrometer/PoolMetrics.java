package io.github.multiprocessing4j.micrometer;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.PoolStatistics;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Binds the meters of a {@link Pool} or {@link ProcessPoolExecutor} to a Micrometer registry,
 * read from its {@link Pool#statistics() statistics()} whenever the registry polls:
 *
 * <pre>{@code
 * Pool pool = new Pool(4);
 * new PoolMetrics(pool, "thumbnails").bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters, each tagged {@code pool=<name>} and with the extra tags given</caption>
 *   <tr><th>Name</th><th>Type</th><th>What</th></tr>
 *   <tr><td>{@code multiprocessing4j.pool.workers.busy}</td><td>gauge</td><td>workers holding a task</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.workers.idle}</td><td>gauge</td><td>workers holding none</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.tasks.queued}</td><td>gauge</td><td>tasks no worker has yet</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.tasks.completed}</td><td>function counter</td><td>tasks that
 *       returned</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.tasks.failed}</td><td>function counter</td><td>tasks that threw,
 *       or whose worker died running them</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.tasks}</td><td>function timer</td><td>count and total time,
 *       submission to outcome, of the completed and failed tasks</td></tr>
 *   <tr><td>{@code multiprocessing4j.pool.workers.deaths}</td><td>function counter</td><td>workers that
 *       ended unasked (killed, crashed, {@code System.exit})</td></tr>
 * </table>
 *
 * <p>A task is one message to a worker: a call, or one chunk of a map. The latency is a
 * {@link FunctionTimer} (count, total, mean), not a {@code Timer} with a histogram: the pool keeps
 * sums, not a distribution; the JDK Flight Recorder's {@code multiprocessing4j.PoolTask} events give
 * each task's times.
 *
 * <p>The registry holds the pool weakly, as Micrometer's own executor metrics do: a pool dropped by
 * the program is not kept alive by its meters (which then read NaN). Instances are immutable and
 * thread-safe; binding one to several registries is fine.
 */
@SuppressWarnings("exports") // Micrometer's types in the API: its users require Micrometer anyway
public final class PoolMetrics implements MeterBinder {

  /** The meters' names start with it; not one string, which would read as a system property. */
  private static final String PREFIX = "multiprocessing4j" + ".pool.";

  private final Object owner;
  private final Function<Object, PoolStatistics> read;
  private final Tags tags;

  /**
   * Meters for a pool.
   *
   * @param pool the pool
   * @param name the value of the {@code pool} tag, e.g. what the pool is for
   * @param tags more tags for every meter
   * @throws NullPointerException if an argument is null
   */
  public PoolMetrics(Pool pool, String name, Tag... tags) {
    this(pool, o -> ((Pool) o).statistics(), name, tags);
  }

  /**
   * Meters for an executor.
   *
   * @param executor the executor
   * @param name the value of the {@code pool} tag
   * @param tags more tags for every meter
   * @throws NullPointerException if an argument is null
   */
  public PoolMetrics(ProcessPoolExecutor executor, String name, Tag... tags) {
    this(executor, o -> ((ProcessPoolExecutor) o).statistics(), name, tags);
  }

  private PoolMetrics(Object owner, Function<Object, PoolStatistics> read, String name, Tag... tags) {
    this.owner = Objects.requireNonNull(owner, "pool");
    this.read = read;
    this.tags = Tags.of(tags).and("pool", Objects.requireNonNull(name, "name"));
  }

  /**
   * Registers the meters.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Function<Object, PoolStatistics> r = read; // the meters must not hold this binder's owner strongly
    Gauge.builder(PREFIX + "workers.busy", owner, o -> r.apply(o).busyWorkers())
        .description("Pool workers holding a task").tags(tags).register(registry);
    Gauge.builder(PREFIX + "workers.idle", owner, o -> r.apply(o).idleWorkers())
        .description("Pool workers holding no task").tags(tags).register(registry);
    Gauge.builder(PREFIX + "tasks.queued", owner, o -> r.apply(o).queuedTasks())
        .description("Pool tasks no worker has yet").tags(tags).register(registry);
    FunctionCounter.builder(PREFIX + "tasks.completed", owner, o -> r.apply(o).completedTasks())
        .description("Pool tasks that returned").tags(tags).register(registry);
    FunctionCounter.builder(PREFIX + "tasks.failed", owner, o -> r.apply(o).failedTasks())
        .description("Pool tasks that threw, or whose worker died running them").tags(tags).register(registry);
    FunctionCounter.builder(PREFIX + "workers.deaths", owner, o -> r.apply(o).workerDeaths())
        .description("Pool workers that ended unasked: killed, crashed, System.exit").tags(tags).register(registry);
    FunctionTimer.builder(PREFIX + "tasks", owner,
            o -> { PoolStatistics s = r.apply(o); return s.completedTasks() + s.failedTasks(); },
            o -> r.apply(o).totalTaskTime().toNanos(), TimeUnit.NANOSECONDS)
        .description("Pool tasks finished, and their time from submission to outcome").tags(tags).register(registry);
  }
}
