package io.github.multiprocessing4j.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SerializationConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The Hazelcast configuration of a member this package starts: loopback and no discovery unless
 * told otherwise, the library's executor and the member's worker count, and a Java serialization
 * filter that lets in only what this package sends.
 */
final class MemberConfigs {

  /** The member attribute that says how many worker JVMs a member runs; absent: none. */
  static final String WORKERS_ATTRIBUTE = "multiprocessing4j-workers";
  /** The executor tasks travel through. */
  static final String EXECUTOR = "multiprocessing4j";
  static final String DEFAULT_CLUSTER_NAME = "multiprocessing4j";
  static final int DEFAULT_PORT = 5701;
  /** How long a client this package starts tries to reach a member before it gives up. */
  static final long CLIENT_CONNECT_MILLIS = 60_000;

  private MemberConfigs() {}

  /**
   * A member's configuration with this package's defaults.
   *
   * @param bind the address to bind to
   * @param port the first port to try
   * @param join the members to join ({@code host} or {@code host:port}); empty: the bind address
   * @param clusterName the cluster's name
   */
  static Config defaults(String bind, int port, List<String> join, String clusterName) {
    Config c = new Config();
    c.setClusterName(clusterName);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig n = c.getNetworkConfig();
    n.setPort(port).setPortAutoIncrement(true);
    n.getInterfaces().setEnabled(true).addInterface(bind);
    JoinConfig j = n.getJoin();
    j.getMulticastConfig().setEnabled(false);
    j.getAutoDetectionConfig().setEnabled(false);
    j.getTcpIpConfig().setEnabled(true).setMembers(join.isEmpty() ? List.of(bind) : List.copyOf(join));
    return c;
  }

  /**
   * Adds what this package needs to a member's configuration: its executor, the member's worker
   * count, slf4j logging unless another is set, and the serialization filter.
   *
   * @param c the configuration, changed in place
   * @param workers the worker JVMs this member runs
   */
  static Config complete(Config c, int workers) {
    if (c.getProperty("hazelcast.logging.type") == null) {
      c.setProperty("hazelcast.logging.type", "slf4j");
      // Hazelcast's first lines come from a static logger that reads only the system property.
      if (System.getProperty("hazelcast.logging.type") == null) {
        System.setProperty("hazelcast.logging.type", "slf4j");
      }
    }
    c.getMemberAttributeConfig().setAttribute(WORKERS_ATTRIBUTE, Integer.toString(workers));
    // One thread per task a caller may have on this member (two per worker), plus room.
    c.addExecutorConfig(new ExecutorConfig(EXECUTOR).setPoolSize(2 * workers + 2));
    secure(c.getSerializationConfig());
    return c;
  }

  /**
   * The configuration of a client this package starts: the given members, no discovery, slf4j
   * logging, the serialization filter, and a bounded wait for the first connection (Hazelcast's
   * default waits for ever).
   *
   * @param addresses the members to connect to, {@code host} or {@code host:port}
   * @param clusterName the cluster's name
   * @param instancePrefix starts the client's instance name, and so its threads' names
   */
  static ClientConfig client(List<String> addresses, String clusterName, String instancePrefix) {
    ClientConfig c = new ClientConfig();
    c.setInstanceName(instancePrefix + java.util.UUID.randomUUID());
    c.setClusterName(clusterName);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    c.getNetworkConfig().setAddresses(new java.util.ArrayList<>(addresses));
    c.getNetworkConfig().getAutoDetectionConfig().setEnabled(false);
    c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(CLIENT_CONNECT_MILLIS);
    secure(c.getSerializationConfig());
    return c;
  }

  /**
   * Lets only this package's task, byte arrays and Hazelcast's defaults (its own classes and the
   * JDK's, less its blacklist of known gadgets) through Hazelcast's Java serialization: the
   * application's objects never travel as Hazelcast objects, but as bytes, decoded by worker JVMs
   * through the library's own filter.
   */
  static void secure(SerializationConfig c) {
    ClassFilter allowed = new ClassFilter().addClasses(ClusterTask.class.getName(), "[B");
    JavaSerializationFilterConfig filter = c.getJavaSerializationFilterConfig();
    if (filter == null) {
      filter = new JavaSerializationFilterConfig();
      c.setJavaSerializationFilterConfig(filter);
    }
    // Hazelcast's defaults stay: its own error responses (a member not yet joined, say) travel as
    // serialized exceptions of its own classes and the JDK's, minus its list of known gadgets.
    filter.setDefaultsDisabled(false);
    filter.getWhitelist().add(allowed);
  }

  /**
   * Refuses an address that is not a loopback one unless allowed: open-source Hazelcast has no
   * member authentication or TLS.
   *
   * @param address the address to bind to
   * @param allowed whether the user opted in
   * @throws IllegalArgumentException naming the address and the option
   */
  static void checkBind(String address, boolean allowed) {
    if (allowed) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve the cluster member's bind address " + address, e);
    }
    if (!loopback) {
      throw new IllegalArgumentException("refusing to bind a cluster member to " + address
          + ", which is not a loopback address: open-source Hazelcast has no member authentication or TLS, "
          + "so anyone who reaches that address can run code on this member; on a private network only, opt in "
          + "with Cluster.builder().allowNonLoopback() (ClusterMember: --allow-non-loopback)");
    }
  }
}
