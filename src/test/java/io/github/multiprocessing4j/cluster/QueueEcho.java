package io.github.multiprocessing4j.cluster;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/**
 * A consumer in a JVM of its own: joins the cluster (args: port, cluster name, item count), takes
 * that many items from cluster queue "requests" and puts each one doubled on "replies".
 */
public final class QueueEcho implements Target {

  private static final long serialVersionUID = 1L;

  /** For the child. */
  public QueueEcho() {}

  @Override
  public void run(Args args) throws Exception {
    int port = args.getInt(0);
    try (Cluster c = Cluster.builder().port(port + 20).join("127.0.0.1:" + port).clusterName(args.getString(1))
        .workers(0).start()) {
      ClusterQueue<Integer> requests = c.queue("requests");
      ClusterQueue<Integer> replies = c.queue("replies");
      for (int i = 0; i < args.getInt(2); i++) {
        replies.put(requests.get() * 2);
      }
    }
  }
}
