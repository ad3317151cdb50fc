package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.testing.Waits;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tasks submitted through a Hazelcast client, not a member: a member in this JVM runs the workers
 * and the client, handed in with {@code Cluster.builder().instance(client)}, only submits.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class ClientClusterTest {

  private static final int PORT = 5871;
  private static final String NAME = TestClusters.name("client-test");
  private static Cluster member;

  @BeforeAll
  static void startMember() {
    member = Cluster.builder().port(PORT).clusterName(NAME).workers(2).start();
  }

  @AfterAll
  static void stopMember() {
    if (member != null) {
      member.close();
    }
  }

  private static int memberPort() {
    return TestClusters.port(member);
  }

  @Test
  void aMapThroughAHazelcastClientRunsOnTheMembersWorkers() throws Exception {
    ClientConfig config = new ClientConfig();
    config.setClusterName(NAME);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().addAddress("127.0.0.1:" + memberPort());
    HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
    try (Cluster cluster = Cluster.builder().instance(client).start()) {
      Waits.until(() -> cluster.workers() == 2, "the client's view of the member's workers", Waits.LONG);
      List<Integer> items = IntStream.range(0, 500).boxed().collect(Collectors.toList());
      try (Pool pool = cluster.pool()) {
        assertThat(pool.processes()).isEqualTo(2);
        assertThat(pool.map(x -> x * 7, items)).isEqualTo(items.stream().map(x -> x * 7).collect(Collectors.toList()));
        long me = ProcessHandle.current().pid();
        assertThat(pool.map(x -> ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L), List.of(1, 2, 3), 1))
            .as("the member's worker JVMs ran them, children of this JVM's member")
            .containsOnly(me);
      }
      try (ProcessPoolExecutor ex = cluster.executor()) {
        Future<String> f = ex.submit(() -> "from a worker");
        assertThat(f.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("from a worker");
      }
      assertThat(client.getLifecycleService().isRunning()).as("close() leaves a handed-in client running").isTrue();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void theBuilderConnectsAClientOfItsOwn() throws Exception {
    try (Cluster cluster = Cluster.builder().clusterName(NAME).join("127.0.0.1:" + memberPort()).client().start();
        Pool pool = cluster.pool()) {
      assertThat(cluster.hazelcast().getLocalEndpoint()).isInstanceOf(com.hazelcast.client.Client.class);
      Waits.until(() -> cluster.workers() == 2, "the client's view of the member's workers", Waits.LONG);
      assertThat(pool.map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
    }
  }
}
