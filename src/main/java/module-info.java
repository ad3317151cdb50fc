/**
 * Python's {@code multiprocessing} for the JVM: {@link io.github.multiprocessing4j.Process} runs a
 * target in a child JVM, with CPython's names and behaviour; pipes, connections and queues carry
 * objects between the processes; pools and a process-pool executor run functions in reusable
 * worker processes; locks, semaphores, events, conditions and barriers synchronise them; shared
 * memory, values and arrays are read and written by several processes; managers serve objects
 * that other processes use through proxies.
 */
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

  exports io.github.multiprocessing4j;
  exports io.github.multiprocessing4j.connection;
  exports io.github.multiprocessing4j.queues;
  exports io.github.multiprocessing4j.pool;
  exports io.github.multiprocessing4j.sync;
  exports io.github.multiprocessing4j.shared;
  exports io.github.multiprocessing4j.managers;
  exports io.github.multiprocessing4j.junit;
}
