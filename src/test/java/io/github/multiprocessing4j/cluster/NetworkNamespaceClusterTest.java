package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.NoLeakedProcesses;
import io.github.multiprocessing4j.testing.Waits;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Beyond loopback, as on separate hosts: a member JVM runs inside a network namespace made for the
 * test ({@link NetworkNamespace}: a veth pair, private addresses 10.201.N.1 here and 10.201.N.2
 * inside), and the test JVM's own member binds its end of the link with
 * {@code allowNonLoopback()}. Skipped, with the reason, where namespaces cannot be made (not root,
 * no {@code ip}). Hazelcast's failure detection is shortened (heartbeat every second, a member
 * silent for {@value #NO_HEARTBEAT_SECONDS} s is removed) so that a cut link ends in bounded time.
 */
@Tag("netns")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
final class NetworkNamespaceClusterTest {

  private static final int NO_HEARTBEAT_SECONDS = 10;
  private static final int PORT = 5701;
  private static final String NAME = "netns-test-" + ProcessHandle.current().pid();

  private static NetworkNamespace ns;
  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    ns = NetworkNamespace.createOrSkip();
    Config c = MemberConfigs.defaults(ns.hostAddress, PORT, List.of(), NAME);
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(NO_HEARTBEAT_SECONDS));
    cluster = Cluster.builder().config(c).allowNonLoopback().workers(1).start();
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (ns != null) {
        ns.close();
        assertThat(ns.exists()).as("namespace %s removed", ns.name).isFalse();
      }
    }
  }

  /** Starts a member JVM inside the namespace, bound to its end of the link. */
  private static JavaMain startMember(boolean optIn) {
    List<String> cmd = new ArrayList<>(List.of(JavaMain.javaExecutable().toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dhazelcast.heartbeat.interval.seconds=1",
        "-Dhazelcast.max.no.heartbeat.seconds=" + NO_HEARTBEAT_SECONDS,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.com.hazelcast=error",
        ClusterMember.class.getName(), "--bind", ns.innerAddress));
    if (optIn) {
      cmd.add("--allow-non-loopback");
    }
    int port = cluster.hazelcast().getCluster().getLocalMember().getAddress().getPort();
    cmd.addAll(List.of("--join", ns.hostAddress + ":" + port, "--port", Integer.toString(PORT),
        "--cluster-name", NAME, "--workers", "1"));
    return JavaMain.start(new ProcessBuilder(ns.exec(cmd)));
  }

  /** Kills a member JVM and its workers, and checks that none of them is left. */
  private static void kill(JavaMain member) {
    List<ProcessHandle> all = new ArrayList<>(member.process().descendants().collect(Collectors.toList()));
    all.add(member.process().toHandle());
    member.close();
    Waits.until(() -> all.stream().noneMatch(NoLeakedProcesses::reallyAlive),
        "the member JVM and its workers gone: " + all, Waits.LONG);
  }

  private static void awaitWorkers(int n) {
    Waits.until(() -> cluster.workers() == n, n + " workers in the cluster (now " + cluster.workers() + ")",
        Waits.UNTIL_KILLED);
  }

  /** The task's value and the IPv4 addresses, loopback excepted, that its worker JVM sees. */
  private static String valueAndNetwork(int x) throws Exception {
    Thread.sleep(30); // the work: long enough for a map to outlast a cut link's detection
    return x + " " + NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .map(InetAddress::getHostAddress).sorted().collect(Collectors.joining(","));
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  @Test
  void aMemberInAnotherNamespaceRunsTasksOverTheOptedInLink() throws Exception {
    JavaMain member = startMember(true);
    try {
      member.awaitStdout("cluster member ready at [" + ns.innerAddress + "]", Waits.UNTIL_KILLED);
      awaitWorkers(2);
      try (Pool pool = cluster.pool()) {
        List<String> results = pool.map(NetworkNamespaceClusterTest::valueAndNetwork, range(60), 1);
        assertThat(results.stream().map(r -> Integer.parseInt(r.split(" ")[0]))).containsExactlyElementsOf(range(60));
        // Inside the namespace a worker sees its end of the link and nothing else.
        assertThat(results).as("tasks run by the namespaced member's worker")
            .anyMatch(r -> r.endsWith(" " + ns.innerAddress));
        assertThat(results).as("tasks run by this JVM's member's worker")
            .anyMatch(r -> r.contains(ns.hostAddress) && !r.contains(ns.innerAddress));
      }
    } finally {
      kill(member);
    }
    awaitWorkers(1);
  }

  @Test
  void aNonLoopbackBindWithoutTheOptInIsRefused() throws Exception {
    assertThatThrownBy(() -> Cluster.builder().bind(ns.hostAddress).clusterName(NAME + "-refused").workers(0).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to bind a cluster member to " + ns.hostAddress)
        .hasMessageContaining("allowNonLoopback()");
    JavaMain member = startMember(false);
    try {
      assertThat(member.waitFor(Waits.UNTIL_KILLED)).isNotZero();
      assertThat(member.stderr())
          .contains("refusing to bind a cluster member to " + ns.innerAddress)
          .contains("--allow-non-loopback");
      assertThat(member.stdout()).doesNotContain("ready");
    } finally {
      kill(member);
    }
    assertThat(cluster.hazelcast().getCluster().getMembers()).hasSize(1);
  }

  @Test
  void aCutLinkMidMapRunsTheMembersTasksAgainAndDeliversEveryResultOnce() throws Exception {
    JavaMain member = startMember(true);
    try {
      member.awaitStdout("cluster member ready at", Waits.UNTIL_KILLED);
      awaitWorkers(2);
      List<Integer> values = new ArrayList<>();
      long cutAt = 0;
      try (Pool pool = cluster.pool()) {
        ResultIterator<String> it = pool.imap(NetworkNamespaceClusterTest::valueAndNetwork, range(300), 1);
        while (it.hasNext()) {
          String r = it.next();
          values.add(Integer.parseInt(r.split(" ")[0]));
          if (cutAt == 0 && r.endsWith(" " + ns.innerAddress)) {
            ns.setLink(false); // while the member holds more tasks (two per worker)
            cutAt = System.nanoTime();
          }
        }
      }
      assertThat(cutAt).as("the namespaced member ran a task before the map ended").isNotZero();
      assertThat(values).containsExactlyElementsOf(range(300));
      awaitWorkers(1); // it was removed from the cluster
      System.out.printf("cut link: map ended %d ms after the cut%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
    } finally {
      kill(member);
      ns.setLink(true);
    }
  }

  @Test
  void withRetriesOffACutLinkFailsTheMapNamingTheMember() throws Exception {
    JavaMain member = startMember(true);
    try (Cluster noRetry = Cluster.builder().instance(cluster.hazelcast()).retryOnMemberLoss(false).start()) {
      member.awaitStdout("cluster member ready at", Waits.UNTIL_KILLED);
      awaitWorkers(2);
      try (Pool pool = noRetry.pool()) {
        ResultIterator<String> it = pool.imap(NetworkNamespaceClusterTest::valueAndNetwork, range(300), 1);
        assertThatThrownBy(() -> {
          boolean cut = false;
          while (it.hasNext()) {
            if (it.next().endsWith(" " + ns.innerAddress) && !cut) {
              ns.setLink(false);
              cut = true;
            }
          }
        }).hasStackTraceContaining("cluster member [" + ns.innerAddress + "]")
            .hasStackTraceContaining("left while running this task, and retries are off");
      }
      awaitWorkers(1);
    } finally {
      kill(member);
      ns.setLink(true);
    }
  }
}
