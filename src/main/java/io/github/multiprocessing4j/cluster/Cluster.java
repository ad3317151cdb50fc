package io.github.multiprocessing4j.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.config.Config;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A handle on a Hazelcast cluster whose members run the tasks of this library's {@link Pool} and
 * {@link ProcessPoolExecutor}: {@code Pool pool = cluster.pool()} is a {@code Pool} with the whole
 * surface of a local one ({@code map}, {@code imap}, {@code applyAsync}, callbacks,
 * {@code close}...), whose tasks run in the worker JVMs of every member.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.start(); Pool pool = cluster.pool()) {
 *   List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 * }
 * }</pre>
 *
 * <p>{@link #start()} makes this JVM one member of a cluster of its own, bound to 127.0.0.1, with
 * one worker JVM per CPU; {@link #builder()} joins other members ({@link ClusterMember} starts one
 * on another machine), binds elsewhere, or takes a Hazelcast {@link Config} or an existing
 * {@link HazelcastInstance}. Each member spreads nothing: the JVM that submits picks, for each task,
 * the member with the most free workers, and runs a task again on another member when its member
 * leaves before answering (tasks must be idempotent; see {@link Builder#retryOnMemberLoss}).
 *
 * <p>Thread-safe. {@link #close()} terminates the pools made here and, if this handle started the
 * Hazelcast instance, shuts it down; idempotent.
 */
@SuppressWarnings("exports") // Hazelcast's types in the API: its users require Hazelcast anyway
public final class Cluster implements AutoCloseable {

  private static final SharedSecrets.PoolAccess<Pool, ProcessPoolExecutor> POOLS =
      SharedSecrets.poolAccess(Pool.class, ProcessPoolExecutor.class);

  /** Keeps the library's queues apart from other users of the same cluster. */
  private static final String QUEUE_PREFIX = "multiprocessing4j-queue-";
  /** The cluster map of each queue's bound and kind ({@code "10"}, {@code "0j"}), by name. */
  private static final String QUEUE_KINDS = "multiprocessing4j-queue-kinds";
  private static final String QUEUE_JOINABLE = "j";
  /** The cluster map of joinable queues' unfinished tasks, by name. */
  private static final String QUEUE_UNFINISHED = "multiprocessing4j-queue-unfinished";

  private final HazelcastInstance hz;
  private final boolean owned;
  private final LocalWorkers local;
  private final boolean retry;
  /** How to stop the pools made here; guarded by itself, as {@link #links} and {@link #closed}. */
  private final List<AutoCloseable> made = new ArrayList<>();
  private final List<ClusterWorkers> links = new ArrayList<>();
  private boolean closed;

  private Cluster(HazelcastInstance hz, boolean owned, LocalWorkers local, boolean retry) {
    this.hz = hz;
    this.owned = owned;
    this.local = local;
    this.retry = retry;
  }

  /**
   * Starts the default cluster: one embedded member in this JVM, bound to 127.0.0.1, port 5701 or
   * the next free one, no discovery, one worker JVM per CPU. Other members started with the same
   * defaults on this machine join it.
   *
   * @return the handle
   * @throws IllegalStateException if the member cannot start
   */
  public static Cluster start() {
    return builder().start();
  }

  /**
   * A builder for a cluster that joins other members, binds elsewhere, or uses a given
   * configuration or instance.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A pool whose tasks run on the cluster's members: CPython's {@code Pool} surface, as a local
   * {@link Pool}. Its {@link Pool#processes()} is the number of worker JVMs of the members at the
   * time of asking, which also sets {@code map}'s default chunk size.
   *
   * @return a running pool
   * @throws IllegalStateException if this handle is closed
   */
  public Pool pool() {
    return make(POOLS::pool, p -> p::terminate);
  }

  /**
   * An executor whose tasks run on the cluster's members, as a local {@link ProcessPoolExecutor}.
   *
   * @return a running executor
   * @throws IllegalStateException if this handle is closed
   */
  public ProcessPoolExecutor executor() {
    return make(POOLS::executor, e -> e::shutdownNow);
  }

  /** Makes a pool or executor over a new link to the cluster, and remembers how to stop it. */
  private <T> T make(Function<ClusterWorkers, T> factory, Function<T, AutoCloseable> stopper) {
    synchronized (made) {
      T t = factory.apply(link());
      made.add(stopper.apply(t));
      return t;
    }
  }

  private ClusterWorkers link() {
    if (closed) {
      throw new IllegalStateException("the cluster handle is closed");
    }
    ClusterWorkers w = new ClusterWorkers(hz, retry);
    links.add(w);
    return w;
  }

  /**
   * The cluster queue of this name, shared by every member and client of the cluster: the same
   * name gives the same queue everywhere, with the bound and kind it was first made with (a new
   * name makes an unbounded one). See {@link ClusterQueue}.
   *
   * @param <E> the item type
   * @param name the queue's name
   * @return a handle on the queue (a {@link ClusterJoinableQueue} if it was made joinable)
   * @throws IllegalArgumentException if the name is blank
   */
  public <E> ClusterQueue<E> queue(String name) {
    return open(name, 0, false, false);
  }

  /**
   * The cluster queue of this name, holding at most {@code maxsize} items: {@code put} waits for
   * room, {@code put} with a timeout and {@code putNowait} throw
   * {@link io.github.multiprocessing4j.queues.QueueFullException}, as on a local bounded queue. The
   * bound is the cluster's, fixed by whoever makes the queue first: make it before any other JVM
   * uses the name.
   *
   * @param <E> the item type
   * @param name the queue's name
   * @param maxsize the bound; zero or negative for none
   * @return a handle on the queue
   * @throws IllegalArgumentException if the name is blank, or the queue exists with another bound
   *     or kind (naming both)
   */
  public <E> ClusterQueue<E> queue(String name, int maxsize) {
    return open(name, Math.max(0, maxsize), false, true);
  }

  /**
   * The joinable cluster queue of this name, unbounded: CPython's {@code JoinableQueue} across
   * the cluster. See {@link ClusterJoinableQueue}.
   *
   * @param <E> the item type
   * @param name the queue's name
   * @return a handle on the queue
   * @throws IllegalArgumentException if the name is blank, or the queue exists and is not joinable
   *     or is bounded
   */
  public <E> ClusterJoinableQueue<E> joinableQueue(String name) {
    return joinableQueue(name, 0);
  }

  /**
   * The joinable cluster queue of this name, holding at most {@code maxsize} items.
   *
   * @param <E> the item type
   * @param name the queue's name
   * @param maxsize the bound; zero or negative for none
   * @return a handle on the queue
   * @throws IllegalArgumentException if the name is blank, or the queue exists with another bound
   *     or kind
   */
  public <E> ClusterJoinableQueue<E> joinableQueue(String name, int maxsize) {
    return (ClusterJoinableQueue<E>) this.<E>open(name, Math.max(0, maxsize), true, true);
  }

  /**
   * A handle on a queue; its bound and kind are recorded in a cluster map on first use, so that
   * every JVM sees the same, and a bounded queue's bound is set in the members' configuration
   * (Hazelcast's dynamic configuration) before the queue exists.
   */
  private <E> ClusterQueue<E> open(String name, int maxsize, boolean joinable, boolean explicit) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a cluster queue needs a name");
    }
    String wanted = maxsize + (joinable ? QUEUE_JOINABLE : "");
    com.hazelcast.map.IMap<String, String> kinds = hz.getMap(QUEUE_KINDS);
    String had = kinds.putIfAbsent(name, wanted);
    if (had == null && maxsize > 0) {
      try {
        hz.getConfig().addQueueConfig(new QueueConfig(QUEUE_PREFIX + name).setMaxSize(maxsize));
      } catch (RuntimeException e) {
        kinds.remove(name, wanted);
        throw new IllegalArgumentException("cannot bound cluster queue '" + name + "' to " + maxsize + ": " + e, e);
      }
    }
    String is = had == null ? wanted : had;
    if (explicit && !is.equals(wanted)) {
      throw new IllegalArgumentException("cluster queue '" + name + "' already exists as " + describeKind(is)
          + ", not " + describeKind(wanted) + ": a queue keeps the bound and kind it was first made with; use another name");
    }
    boolean isJoinable = is.endsWith(QUEUE_JOINABLE);
    int bound = Integer.parseInt(isJoinable ? is.substring(0, is.length() - QUEUE_JOINABLE.length()) : is);
    com.hazelcast.collection.IQueue<byte[]> q = hz.getQueue(QUEUE_PREFIX + name);
    return isJoinable ? new ClusterJoinableQueue<>(hz, q, hz.getMap(QUEUE_UNFINISHED), name, bound)
        : new ClusterQueue<>(hz, q, null, name, bound);
  }

  private static String describeKind(String kind) {
    boolean joinable = kind.endsWith(QUEUE_JOINABLE);
    String bound = joinable ? kind.substring(0, kind.length() - QUEUE_JOINABLE.length()) : kind;
    return (joinable ? "a joinable" : "a plain") + (bound.equals("0") ? " unbounded queue" : " queue of maxsize " + bound);
  }

  /**
   * The worker JVMs of the cluster's members now, as they publish them.
   *
   * @return zero or more
   */
  public int workers() {
    int n = 0;
    for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) {
      n += ClusterWorkers.workers(m);
    }
    return n;
  }

  /**
   * The Hazelcast instance under this handle, for what this class does not offer.
   *
   * @return the instance
   */
  public HazelcastInstance hazelcast() {
    return hz;
  }

  /**
   * Terminates the pools and executors made here, stops this member's workers and, if this handle
   * started the Hazelcast instance, shuts it down.
   */
  @Override
  public void close() {
    List<AutoCloseable> toClose;
    List<ClusterWorkers> toUnlink;
    synchronized (made) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(made);
      made.clear();
      toUnlink = new ArrayList<>(links);
      links.clear();
    }
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        // terminating a pool does not throw
      }
    }
    for (ClusterWorkers w : toUnlink) {
      w.close();
    }
    if (local != null) {
      local.stop();
    }
    if (owned) {
      hz.shutdown();
    }
  }

  /**
   * Builds a {@link Cluster}. Setters validate at once; not thread-safe.
   */
  public static final class Builder {

    private String bind = "127.0.0.1";
    private boolean allowNonLoopback;
    private int port = MemberConfigs.DEFAULT_PORT;
    private String clusterName = MemberConfigs.DEFAULT_CLUSTER_NAME;
    private final List<String> join = new ArrayList<>();
    private Config config;
    private HazelcastInstance instance;
    private int workers = Multiprocessing.cpuCount();
    private boolean retry = true;
    private boolean client;
    private Consumer<Pool.Builder> memberWorkers = b -> { };
    private String clientPrefix = "multiprocessing4j-client-";

    private Builder() {}

    /**
     * Makes {@link #client()} a client the library owns in this JVM (for a cluster queue a
     * process received): its threads, named {@code hz.mp4j-...}, do not keep a child process
     * from ending.
     */
    Builder libraryClient() {
      this.client = true;
      this.clientPrefix = "mp4j-queue-client-";
      return this;
    }

    /**
     * Sets the members to join, each {@code host} or {@code host:port} (TCP-IP join; no discovery).
     * Default: the bind address, so members on this machine find each other.
     *
     * @param addresses the members' addresses
     * @return this builder
     * @throws IllegalArgumentException if one is blank
     */
    public Builder join(String... addresses) {
      for (String a : addresses) {
        if (a == null || a.isBlank()) {
          throw new IllegalArgumentException("a join address is blank: " + Arrays.toString(addresses));
        }
      }
      join.clear();
      join.addAll(Arrays.asList(addresses));
      return this;
    }

    /**
     * Sets the address this member binds to. Default 127.0.0.1. Anything but a loopback address is
     * refused at {@link #start()} unless {@link #allowNonLoopback()} was called.
     *
     * @param address an IP address or host name of this machine
     * @return this builder
     */
    public Builder bind(String address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Allows binding to an address other than loopback. Open-source Hazelcast has no member
     * authentication and no TLS: anyone who reaches the address can join and run code on the
     * members. Use it on a private network only.
     *
     * @return this builder
     */
    public Builder allowNonLoopback() {
      this.allowNonLoopback = true;
      return this;
    }

    /**
     * Sets the first port to try; the next ones are tried when it is taken. Default 5701.
     *
     * @param port 1 to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535, not " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the cluster's name: only members with the same name form a cluster. Default
     * {@code "multiprocessing4j"}.
     *
     * @param name the name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder clusterName(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("the cluster name must not be blank");
      }
      this.clusterName = name;
      return this;
    }

    /**
     * Sets how many worker JVMs this member runs. Default: one per CPU
     * ({@link Multiprocessing#cpuCount()}); 0 makes a member that submits but runs no tasks.
     *
     * @param workers 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder workers(int workers) {
      if (workers < 0) {
        throw new IllegalArgumentException("workers must be 0 or more, not " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * Sets up this member's worker JVMs as a local pool's: the given code receives the
     * {@link Pool.Builder} the member's workers are built from, for its {@code initializer}
     * (with its {@code initargs}), {@code maxTasksPerChild}, {@code workerOptions},
     * {@code launchOptions} or {@code context}; its {@code processes} is {@link #workers(int)}'s,
     * whatever it sets. These are the member's: they apply to every cluster pool's tasks that this
     * member's workers run, and each member sets its own ({@link ClusterMember}:
     * {@code --initializer}, {@code --max-tasks-per-child}). Default: a plain pool.
     *
     * @param options sets the builder's options; runs at {@link #start()}
     * @return this builder
     */
    public Builder memberWorkers(Consumer<Pool.Builder> options) {
      this.memberWorkers = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Starts the member from this Hazelcast configuration instead of the defaults (the bind,
     * join, port and name settings are then ignored). This package adds its executor, the member's
     * worker count, slf4j logging (unless set) and its serialization filter to it.
     *
     * @param config the configuration
     * @return this builder
     */
    public Builder config(Config config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Uses an existing Hazelcast instance, member or client, which {@link Cluster#close()} leaves
     * running. A member given here runs no workers of this library (start members with
     * {@link ClusterMember} or a builder for that); tasks go to the members that do.
     *
     * @param instance the instance
     * @return this builder
     */
    public Builder instance(HazelcastInstance instance) {
      this.instance = Objects.requireNonNull(instance, "instance");
      return this;
    }

    /**
     * Connects as a Hazelcast client instead of starting a member: this JVM then submits tasks
     * and uses queues, but holds no data and runs no workers ({@link #workers(int)} is ignored),
     * and nothing listens on a port here. It connects to the {@link #join} addresses (default:
     * the bind address and port) of the named cluster, with the library's serialization filter,
     * and gives up after a minute without a member.
     *
     * @return this builder
     */
    public Builder client() {
      this.client = true;
      return this;
    }

    /**
     * Sets whether a task whose member leaves (dies, is killed, loses the network) before it
     * answers runs again on another member. A task may then run more than once (its first run
     * may have finished on the lost member): tasks must be idempotent. When false, such a task
     * fails with a {@link io.github.multiprocessing4j.MultiprocessingException} naming the member.
     * Default true.
     *
     * @param retry whether to run such tasks again
     * @return this builder
     */
    public Builder retryOnMemberLoss(boolean retry) {
      this.retry = retry;
      return this;
    }

    /**
     * Starts the member (or takes the given instance) and this member's workers.
     *
     * @return the handle
     * @throws IllegalArgumentException if the bind address is not loopback and
     *     {@link #allowNonLoopback()} was not called, naming the address
     * @throws IllegalStateException if the member cannot start
     */
    public Cluster start() {
      AsyncCompletions.pooled();
      if (instance != null) {
        return new Cluster(instance, false, null, retry);
      }
      if (client) {
        List<String> members = join.isEmpty() ? List.of(bind + ":" + port) : join;
        try {
          return new Cluster(HazelcastClient.newHazelcastClient(MemberConfigs.client(members, clusterName, clientPrefix)), true,
              null, retry);
        } catch (IllegalStateException e) {
          throw new IllegalStateException("cannot connect to cluster '" + clusterName + "' at " + members + ": " + e, e);
        }
      }
      Config c;
      if (config != null) {
        c = config;
        if (c.getNetworkConfig().getInterfaces().isEnabled()) {
          for (String a : c.getNetworkConfig().getInterfaces().getInterfaces()) {
            MemberConfigs.checkBind(a, allowNonLoopback);
          }
        }
      } else {
        MemberConfigs.checkBind(bind, allowNonLoopback);
        c = MemberConfigs.defaults(bind, port, join, clusterName);
      }
      if (c.getInstanceName() == null) {
        c.setInstanceName("multiprocessing4j-" + java.util.UUID.randomUUID());
      }
      LocalWorkers local = workers > 0 ? LocalWorkers.start(c.getInstanceName(), workers, memberWorkers) : null;
      HazelcastInstance hz = null;
      try {
        hz = Hazelcast.newHazelcastInstance(MemberConfigs.complete(c, workers));
        InetAddress bound = hz.getCluster().getLocalMember().getAddress().getInetAddress();
        MemberConfigs.checkBind(bound.getHostAddress(), allowNonLoopback);
        if (local != null) {
          local.startedAs(hz);
        }
        return new Cluster(hz, true, local, retry);
      } catch (Exception | Error e) {
        if (hz != null) {
          hz.shutdown();
        }
        if (local != null) {
          local.stop();
        }
        if (e instanceof RuntimeException) {
          throw (RuntimeException) e;
        }
        if (e instanceof Error) {
          throw (Error) e;
        }
        throw new IllegalStateException("cannot start the cluster member: " + e, e);
      }
    }
  }
}
