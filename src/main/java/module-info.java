/**
 * Python's {@code multiprocessing} for the JVM: {@link io.github.multiprocessing4j.Process} runs a
 * target in a child JVM, with CPython's names and behaviour; pipes, connections and queues carry
 * objects between the processes; pools and a process-pool executor run functions in reusable
 * worker processes; locks, semaphores, events, conditions and barriers synchronise them; shared
 * memory, values and arrays are read and written by several processes; managers serve objects
 * that other processes use through proxies.
 *
 * <p>Micrometer, which only the {@code micrometer} package uses, is optional in the same way.
 *
 * <p>Hazelcast, which only the {@code cluster} package uses, is optional ({@code requires static}):
 * an automatic module, whose types the cluster API names without re-exporting the module, since a
 * user of the cluster package puts Hazelcast on the path and requires it anyway.
 */
@SuppressWarnings("requires-automatic")
module io.github.multiprocessing4j {
  requires org.slf4j;
  // RuntimeMXBean: the JVM options children inherit, where /proc/self/cmdline does not tell them.
  requires java.management;
  // Optional: only the junit package (@ForkedJvm) uses them; nothing else loads it.
  requires static transitive org.junit.jupiter.api;
  requires static org.junit.platform.commons;
  requires static org.junit.platform.engine;
  requires static org.junit.platform.launcher;
  requires static org.opentest4j;
  // Optional: the flight recorder events (internal.events), loaded only while a recording runs.
  requires static jdk.jfr;
  // Optional: only the cluster package uses it; nothing else loads it.
  requires static com.hazelcast.core;
  // Optional: only the micrometer package (PoolMetrics) uses it; nothing else loads it.
  requires static micrometer.core;

  exports io.github.multiprocessing4j;
  exports io.github.multiprocessing4j.connection;
  exports io.github.multiprocessing4j.queues;
  exports io.github.multiprocessing4j.pool;
  exports io.github.multiprocessing4j.sync;
  exports io.github.multiprocessing4j.shared;
  exports io.github.multiprocessing4j.managers;
  exports io.github.multiprocessing4j.junit;
  exports io.github.multiprocessing4j.cluster;
  exports io.github.multiprocessing4j.micrometer;
}
