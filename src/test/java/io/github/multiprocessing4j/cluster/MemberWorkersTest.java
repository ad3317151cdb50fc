package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.pool.Pool;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A member's worker JVMs set up with a local pool's options: initializer, maxTasksPerChild. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class MemberWorkersTest {

  @Test
  void aClusterPoolsTasksRunInWorkersWithTheMembersInitializerAndMaxTasksPerChild() throws Exception {
    try (Cluster cluster = Cluster.builder().port(5891).clusterName(TestClusters.name("member-workers-test")).workers(1)
            .memberWorkers(b -> b.initializer(new InitMarker(), "from the member's initializer").maxTasksPerChild(2))
            .start();
        Pool pool = cluster.pool()) {
      List<String> results = pool.map(x -> InitMarker.mark + " " + ProcessHandle.current().pid(),
          IntStream.range(0, 6).boxed().collect(Collectors.toList()), 1);
      Set<String> pids = new HashSet<>();
      for (String r : results) {
        assertThat(r).startsWith("from the member's initializer ");
        pids.add(r.substring(r.lastIndexOf(' ') + 1));
      }
      assertThat(pids).as("one worker, replaced after every 2 tasks").hasSize(3);
    }
  }

  @Test
  void clusterMemberTakesTheWorkersOptions() {
    Cluster.Builder b = ClusterMember.parse(new String[] {"--max-tasks-per-child", "5", "--initializer",
        InitMarker.class.getName()});
    assertThat(b).isNotNull();
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--initializer", "no.such.Init"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--initializer no.such.Init needs a class on the class path");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--initializer", String.class.getName()}))
        .hasMessageContaining("is not a io.github.multiprocessing4j.Target");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--max-tasks-per-child", "0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--max-tasks-per-child must be at least 1, not 0");
  }
}
