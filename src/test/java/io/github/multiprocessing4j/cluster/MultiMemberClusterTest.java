package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.LaunchOptions;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster on loopback: this JVM submits (a member with no workers) and three members run
 * in JVMs of their own, started with this library's {@link Process} and {@link ClusterMember} as
 * the target, one worker JVM each. Shared by the tests here, which start and kill members of
 * their own on top.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class MultiMemberClusterTest {

  private static final int PORT = 5901;
  private static final String NAME = TestClusters.name("multi-member-test");
  private static Cluster cluster;
  private static final List<Process> members = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = Cluster.builder().port(PORT).clusterName(NAME).workers(0).start();
    for (int i = 0; i < 3; i++) {
      members.add(startMember());
    }
    awaitWorkers(3);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Process p : members) {
      p.terminate();
    }
    for (Process p : members) {
      p.join(Waits.JOIN);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Process startMember() {
    Process p = Process.builder().target(MemberMain.class)
        .args("--join", "127.0.0.1:" + TestClusters.port(cluster), "--port", Integer.toString(PORT + 1),
            "--cluster-name", NAME, "--workers", "1")
        .launchOptions(LaunchOptions.builder().killDescendants(true)
            .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
            .systemProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error").build())
        .daemon(false)
        .build();
    p.start();
    return p;
  }

  private static void awaitWorkers(int n) {
    Waits.until(() -> cluster.workers() == n, n + " workers in the cluster (now " + cluster.workers() + ")",
        Waits.UNTIL_KILLED);
  }

  /** The task's value and the pid of the member JVM whose worker ran it. */
  private static long[] valueAndMember(int x) throws InterruptedException {
    Thread.sleep(20); // the work: long enough for a map to outlast a member's start or death
    return new long[] {x, ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)};
  }

  @Test
  void mapsAThousandTasksOverThreeMembers() throws Exception {
    List<Integer> items = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
    try (Pool pool = cluster.pool()) {
      assertThat(pool.processes()).isGreaterThanOrEqualTo(3);
      assertThat(pool.map(x -> x * 3 + 1, items))
          .isEqualTo(items.stream().map(x -> x * 3 + 1).collect(Collectors.toList()));
      Set<Long> ran = new HashSet<>();
      for (long[] r : pool.map(MultiMemberClusterTest::valueAndMember, items.subList(0, 60), 1)) {
        ran.add(r[1]);
      }
      Set<Long> pids = members.stream().map(Process::pid).collect(Collectors.toSet());
      assertThat(ran).as("members whose workers ran tasks").containsAll(pids);
    }
  }

  @Test
  void aMemberKilledMidMapLeavesEveryResultDeliveredOnce() throws Exception {
    Process doomed = startMember();
    try {
      awaitWorkers(4);
      List<Integer> items = IntStream.range(0, 400).boxed().collect(Collectors.toList());
      List<Long> values = new ArrayList<>();
      boolean killed = false;
      try (Pool pool = cluster.pool()) {
        ResultIterator<long[]> it = pool.imap(MultiMemberClusterTest::valueAndMember, items, 1);
        while (it.hasNext()) {
          long[] r = it.next();
          values.add(r[0]);
          if (!killed && r[1] == doomed.pid()) {
            doomed.kill(); // SIGKILL, while it holds more tasks (two per worker)
            killed = true;
          }
        }
      }
      assertThat(killed).as("the doomed member ran a task before the map ended").isTrue();
      assertThat(values).isEqualTo(items.stream().map(Integer::longValue).collect(Collectors.toList()));
      awaitWorkers(3);
    } finally {
      doomed.kill();
      doomed.join(Waits.JOIN);
    }
  }

  @Test
  void aMemberJoiningMidMapGetsWork() throws Exception {
    AtomicBoolean newcomerWorked = new AtomicBoolean();
    // The map's input is fed as its results are read (a window of 16 items ahead, more than the
    // members hold at once), and ends once the newcomer has run a task: the map outlasts the
    // newcomer's start however long that takes, and ends soon after.
    Semaphore window = new Semaphore(16);
    Iterable<Integer> items = () -> new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return !newcomerWorked.get();
      }

      @Override
      public Integer next() {
        window.acquireUninterruptibly();
        return next++;
      }
    };
    Process newcomer = null;
    try (Pool pool = cluster.pool()) {
      ResultIterator<long[]> it = pool.imap(MultiMemberClusterTest::valueAndMember, items, 1);
      long expected = 0;
      while (it.hasNext()) {
        long[] r = it.next();
        window.release();
        assertThat(r[0]).isEqualTo(expected++);
        if (newcomer == null) {
          newcomer = startMember(); // the map is running
        } else if (r[1] == newcomer.pid()) {
          newcomerWorked.set(true);
        }
      }
      assertThat(newcomerWorked).isTrue();
    } finally {
      if (newcomer != null) {
        newcomer.kill();
        newcomer.join(Waits.JOIN);
        awaitWorkers(3);
      }
    }
  }

  @Test
  void withRetriesOffATaskOfAKilledMemberFailsNamingTheMember() throws Exception {
    Process doomed = startMember();
    try (Cluster noRetry = Cluster.builder().instance(cluster.hazelcast()).retryOnMemberLoss(false).start();
        Pool pool = noRetry.pool()) {
      awaitWorkers(4);
      ResultIterator<long[]> it = pool.imap(MultiMemberClusterTest::valueAndMember,
          IntStream.range(0, 400).boxed().collect(Collectors.toList()), 1);
      assertThatThrownBy(() -> {
        while (it.hasNext()) {
          if (it.next()[1] == doomed.pid()) {
            doomed.kill();
          }
        }
      }).hasStackTraceContaining("left while running this task, and retries are off");
    } finally {
      doomed.kill();
      doomed.join(Waits.JOIN);
      awaitWorkers(3);
    }
  }

  @Test
  void theCallersOwnMemberShutDownEndsTheMapWithAnError() throws Exception {
    try (Cluster caller = Cluster.builder().port(PORT).join("127.0.0.1:" + TestClusters.port(cluster))
            .clusterName(NAME).workers(0).start();
        Pool pool = caller.pool()) {
      Waits.until(() -> caller.workers() == 3, "the caller's view of the workers", Waits.LONG);
      ResultIterator<long[]> it = pool.imap(MultiMemberClusterTest::valueAndMember,
          IntStream.range(0, 400).boxed().collect(Collectors.toList()), 1);
      it.next();
      caller.hazelcast().getLifecycleService().terminate();
      assertThatThrownBy(() -> {
        while (it.hasNext()) {
          it.next();
        }
      }).hasStackTraceContaining("is shut down");
    }
  }

  @Test
  void aProcessInAnotherJvmTakesFromAndPutsOnClusterQueues() throws Exception {
    ClusterQueue<Integer> requests = cluster.queue("requests");
    ClusterQueue<Integer> replies = cluster.queue("replies");
    for (int i = 0; i < 100; i++) {
      requests.put(i); // before the consumer even exists: the members hold the items
    }
    Process consumer = Process.builder().target(QueueEcho.class).args(TestClusters.port(cluster), NAME, 100)
        .launchOptions(LaunchOptions.builder().systemProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error").build())
        .build();
    consumer.start();
    try {
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        got.add(replies.get(Waits.UNTIL_KILLED));
      }
      assertThat(got).isEqualTo(IntStream.range(0, 100).map(x -> x * 2).boxed().collect(Collectors.toList()));
      assertThat(consumer.join(Waits.LONG)).isTrue();
      assertThat(consumer.exitCode()).isZero();
      assertThat(requests.empty()).isTrue();
    } finally {
      consumer.kill();
      consumer.join(Waits.JOIN);
    }
  }

  /** A task whose class the member without the test classes lacks. */
  static final class Answer implements SerializableCallable<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer call() {
      return 42;
    }
  }

  @Test
  void aTaskWhoseClassAMemberLacksFailsNamingTheMemberAndTheClass() throws Exception {
    String testClasses = new File(MultiMemberClusterTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getPath();
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !new File(e).getPath().equals(testClasses))
        .collect(Collectors.joining(File.pathSeparator));
    int port = PORT + 50;
    try (Cluster other = Cluster.builder().port(port).clusterName(TestClusters.name("missing-class-test")).workers(0).start();
        JavaMain member = JavaMain.start(classPath, List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dorg.slf4j.simpleLogger.log.com.hazelcast=error"),
            ClusterMember.class.getName(), "--join", "127.0.0.1:" + TestClusters.port(other), "--port", Integer.toString(port + 1),
            "--cluster-name", other.hazelcast().getConfig().getClusterName(), "--workers", "1")) {
      member.awaitStdout("cluster member ready at", Waits.UNTIL_KILLED);
      Waits.until(() -> other.workers() == 1, "the member's worker", Waits.LONG);
      try (Pool pool = other.pool()) {
        assertThatThrownBy(() -> pool.apply(new Answer()))
            .hasStackTraceContaining("cluster member [127.0.0.1]:")
            .hasStackTraceContaining("cannot load class " + Answer.class.getName())
            .hasStackTraceContaining("class path");
      }
    }
  }

  @Test
  void terminateKillsTheWorkerOfAMemberJvmThatRunsTheTask(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("pid");
    Pool pool = cluster.pool();
    try {
      pool.applyAsync(LongTask.writingPidTo(pidFile));
      long pid = LongTask.awaitPid(pidFile);
      Set<Long> memberPids = members.stream().map(Process::pid).collect(Collectors.toSet());
      assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L))
          .as("the task's worker is a member JVM's child").isIn(memberPids);
      pool.terminate();
      LongTask.awaitGone(pid, "the member's worker JVM of the terminated pool's running task");
    } finally {
      pool.terminate();
    }
    awaitWorkers(3);
    try (Pool again = cluster.pool()) {
      assertThat(again.map(x -> x + 1, List.of(1, 2, 3, 4, 5, 6), 1)).containsExactly(2, 3, 4, 5, 6, 7);
    }
  }
}
