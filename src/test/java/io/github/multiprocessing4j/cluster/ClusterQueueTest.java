package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.LaunchOptions;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.queues.QueueFullException;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bounded and joinable cluster queues, and cluster queues passed to a child process. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class ClusterQueueTest {

  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = Cluster.builder().port(5881).clusterName(TestClusters.name("queue-test")).workers(0).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aBoundedQueueIsFullAtItsMaxsizeAndRefusesAsTheLocalOne() throws Exception {
    ClusterQueue<String> q = cluster.queue("bounded", 2);
    assertThat(q.maxsize()).isEqualTo(2);
    q.put("a");
    q.putNowait("b");
    assertThat(q.full()).isTrue();
    assertThat(q.offer("c")).isFalse();
    assertThatThrownBy(() -> q.putNowait("c")).isInstanceOf(QueueFullException.class).hasMessageContaining("'bounded' is full");
    assertThatThrownBy(() -> q.put("c", Duration.ofMillis(50))).isInstanceOf(QueueFullException.class)
        .hasMessageContaining("stayed full");
    ClusterQueue<String> other = cluster.queue("bounded");
    assertThat(other.maxsize()).as("another handle by name alone sees the bound").isEqualTo(2);
    assertThat(other.full()).isTrue();
    // A put that waits for room gets it when a consumer takes an item.
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
      try {
        other.put("c");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(q.get()).isEqualTo("a");
    waiting.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS);
    assertThat(List.of(q.get(), q.get())).containsExactly("b", "c");
    assertThat(q.full()).isFalse();
    assertThatThrownBy(() -> cluster.queue("bounded", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists as a plain queue of maxsize 2, not a plain queue of maxsize 3");
    assertThatThrownBy(() -> cluster.joinableQueue("bounded", 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a joinable queue of maxsize 2");
    assertThat(cluster.queue("unbounded").full()).isFalse();
    assertThat(cluster.queue("unbounded").maxsize()).isZero();
  }

  @Test
  void aJoinableQueueCountsTasksAndJoinWaitsForTheirTaskDone() throws Exception {
    ClusterJoinableQueue<Integer> q = cluster.joinableQueue("joinable");
    assertThat(q.join(Duration.ZERO)).as("nothing unfinished").isTrue();
    for (int i = 0; i < 3; i++) {
      q.put(i);
    }
    assertThat(q.unfinishedTasks()).isEqualTo(3);
    assertThat(q.join(Duration.ZERO)).isFalse();
    CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
      try {
        q.join();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    ClusterQueue<Integer> byName = cluster.queue("joinable");
    assertThat(byName).as("a handle by name alone is the joinable kind").isInstanceOf(ClusterJoinableQueue.class);
    for (int i = 0; i < 3; i++) {
      assertThat(q.get()).isEqualTo(i);
      assertThat(joined).as("join returned with tasks unfinished").isNotDone();
      ((ClusterJoinableQueue<Integer>) byName).taskDone();
    }
    joined.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS);
    assertThat(q.unfinishedTasks()).isZero();
    assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class)
        .hasMessage("task_done() called too many times");
    assertThat(q.unfinishedTasks()).isZero();
    ClusterJoinableQueue<Integer> full = cluster.joinableQueue("joinable-bounded", 1);
    full.put(1);
    assertThatThrownBy(() -> full.putNowait(2)).isInstanceOf(QueueFullException.class);
    assertThat(full.unfinishedTasks()).as("a put refused is not counted").isEqualTo(1);
  }

  @Test
  void clusterQueuesPassedToAChildProcessReachTheSameQueues() throws Exception {
    ClusterJoinableQueue<Integer> jobs = cluster.joinableQueue("child-jobs");
    ClusterQueue<Integer> results = cluster.queue("child-results", 4); // the child waits for room
    for (int i = 0; i < 20; i++) {
      jobs.put(i);
    }
    Process child = Process.builder().target(QueueWorker.class).args(jobs, results, 20)
        .launchOptions(LaunchOptions.builder().systemProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error").build())
        .build();
    child.start();
    try {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        got.add(results.get(Waits.UNTIL_KILLED));
      }
      assertThat(got).isEqualTo(IntStream.range(0, 20).map(x -> x * 2).boxed().collect(Collectors.toList()));
      assertThat(jobs.join(Waits.LONG)).as("the child marked every job done").isTrue();
      assertThat(child.join(Waits.LONG)).as("the child ended, its client with it").isTrue();
      assertThat(child.exitCode()).isZero();
    } finally {
      child.kill();
      child.join(Waits.JOIN);
    }
  }
}
