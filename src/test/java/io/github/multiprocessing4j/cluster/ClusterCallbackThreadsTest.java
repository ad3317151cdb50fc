package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.pool.Pool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The submitting JVM starts no thread per task. Hazelcast completes its invocations' futures on
 * its default async executor, which, where the common pool has one thread (2 CPUs, as on the
 * machine this was found on), starts a new thread for every completion: two per chunk. Where the
 * common pool has more threads, this test passes either way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ClusterCallbackThreadsTest {

  @Test
  void aMapOfManyChunksStartsNoThreadPerChunk() throws Exception {
    List<Integer> items = IntStream.range(0, 300).boxed().collect(Collectors.toList());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (Cluster cluster = Cluster.builder().port(5841).clusterName(TestClusters.name("callback-threads-test")).workers(1).start();
        Pool pool = cluster.pool()) {
      assertThat(pool.map(x -> x + 1, items, 1)).hasSize(items.size()); // warm: the pools' own threads
      long before = threads.getTotalStartedThreadCount();
      assertThat(pool.map(x -> x + 1, items, 1))
          .isEqualTo(items.stream().map(x -> x + 1).collect(Collectors.toList()));
      long started = threads.getTotalStartedThreadCount() - before;
      assertThat(started).as("threads started in this JVM by a map of %d chunks", items.size())
          .isLessThan(items.size() / 4);
    }
  }
}
