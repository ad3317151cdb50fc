package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.pool.SerializableFunction;
import io.github.multiprocessing4j.testing.NoLeakedProcesses;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * SyncManager's Pool (§B.6): a pool in the manager's process used through a proxy, from a child
 * too; its async results are proxies; it ends with its last reference and with the manager.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedPoolTest {

  private static SharedManager shared;
  private static SyncManager manager;

  @BeforeAll
  static void startManager(TestInfo info) {
    shared = SharedManager.start(info);
    manager = shared.manager;
  }

  @AfterAll
  static void shutDownManager() throws InterruptedException {
    shared.stop();
  }

  static int square(int x) {
    return x * x;
  }

  @SuppressWarnings("unchecked")
  static void usePool(Args args) throws Exception {
    PoolProxy pool = args.get(0, PoolProxy.class);
    Map<String, Object> out = args.get(1, Map.class);
    out.put("map", pool.map(ManagedPoolTest::square, List.of(1, 2, 3, 4)));
    out.put("apply", pool.apply(() -> 6 * 7));
    AsyncResultProxy<String> r = pool.applyAsync(() -> "async");
    out.put("applyAsync", r.get(Waits.LONG));
    out.put("ready", r.ready());
  }

  @Test
  void aChildUsesTheManagedPoolThroughItsProxy() throws Exception {
    PoolProxy pool = manager.pool(2);
    Map<String, Object> out = manager.dict();
    Process p = Process.builder().target(ManagedPoolTest::usePool).args(pool, out).build();
    p.start();
    assertThat(p.join(Waits.LONG)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(out.get("map")).isEqualTo(List.of(1, 4, 9, 16));
    assertThat(out.get("apply")).isEqualTo(42);
    assertThat(out.get("applyAsync")).isEqualTo("async");
    assertThat(out.get("ready")).isEqualTo(true);
    ((BaseProxy) pool).close();
  }

  @Test
  void mapStarmapAndAsyncResultsFromThisProcess() throws Exception {
    PoolProxy pool = manager.pool(2);
    assertThat(pool.processes()).isEqualTo(2);
    SerializableFunction<Args, Integer> add = a -> a.getInt(0) + a.getInt(1);
    assertThat(pool.starmap(add, List.of(List.of(1, 2), List.of(3, 4)))).containsExactly(3, 7);
    assertThat(pool.<Integer, Integer>map(x -> x + 1, List.of(1, 2, 3), 2)).containsExactly(2, 3, 4);
    AsyncResultProxy<List<Integer>> m = pool.mapAsync(ManagedPoolTest::square, List.of(5, 6));
    assertThat(m.get(Waits.LONG)).containsExactly(25, 36);
    assertThat(m.successful()).isTrue();
    assertThat(((BaseProxy) m).typeId()).isEqualTo(SyncManager.ASYNC_RESULT);
    AsyncResultProxy<List<Integer>> s = pool.starmapAsync(add, List.of(List.of(10, 1)));
    assertThat(s.get(Waits.LONG.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(11);
    assertThat(s.isDone()).isTrue();
    ((BaseProxy) m).close();
    ((BaseProxy) s).close();
    ((BaseProxy) pool).close();
  }

  static int failOnThree(int x) {
    if (x == 3) {
      throw new IllegalArgumentException("three");
    }
    return x * 10;
  }

  @Test
  void imapAndImapUnorderedIterateThroughAProxyOfTheManagersIterator() throws Exception {
    PoolProxy pool = manager.pool(2);
    ResultIterator<Integer> it = pool.imap(ManagedPoolTest::square, List.of(1, 2, 3, 4), 1);
    assertThat(((BaseProxy) it).typeId()).isEqualTo(SyncManager.ITERATOR);
    assertThat(it.next(Waits.LONG)).isEqualTo(1);
    assertThat(it.next()).isEqualTo(4);
    List<Integer> rest = new ArrayList<>(); // not serializable: forEachRemaining runs here
    it.forEachRemaining(rest::add);
    assertThat(rest).containsExactly(9, 16);
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);

    ResultIterator<Integer> failing = pool.imap(ManagedPoolTest::failOnThree, List.of(1, 3, 5));
    assertThat(failing.next()).isEqualTo(10);
    assertThatThrownBy(failing::next).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("three");
    assertThat(failing.next()).as("iteration goes on after a failed item").isEqualTo(50);

    List<Integer> unordered = new ArrayList<>();
    ResultIterator<Integer> u = pool.imapUnordered(ManagedPoolTest::square, List.of(1, 2, 3, 4, 5), 2);
    while (u.hasNext()) {
      unordered.add(u.next());
    }
    assertThat(unordered).containsExactlyInAnyOrder(1, 4, 9, 16, 25);
    assertThat(pool.imapUnordered(ManagedPoolTest::square, List.of(7)).next()).isEqualTo(49);
    assertThatThrownBy(() -> manager.get(SyncManager.ITERATOR, ResultIterator.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createMethod(false)");
    for (Object p : List.of(it, failing, u)) {
      ((BaseProxy) p).close();
    }
    ((BaseProxy) pool).close();
  }

  @Test
  void aTaskThatThrowsAndAFunctionThatCannotBeSentAreErrorsInTheCaller() throws Exception {
    PoolProxy pool = manager.pool(1);
    SerializableCallable<Integer> boom = () -> {
      throw new IllegalStateException("boom");
    };
    assertThatThrownBy(() -> pool.apply(boom)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
    Object notSerializable = new Object();
    SerializableCallable<Integer> capturing = notSerializable::hashCode;
    assertThatThrownBy(() -> pool.apply(capturing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the arguments of Pool.apply").hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> manager.get(SyncManager.ASYNC_RESULT, AsyncResultProxy.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createMethod(false)");
    pool.shutdown();
    assertThatThrownBy(() -> pool.apply(() -> 1)).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("Pool not running");
    pool.join();
    ((BaseProxy) pool).close();
  }

  @Test
  void aPendingResultKeepsThePoolUntilItsProxyIsClosedThenThePoolIsTerminated() throws Exception {
    PoolProxy pool = manager.pool(1);
    List<Long> workers = pool.workerPids();
    assertThat(workers).hasSize(1);
    BlockingQueue<String> gate = manager.queue();
    AsyncResultProxy<String> r = pool.applyAsync(() -> gate.take() + "!");
    ((BaseProxy) pool).close(); // the pool's own last reference: the pending result still holds it
    gate.put("go");
    assertThat(r.get(Waits.LONG)).isEqualTo("go!");
    assertThat(workers).allMatch(ManagedPoolTest::alive);
    ((BaseProxy) r).close(); // the last holder: the pool is terminated
    Waits.until(() -> workers.stream().noneMatch(ManagedPoolTest::alive), "the managed pool's worker to end");
    ((BaseProxy) gate).close();
  }

  @SuppressWarnings("unchecked")
  static void holdPoolUntilKilled(Args args) throws Exception {
    PoolProxy pool = args.get(0, PoolProxy.class);
    BlockingQueue<String> ready = args.get(1, BlockingQueue.class);
    BlockingQueue<String> never = args.get(2, BlockingQueue.class);
    ready.put("applied " + pool.apply(() -> 1));
    never.poll(Waits.UNTIL_KILLED.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aPoolWhoseLastHolderIsAChildThatDiesIsTerminated() throws Exception {
    PoolProxy pool = manager.pool(1);
    List<Long> workers = pool.workerPids();
    BlockingQueue<String> ready = manager.queue();
    BlockingQueue<String> never = manager.queue();
    Process child = Process.builder().target(ManagedPoolTest::holdPoolUntilKilled).args(pool, ready, never).build();
    child.start();
    ((BaseProxy) pool).close(); // the child's reference, taken for it at start, is the last one
    assertThat(ready.poll(Waits.LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("applied 1");
    assertThat(workers).allMatch(ManagedPoolTest::alive);
    child.kill();
    assertThat(child.join(Waits.LONG)).isTrue();
    never.put("end"); // ends the dead child's wait in the server
    Waits.until(() -> workers.stream().noneMatch(ManagedPoolTest::alive),
        "the worker of a pool whose last holder died to end");
    ((BaseProxy) ready).close();
    ((BaseProxy) never).close();
  }

  @Test
  void aManagerShutDownWithALivePoolLeavesNoWorkerBehind() throws Exception {
    List<Long> workers;
    Process server;
    try (SyncManager m = new SyncManager()) {
      m.start();
      server = m.serverProcess();
      PoolProxy pool = m.pool(2);
      assertThat(pool.apply(() -> 1)).isEqualTo(1);
      workers = pool.workerPids();
      assertThat(workers).hasSize(2).allMatch(ManagedPoolTest::alive);
    } // shut down with the pool running
    assertThat(server.join(Waits.LONG)).isTrue();
    // The workers are the manager's children: once it is gone, NoLeakedProcesses no longer sees them.
    Waits.until(() -> workers.stream().noneMatch(ManagedPoolTest::alive), "the managed pool's workers to end");
  }

  @Test
  void aManagerKilledWithALivePoolLeavesNoWorkerBehind() throws Exception {
    List<Long> workers;
    try (SyncManager m = new SyncManager()) {
      m.start();
      Process server = m.serverProcess();
      PoolProxy pool = m.pool(2);
      workers = pool.workerPids();
      assertThat(workers).hasSize(2).allMatch(ManagedPoolTest::alive);
      Multiprocessing.kill(server.pid(), Multiprocessing.SIGKILL);
      assertThat(server.join(Waits.LONG)).isTrue();
    }
    Waits.until(() -> workers.stream().noneMatch(ManagedPoolTest::alive),
        "the workers of a pool whose manager was killed to end");
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(NoLeakedProcesses::reallyAlive).orElse(false);
  }
}
