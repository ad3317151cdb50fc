package io.github.multiprocessing4j.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ClusterQueue} as it travels to another JVM (a child process's argument): the queue's
 * name and kind, and how to reach its cluster (the cluster's name and its members' addresses, no
 * secret). Read in the other JVM, it connects there as a Hazelcast client, one per cluster per
 * JVM, closed when the JVM exits (its threads do not keep a child process from ending), and
 * resolves to a handle on the same queue.
 */
final class ClusterQueueRef implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The clients this JVM opened for queues it received, by cluster name and addresses. */
  private static final Map<String, Cluster> CLIENTS = new ConcurrentHashMap<>();

  private static final AtomicBoolean HOOKED = new AtomicBoolean();

  private final String clusterName;
  private final ArrayList<String> members;
  private final String name;
  private final int maxsize;
  private final boolean joinable;

  ClusterQueueRef(String clusterName, List<String> members, String name, int maxsize, boolean joinable) {
    this.clusterName = clusterName;
    this.members = new ArrayList<>(members);
    this.name = name;
    this.maxsize = maxsize;
    this.joinable = joinable;
  }

  private Object readResolve() {
    Cluster c = CLIENTS.computeIfAbsent(clusterName + members, k -> connect());
    return joinable ? c.joinableQueue(name, maxsize) : c.queue(name, maxsize);
  }

  private Cluster connect() {
    if (HOOKED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(ClusterQueueRef::closeAll, "mp4j-cluster-queue-clients"));
    }
    return Cluster.builder().clusterName(clusterName).join(members.toArray(new String[0])).libraryClient().start();
  }

  private static void closeAll() {
    for (Cluster c : CLIENTS.values()) {
      c.close();
    }
  }
}
