package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.cluster.Cluster;
import io.github.multiprocessing4j.cluster.ClusterJoinableQueue;
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

  /** A consumer of the joinable queue's snippet. */
  public static final class Consumer implements Target {
    private static final long serialVersionUID = 1L;

    @Override
    @SuppressWarnings("unchecked")
    public void run(Args args) throws Exception {
      ClusterJoinableQueue<String> work = (ClusterJoinableQueue<String>) args.get(0);
      while (true) {
        System.out.println("done: " + work.get());
        work.taskDone();
      }
    }
  }

  /** Compiled, not run. */
  static void joinable(Cluster cluster) throws Exception {
    // snippet:cluster-joinable
    ClusterJoinableQueue<String> work = cluster.joinableQueue("work", 100);  // at most 100 waiting
    Process consumer = Process.builder().target(Consumer.class).args(work)   // reconnects in the child
        .daemon(true).build();
    consumer.start();
    work.put("simulate 43");      // waits while 100 items wait; put(item, timeout) throws QueueFullException
    work.join();                  // returns once the consumer called taskDone() for every item
    // end:cluster-joinable
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
