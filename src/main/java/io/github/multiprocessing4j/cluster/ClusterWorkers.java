package io.github.multiprocessing4j.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.internal.access.RemoteWorkers;
import io.github.multiprocessing4j.internal.runtime.Log;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * The caller's side of a cluster pool: each task goes to the member with the most free workers
 * (its published worker count less the tasks this caller has there), and a task whose member left
 * before answering runs again on another one, unless retries are off. Callers do not see each
 * other's tasks: two callers may both pick the same member.
 */
final class ClusterWorkers implements RemoteWorkers, MembershipListener {

  private static final Logger LOG = Log.get(ClusterWorkers.class);

  /** Sends cancellations; its threads end when idle. */
  private static final ExecutorService CANCELLERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "multiprocessing4j-cluster-cancel");
        t.setDaemon(true);
        return t;
      });

  private final HazelcastInstance hz;
  private final IExecutorService executor;
  private final boolean retry;
  private final String name;
  private final Map<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  /** The runs not yet settled, by member, so that a member's departure settles its own. */
  private final Map<UUID, Set<Attempt>> attempts = new ConcurrentHashMap<>();
  private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
  private final UUID registration;

  ClusterWorkers(HazelcastInstance hz, boolean retry) {
    this.hz = hz;
    this.executor = hz.getExecutorService(MemberConfigs.EXECUTOR);
    this.retry = retry;
    this.name = "cluster '" + clusterName(hz) + "'";
    this.registration = hz.getCluster().addMembershipListener(this);
  }

  /** The name of the instance's cluster, a member's or a client's. */
  static String clusterName(HazelcastInstance hz) {
    if (hz instanceof com.hazelcast.client.impl.clientside.HazelcastClientProxy) {
      return ((com.hazelcast.client.impl.clientside.HazelcastClientProxy) hz).getClientConfig().getClusterName();
    }
    try {
      return hz.getConfig().getClusterName();
    } catch (UnsupportedOperationException e) {
      return hz.getName(); // an instance of neither kind
    }
  }

  /** Stops listening to the cluster's membership. */
  void close() {
    try {
      hz.getCluster().removeMembershipListener(registration);
    } catch (RuntimeException e) {
      // the instance is already shut down
    }
  }

  /** The worker JVMs a member publishes, 0 if none or unreadable. */
  static int workers(Member m) {
    String v = m.getAttribute(MemberConfigs.WORKERS_ATTRIBUTE);
    if (v == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public int capacity() {
    int n = 0;
    try {
      for (Member m : hz.getCluster().getMembers()) {
        n += workers(m);
      }
    } catch (RuntimeException e) {
      return 0; // the instance is shut down
    }
    return n;
  }

  @Override
  public void onCapacityChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public CompletableFuture<byte[]> run(byte[] function, byte[] task) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    send(new ClusterTask(function, task), answer, new HashSet<>());
    return answer;
  }

  private void send(ClusterTask task, CompletableFuture<byte[]> answer, Set<UUID> left) {
    if (answer.isDone()) {
      return; // cancelled: the pool was terminated
    }
    Member m;
    try {
      m = pick(left);
    } catch (RuntimeException e) {
      answer.completeExceptionally(notRunning(e));
      return;
    }
    if (m == null) {
      answer.completeExceptionally(new MultiprocessingException("no member of " + name + " runs workers"
          + (left.isEmpty() ? "" : " any more (" + left.size() + " left while running this task)")));
      return;
    }
    Attempt a = new Attempt(task, answer, left, m);
    attempts.computeIfAbsent(m.getUuid(), k -> ConcurrentHashMap.newKeySet()).add(a);
    Future<byte[]> remote;
    try {
      remote = executor.submitToMember(task, m);
    } catch (RuntimeException e) {
      a.onFailure(e);
      return;
    }
    stage(remote).whenCompleteAsync(a);
    answer.whenComplete((r, t) -> {
      if (answer.isCancelled()) {
        stopRemotely(remote, m);
      }
    });
    if (!hz.getCluster().getMembers().contains(m)) {
      a.memberLost(); // it left between the pick and the registration: no event will say so
    }
  }

  /**
   * One run of a task on one member. Settled once, by whichever comes first: the member's answer,
   * a failure, or the member's departure, which Hazelcast does not always turn into a failure of
   * the invocations already sent to it (some wait for the operation timeout instead).
   */
  private final class Attempt implements BiConsumer<byte[], Throwable> {
    private final ClusterTask task;
    private final CompletableFuture<byte[]> answer;
    private final Set<UUID> left;
    private final Member member;
    private final AtomicBoolean settled = new AtomicBoolean();

    Attempt(ClusterTask task, CompletableFuture<byte[]> answer, Set<UUID> left, Member member) {
      this.task = task;
      this.answer = answer;
      this.left = left;
      this.member = member;
      inFlight.computeIfAbsent(member.getUuid(), k -> new AtomicInteger()).incrementAndGet();
    }

    private boolean settle() {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      AtomicInteger n = inFlight.get(member.getUuid());
      if (n != null) {
        n.decrementAndGet();
      }
      Set<Attempt> mine = attempts.get(member.getUuid());
      if (mine != null) {
        mine.remove(this);
      }
      return true;
    }

    @Override
    public void accept(byte[] response, Throwable failure) {
      if (failure == null) {
        if (settle()) {
          answer.complete(response);
        }
      } else {
        onFailure(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
      }
    }

    void onFailure(Throwable t) {
      if (settle()) {
        failed(task, answer, left, member, t);
      }
    }

    void memberLost() {
      if (settle()) {
        lost(task, answer, left, member, null);
      }
    }
  }

  private void failed(ClusterTask task, CompletableFuture<byte[]> answer, Set<UUID> left, Member m, Throwable t) {
    if (!hz.getLifecycleService().isRunning()) {
      answer.completeExceptionally(notRunning(t));
    } else if (memberGone(t) || !hz.getCluster().getMembers().contains(m)) {
      lost(task, answer, left, m, t);
    } else {
      answer.completeExceptionally(new MultiprocessingException("cluster member " + m.getAddress()
          + " could not run this task: " + t, t));
    }
  }

  /** The task's member left before answering: run it elsewhere, or fail if retries are off. */
  private void lost(ClusterTask task, CompletableFuture<byte[]> answer, Set<UUID> left, Member m, Throwable t) {
    if (retry) {
      LOG.warn("cluster member {} left while running a task; running it again on another member", m.getAddress());
      left.add(m.getUuid());
      send(task, answer, left);
    } else {
      answer.completeExceptionally(new MultiprocessingException("cluster member " + m.getAddress()
          + " left while running this task, and retries are off (Cluster.Builder.retryOnMemberLoss)", t));
    }
  }

  /**
   * Cancels a task's run on its member, interrupting it there, which kills the worker JVM that
   * runs it (the member's pool replaces it): a terminated pool leaves nothing running. Hazelcast's
   * cancel waits for the member's reply, so it runs on a thread of its own, never the
   * terminating caller's.
   */
  private static void stopRemotely(Future<byte[]> remote, Member m) {
    if (remote.isDone()) {
      return;
    }
    CANCELLERS.execute(() -> {
      try {
        remote.cancel(true);
      } catch (RuntimeException e) {
        LOG.debug("cancelling a task on cluster member {} failed (it may have left): {}", m.getAddress(), e.toString());
      }
    });
  }

  /**
   * Hazelcast's executor futures are CompletableFutures (members' and clients' alike, 5.x); their
   * async callbacks run on its default async executor, as its ExecutionCallbacks do.
   */
  @SuppressWarnings("unchecked") // a future of the task's answer type
  private static CompletionStage<byte[]> stage(Future<byte[]> f) {
    return (CompletionStage<byte[]>) f;
  }

  private MultiprocessingException notRunning(Throwable t) {
    return new MultiprocessingException("this JVM's link to " + name + " is shut down", t);
  }

  private static boolean memberGone(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof MemberLeftException || c instanceof TargetNotMemberException
          || c instanceof TargetDisconnectedException) {
        return true;
      }
    }
    return false;
  }

  /** The member with the most free workers for this caller, one that left excepted; null if none. */
  private Member pick(Set<UUID> left) {
    Member best = null;
    int bestFree = Integer.MIN_VALUE;
    for (Member m : hz.getCluster().getMembers()) {
      int workers = workers(m);
      if (workers == 0 || left.contains(m.getUuid())) {
        continue;
      }
      AtomicInteger n = inFlight.get(m.getUuid());
      int free = workers - (n == null ? 0 : n.get());
      if (free > bestFree) {
        best = m;
        bestFree = free;
      }
    }
    return best;
  }

  @Override
  public void memberAdded(MembershipEvent e) {
    for (Runnable r : listeners) {
      r.run();
    }
  }

  @Override
  public void memberRemoved(MembershipEvent e) {
    Set<Attempt> lost = attempts.remove(e.getMember().getUuid());
    if (lost != null) {
      for (Attempt a : lost.toArray(new Attempt[0])) {
        a.memberLost();
      }
    }
    inFlight.remove(e.getMember().getUuid());
  }
}
