package io.github.multiprocessing4j.cluster;

/**
 * Names and ports for the clusters of these tests. Two runs of the suite on one machine (two
 * clones, or a build beside an IDE run) would otherwise form one cluster of their members, as
 * Hazelcast joins any member on the listed addresses with the same cluster name: each run's
 * cluster name carries its JVM's pid, and joins go to the port a member actually took (a member
 * takes the next free port when its own is in use).
 */
final class TestClusters {

  private TestClusters() {}

  /** A cluster name of this test JVM only. */
  static String name(String base) {
    return base + "-" + ProcessHandle.current().pid();
  }

  /** The port the cluster's own member listens on. */
  static int port(Cluster cluster) {
    return cluster.hazelcast().getCluster().getLocalMember().getAddress().getPort();
  }
}
