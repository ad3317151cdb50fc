package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.cluster.Cluster;
import io.github.multiprocessing4j.cluster.ClusterQueue;
import io.github.multiprocessing4j.pool.Pool;
import java.util.List;

/** docs/cluster.md's snippets. */
final class ClusterSnippets {

  private ClusterSnippets() {}

  static void embedded() throws Exception {
    // snippet:cluster-embedded
    try (Cluster cluster = Cluster.start(); Pool pool = cluster.pool()) {
      System.out.println(pool.map(x -> x * x, List.of(1, 2, 3, 4)));   // [1, 4, 9, 16]
    }
    // end:cluster-embedded
  }

  static void queue() throws Exception {
    try (Cluster cluster = Cluster.start()) {
      // snippet:cluster-queue
      ClusterQueue<String> jobs = cluster.queue("jobs");   // the same queue in every JVM of the cluster
      jobs.put("simulate 42");
      System.out.println(jobs.get());                      // simulate 42
      // end:cluster-queue
    }
  }

  /** Compiled, not run: it needs three machines. */
  static Cluster onAPrivateNetwork() {
    // snippet:cluster-builder
    Cluster cluster = Cluster.builder()
        .bind("10.0.0.5").allowNonLoopback()   // a private network only: no authentication, no TLS
        .join("10.0.0.6", "10.0.0.7")          // members started with ClusterMember
        .workers(8)                            // worker JVMs of this member; default: one per CPU
        .retryOnMemberLoss(true)               // the default: tasks must be idempotent
        .start();
    // end:cluster-builder
    return cluster;
  }
}
