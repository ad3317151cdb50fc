package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.pool.WorkerDiedException;
import io.github.multiprocessing4j.testing.Waits;
import io.github.multiprocessing4j.queues.QueueEmptyException;
import java.net.ConnectException;
import java.time.Duration;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default: one member in the test JVM, on loopback, with its own worker JVMs. One
 * cluster is shared by the tests here (a member takes seconds to start).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class EmbeddedClusterTest {

  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    // A port and name of its own, so that no other test's member joins this one.
    cluster = Cluster.builder().port(5811).clusterName(TestClusters.name("embedded-test")).workers(2).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void mapsAThousandTasksInOrder() throws Exception {
    List<Integer> items = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
    try (Pool pool = cluster.pool()) {
      assertThat(pool.map(x -> x * x, items))
          .isEqualTo(items.stream().map(x -> x * x).collect(Collectors.toList()));
    }
  }

  @Test
  void tasksRunInWorkerJvmsNotInTheMember() throws Exception {
    long me = ProcessHandle.current().pid();
    try (Pool pool = cluster.pool()) {
      List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4), 1);
      assertThat(pids).doesNotContain(me);
    }
  }

  @Test
  void imapApplyAsyncAndCallbacksWorkAsOnALocalPool() throws Exception {
    try (Pool pool = cluster.pool()) {
      List<Integer> seen = new ArrayList<>();
      pool.imap(x -> x + 1, List.of(1, 2, 3, 4, 5), 2).forEachRemaining(seen::add);
      assertThat(seen).containsExactly(2, 3, 4, 5, 6);
      List<Object> callbacks = new CopyOnWriteArrayList<>();
      AsyncResult<Integer> r = pool.applyAsync(() -> 6 * 7, callbacks::add, callbacks::add);
      assertThat(r.get(Waits.JOIN)).isEqualTo(42);
      Waits.until(() -> callbacks.size() == 1, "the callback");
      assertThat(callbacks).containsExactly(42);
      assertThatThrownBy(() -> pool.apply(() -> {
        throw new IllegalStateException("boom");
      })).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(IllegalStateException.class).hasMessage("boom");
      assertThat(pool.processes()).isEqualTo(2);
    }
  }

  /** Ends the worker JVM that runs it, as a task calling {@code System.exit(3)} in a library would. */
  static int exitWith(int status) {
    Runtime.getRuntime().halt(status);
    return 0;
  }

  @Test
  void aWorkerJvmThatDiesFailsItsTaskAsOnALocalPoolAndTheMemberReplacesIt() throws Exception {
    try (Pool pool = cluster.pool()) {
      assertThatThrownBy(() -> pool.apply(() -> exitWith(3)))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(WorkerDiedException.class)
          .satisfies(e -> assertThat(((WorkerDiedException) e).exitCode()).isEqualTo(3));
      assertThat(pool.map(x -> x + 1, List.of(1, 2, 3, 4), 1)).containsExactly(2, 3, 4, 5);
    }
    Waits.until(() -> LocalWorkers.of(cluster.hazelcast()).workerPids().size() == 2,
        "the member's dead worker replaced", Waits.LONG);
  }

  @Test
  void executorRunsTasksOnTheCluster() throws Exception {
    ProcessPoolExecutor ex = cluster.executor();
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        fs.add(ex.submit(() -> n * 2));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(fs.get(i).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i * 2);
      }
    } finally {
      ex.shutdown();
      assertThat(ex.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void theMemberListensOnLoopbackOnly() throws Exception {
    int port = cluster.hazelcast().getCluster().getLocalMember().getAddress().getPort();
    List<InetAddress> others = new ArrayList<>();
    for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp() && !i.isLoopback()) {
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            others.add(a);
          }
        }
      }
    }
    Assumptions.assumeFalse(others.isEmpty(), "this machine has no address but loopback");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000); // it does listen
    }
    for (InetAddress a : others) {
      try (Socket s = new Socket()) {
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(a, port), 5000))
            .as("a connection to %s:%d", a.getHostAddress(), port).isInstanceOf(ConnectException.class);
      }
    }
  }

  @Test
  void aClusterQueueHasTheLocalQueuesSurface() throws Exception {
    ClusterQueue<Object> q = cluster.queue("surface");
    assertThat(q.empty()).isTrue();
    q.put("a");
    q.putNowait(null);
    assertThat(q.offer(List.of(1, 2))).isTrue();
    q.put(3, Duration.ZERO);
    assertThat(q.qsize()).isEqualTo(4);
    assertThat(q.full()).isFalse();
    assertThat(q.maxsize()).isZero();
    assertThat(q.get()).isEqualTo("a");
    assertThat(q.getNowait()).isNull();
    assertThat(q.poll()).contains(List.of(1, 2));
    assertThat(q.poll(Duration.ofSeconds(5))).contains(3);
    assertThatThrownBy(q::getNowait).isInstanceOf(QueueEmptyException.class);
    assertThatThrownBy(() -> q.get(Duration.ofMillis(10))).isInstanceOf(QueueEmptyException.class);
    assertThat(q.poll(Duration.ZERO)).isEmpty();
    assertThatThrownBy(() -> q.put(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster queue 'surface'");
    assertThat(q.empty()).as("nothing put by a failed put").isTrue();
    q.close();
    assertThat(q.isClosed()).isTrue();
    assertThatThrownBy(() -> q.put("b")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(q::get).isInstanceOf(IllegalStateException.class);
    assertThat(cluster.<String>queue("surface").poll()).as("the queue outlives a closed handle").isEmpty();
    assertThatThrownBy(() -> cluster.queue(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNonLoopbackBindIsRefusedWithoutOptIn() {
    assertThatThrownBy(() -> Cluster.builder().bind("10.1.2.3").port(5821).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.1.2.3")
        .hasMessageContaining("allowNonLoopback()")
        .hasMessageContaining("--allow-non-loopback");
  }

  @Test
  void terminateKillsTheWorkerThatRunsARemoteTaskAndTheMemberReplacesIt(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("pid");
    Pool pool = cluster.pool();
    try {
      pool.applyAsync(LongTask.writingPidTo(pidFile));
      long pid = LongTask.awaitPid(pidFile);
      assertThat(LocalWorkers.of(cluster.hazelcast()).workerPids()).contains(pid);
      pool.terminate();
      LongTask.awaitGone(pid, "the worker JVM of the terminated pool's running task");
    } finally {
      pool.terminate();
    }
    try (Pool again = cluster.pool()) {
      assertThat(again.map(x -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4, 5, 6), 1)).hasSize(6);
    }
    List<Long> workers = LocalWorkers.of(cluster.hazelcast()).workerPids();
    assertThat(workers).as("the member's workers, the killed one replaced").hasSize(2);
  }
}
