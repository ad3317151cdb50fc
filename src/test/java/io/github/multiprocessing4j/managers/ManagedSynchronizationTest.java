package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * SyncManager's Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier (§B.6): the
 * objects live in the manager's process, shared by every process holding a proxy. One manager for
 * the class; each test makes its own objects.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // holds kept for their scope only
class ManagedSynchronizationTest {

  private static SharedManager shared;
  private static SyncManager manager;

  @BeforeAll
  static void startManager(TestInfo info) {
    shared = SharedManager.start(info);
    manager = shared.manager;
  }

  @AfterAll
  static void stopManager() throws InterruptedException {
    shared.stop();
  }

  private static void joinAll(List<Process> ps) throws InterruptedException {
    for (Process p : ps) {
      assertThat(p.join(Waits.LONG)).as(p.name() + " ended").isTrue();
      assertThat(p.exitCode()).as(p.name() + "'s exit code").isZero();
    }
  }

  @SuppressWarnings("unchecked")
  static void incrementUnderLock(Args args) {
    AcquirerProxy lock = args.get(0, AcquirerProxy.class);
    ValueProxy<Integer> v = args.get(1, ValueProxy.class);
    for (int i = 0; i < 20; i++) {
      try (AcquirerProxy.Hold h = lock.hold()) {
        v.set(v.get() + 1); // two calls: lost updates without the lock
      }
    }
  }

  @Test
  void threeChildrenIncrementAManagedValueUnderAManagedLock() throws Exception {
    AcquirerProxy lock = manager.lock();
    ValueProxy<Integer> v = manager.value(0);
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Process p = Process.builder().target(ManagedSynchronizationTest::incrementUnderLock).args(lock, v).build();
      p.start();
      ps.add(p);
    }
    joinAll(ps);
    assertThat(v.get()).isEqualTo(60);
    assertThat(lock.acquire(false, null)).as("free again").isTrue();
    lock.release();
  }

  private static <T> T inOtherThread(java.util.concurrent.Callable<T> c) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(c.call());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    t.start();
    try {
      return f.get(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }

  @Test
  void anRLockIsReentrantAndOnlyItsOwnerReleasesIt() throws Exception {
    AcquirerProxy rl = manager.rLock();
    assertThat(rl.acquire()).isTrue();
    assertThat(rl.acquire(false, null)).as("reentry by the owner").isTrue();
    assertThat(inOtherThread(() -> rl.acquire(false, null))).as("another thread").isFalse();
    assertThatThrownBy(() -> inOtherThread(() -> {
      rl.release();
      return null;
    })).isExactlyInstanceOf(IllegalMonitorStateException.class).hasMessage("cannot release un-acquired lock");
    assertThat(rl.toString()).contains(", 2)>");
    rl.release();
    rl.release();
    assertThatThrownBy(rl::release).isExactlyInstanceOf(IllegalMonitorStateException.class)
        .hasMessage("cannot release un-acquired lock");
    assertThat(inOtherThread(() -> rl.acquire(false, null))).as("free for another thread").isTrue();
  }

  static void tryAnRLockHeldByTheParent(Args args) {
    AcquirerProxy rl = args.get(0, AcquirerProxy.class);
    if (rl.acquire(false, null)) { // thread ids repeat across processes: an owner is named with its process
      System.exit(3);
    }
    try {
      rl.release();
      System.exit(4);
    } catch (IllegalMonitorStateException e) {
      // the owner is a thread of the parent
    }
  }

  @Test
  void anRLockHeldByTheParentIsNotOwnedByAChild() throws Exception {
    AcquirerProxy rl = manager.rLock();
    assertThat(rl.acquire()).isTrue();
    Process p = Process.builder().target(ManagedSynchronizationTest::tryAnRLockHeldByTheParent).args(rl).build();
    p.start();
    joinAll(List.of(p));
    rl.release();
  }

  @Test
  void aLockMayBeReleasedByAnyThreadButNotWhenUnlocked() throws Exception {
    AcquirerProxy lock = manager.lock();
    assertThat(lock.acquire()).isTrue();
    assertThat(lock.acquire(false, null)).as("not reentrant").isFalse();
    inOtherThread(() -> {
      lock.release();
      return null;
    });
    assertThatThrownBy(lock::release).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("release unlocked lock");
    try (AcquirerProxy.Hold h = lock.hold(Duration.ZERO)) {
      assertThat(h).isNotNull();
      assertThat(lock.hold(Duration.ZERO)).as("held").isNull();
    }
    assertThat(lock.acquire(false, null)).isTrue();
    lock.release();
  }

  @Test
  void semaphoresCountAndABoundedOneRefusesToBeReleasedTooManyTimes() {
    AcquirerProxy s = manager.semaphore(2);
    assertThat(s.acquire(false, null)).isTrue();
    assertThat(s.acquire(false, null)).isTrue();
    assertThat(s.acquire(false, null)).as("value 0").isFalse();
    for (int i = 0; i < 3; i++) {
      s.release(); // unbounded: up to 3
    }
    assertThat(s.toString()).isEqualTo("<Semaphore(value=3)>");

    AcquirerProxy b = manager.boundedSemaphore(1);
    assertThatThrownBy(b::release).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("Semaphore released too many times");
    assertThat(b.acquire()).isTrue();
    assertThat(b.acquire(Duration.ofMillis(1))).isFalse();
    b.release();
    assertThat(b.toString()).isEqualTo("<BoundedSemaphore(value=1, maxvalue=1)>");
    assertThatThrownBy(() -> manager.semaphore(-1)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("semaphore initial value must be >= 0");
  }

  @SuppressWarnings("unchecked")
  static void waitOnCondition(Args args) {
    ConditionProxy cond = args.get(0, ConditionProxy.class);
    ValueProxy<Boolean> ready = args.get(1, ValueProxy.class);
    ValueProxy<String> seen = args.get(2, ValueProxy.class);
    try (AcquirerProxy.Hold h = cond.hold()) {
      assertThat(cond.await()).isTrue(); // the parent signals once this waits
      assertThat(cond.waitFor(ready::get)).isTrue(); // then sets ready and signals again
      seen.set("woken");
    }
  }

  @Test
  void aChildWaitsOnAConditionAndTheParentSignalsIt() throws Exception {
    ConditionProxy cond = manager.condition();
    ValueProxy<Boolean> ready = manager.value(false);
    ValueProxy<String> seen = manager.value("");
    Process p = Process.builder().target(ManagedSynchronizationTest::waitOnCondition).args(cond, ready, seen).build();
    p.start();
    Waits.until(() -> cond.toString().endsWith(", 1)>"), "the child waits on the condition");
    try (AcquirerProxy.Hold h = cond.hold()) {
      cond.signal();
    }
    Waits.until(() -> cond.toString().endsWith(", 1)>"), "the child waits for the predicate");
    try (AcquirerProxy.Hold h = cond.hold()) {
      ready.set(true);
      cond.signalAll();
    }
    joinAll(List.of(p));
    assertThat(seen.get()).isEqualTo("woken");
  }

  @Test
  void aConditionChecksItsLockAndTimesOut() {
    ConditionProxy cond = manager.condition();
    assertThatThrownBy(cond::await).isExactlyInstanceOf(IllegalMonitorStateException.class)
        .hasMessage("cannot wait on un-acquired lock");
    assertThatThrownBy(cond::signal).isExactlyInstanceOf(IllegalMonitorStateException.class)
        .hasMessage("cannot notify on un-acquired lock");
    try (AcquirerProxy.Hold h = cond.hold()) {
      assertThat(cond.await(Duration.ofMillis(20))).as("no signal").isFalse();
      assertThat(cond.waitFor(() -> false, Duration.ofMillis(20))).isFalse();
      assertThat(cond.waitFor(() -> true, Duration.ZERO)).isTrue();
      cond.signal(); // no waiter: nothing happens
    }
  }

  @Test
  void aConditionMadeWithAManagedLockUsesThatLock() throws Exception {
    AcquirerProxy lock = manager.lock();
    ConditionProxy cond = manager.condition(lock);
    assertThat(lock.acquire()).isTrue();
    cond.signal(); // the condition's lock is owned: it is the managed lock itself
    cond.release();
    assertThat(lock.acquire(false, null)).as("released through the condition").isTrue();
    lock.release();
    assertThat(cond.acquire(false, null)).isTrue();
    assertThat(lock.acquire(false, null)).as("acquired through the condition").isFalse();
    cond.release();
    assertThatThrownBy(() -> manager.condition(manager.semaphore()))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("Lock or RLock proxy");
  }

  static void setEvent(Args args) {
    args.get(0, EventProxy.class).set();
  }

  @Test
  void anEventSetInAChildWakesTheParent() throws Exception {
    EventProxy e = manager.event();
    assertThat(e.isSet()).isFalse();
    assertThat(e.await(Duration.ofMillis(10))).as("timeout").isFalse();
    Process p = Process.builder().target(ManagedSynchronizationTest::setEvent).args(e).build();
    p.start();
    assertThat(e.await(Waits.LONG)).isTrue();
    assertThat(e.isSet()).isTrue();
    joinAll(List.of(p));
    e.clear();
    assertThat(e.isSet()).isFalse();
    assertThat(e.toString()).isEqualTo("<Event unset>");
  }

  @SuppressWarnings("unchecked")
  static void awaitBarrier(Args args) throws Exception {
    BarrierProxy b = args.get(0, BarrierProxy.class);
    List<Integer> indexes = args.get(1, List.class);
    indexes.add(b.await(Waits.LONG));
  }

  @Test
  void aBarrierReleasesThreeProcessesWithEachArrivalIndexOnce() throws Exception {
    BarrierProxy b = manager.barrier(3);
    List<Integer> indexes = manager.list();
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Process p = Process.builder().target(ManagedSynchronizationTest::awaitBarrier).args(b, indexes).build();
      p.start();
      ps.add(p);
    }
    indexes.add(b.await(Waits.LONG));
    joinAll(ps);
    assertThat(new ArrayList<>(indexes)).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(b.parties()).isEqualTo(3);
    assertThat(b.nWaiting()).isZero();
    assertThat(b.isBroken()).isFalse();
  }

  @Test
  void aBarrierIsBrokenByAbortAndByATimeoutUntilReset() throws Exception {
    BarrierProxy b = manager.barrier(2);
    AtomicReference<Throwable> got = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        b.await();
      } catch (Throwable t) {
        got.set(t);
      }
    });
    waiter.start();
    Waits.until(() -> b.nWaiting() == 1, "a party waits");
    b.abort();
    waiter.join(Waits.JOIN.toMillis());
    assertThat(got.get()).isExactlyInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
    assertThatThrownBy(b::await).isExactlyInstanceOf(BrokenBarrierException.class);
    b.reset();
    assertThat(b.isBroken()).isFalse();
    assertThatThrownBy(() -> b.await(Duration.ofMillis(10))).as("the timeout breaks it")
        .isExactlyInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
    assertThatThrownBy(() -> manager.barrier(0)).isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aResetWakesTheWaitersWithBrokenBarrierAndTheNextRoundWorks() throws Exception {
    BarrierProxy b = manager.barrier(3);
    List<CompletableFuture<Object>> firstRound = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      firstRound.add(CompletableFuture.supplyAsync(() -> awaitOrThrown(b), daemonThreads()));
    }
    Waits.until(() -> b.nWaiting() == 2, "two parties wait");
    b.reset();
    for (CompletableFuture<Object> f : firstRound) {
      assertThat(f.get(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(BrokenBarrierException.class);
    }
    assertThat(b.isBroken()).isFalse();
    List<CompletableFuture<Object>> secondRound = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      secondRound.add(CompletableFuture.supplyAsync(() -> awaitOrThrown(b), daemonThreads()));
    }
    List<Object> indexes = new ArrayList<>();
    for (CompletableFuture<Object> f : secondRound) {
      indexes.add(f.get(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS));
    }
    assertThat(indexes).containsExactlyInAnyOrder(0, 1, 2);
  }

  private static Object awaitOrThrown(BarrierProxy b) {
    try {
      return b.await(Waits.JOIN);
    } catch (BrokenBarrierException e) {
      return e;
    }
  }

  private static java.util.concurrent.Executor daemonThreads() {
    return r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      t.start();
    };
  }

  @Test
  void aSemaphoreReleaseWakesAWaiterAndASetEventDoesNotWait() throws Exception {
    AcquirerProxy s = manager.semaphore(0);
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(s::acquire, daemonThreads());
    Waits.until(() -> s.toString().contains("waiting=1"), "a thread waits in the manager");
    s.release();
    assertThat(waiter.get(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    EventProxy e = manager.event();
    e.set();
    assertThat(e.await()).isTrue();
    assertThat(e.await(Duration.ZERO)).isTrue();
  }

  @Test
  void aBarrierActionRunsOncePerRoundInTheManagerAndBreaksItIfItThrows() throws Exception {
    ValueProxy<Integer> rounds = manager.value(0);
    BarrierProxy b = manager.barrier(1, (Runnable & java.io.Serializable) () -> rounds.set(rounds.get() + 1), null);
    assertThat(b.await()).isZero();
    assertThat(b.await()).as("the next round").isZero();
    assertThat(rounds.get()).isEqualTo(2);

    BarrierProxy failing = manager.barrier(1, (Runnable & java.io.Serializable) () -> {
      throw new IllegalStateException("the action failed");
    }, Duration.ofSeconds(5));
    assertThatThrownBy(failing::await).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("the action failed");
    assertThat(failing.isBroken()).isTrue();
  }

  @Test
  void aTimedAcquireOfAHeldLockReturnsFalse() throws Exception {
    AcquirerProxy lock = manager.lock();
    AcquirerProxy sem = manager.semaphore(0);
    assertThat(lock.acquire()).isTrue();
    long t0 = System.nanoTime();
    assertThat(inOtherThread(() -> lock.acquire(Duration.ofMillis(50)))).isFalse();
    assertThat(sem.acquire(true, Duration.ofMillis(50))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100))
        .isLessThan(Waits.JOIN);
    lock.release();
  }

  @Test
  void aWaiterInterruptedWhileAcquiringLeavesTheLockFree() throws Exception {
    interruptAWaiterThenAcquire(manager.lock());
  }

  @Test
  void overTcpAnInterruptedWaiterLeavesTheLockFreeAndAConditionFindsItsLockByAnyNameOfTheHost()
      throws Exception {
    try (SyncManager tcp = new SyncManager(BaseManager.builder()
        .address(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)))) {
      tcp.start();
      // On TCP the reply to a caller that closed its end is sent without an error: the server must
      // see the end of the stream first.
      interruptAWaiterThenAcquire(tcp.lock());

      int port = ((java.net.InetSocketAddress) tcp.address()).getPort();
      SyncManager client = new SyncManager(BaseManager.builder().address(new java.net.InetSocketAddress("localhost", port)));
      client.connect(); // its proxies name the server "localhost", the server knows itself as 127.0.0.1
      try {
        AcquirerProxy lock = client.lock();
        ConditionProxy cond = client.condition(lock);
        assertThat(lock.acquire()).isTrue();
        cond.signal(); // the condition's lock is owned: it is the managed lock itself
        cond.release();
        assertThat(lock.acquire(false, null)).isTrue();
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void aConditionWaiterInterruptedLeavesTheLockFreeOnceSignalled() throws Exception {
    ConditionProxy cond = manager.condition();
    AtomicReference<Throwable> got = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        cond.acquire();
        cond.await();
      } catch (Throwable t) {
        got.set(t);
      }
    });
    waiter.start();
    Waits.until(() -> cond.toString().endsWith(", 1)>"), "the thread waits on the condition");
    waiter.interrupt();
    waiter.join(Waits.JOIN.toMillis());
    assertThat(got.get()).isExactlyInstanceOf(ConnectionException.class).hasMessageStartingWith("interrupted");
    assertThat(cond.acquire()).isTrue();
    cond.signal(); // the server's wait of the thread that gave up ends: it takes the lock back, then gives it up
    cond.release();
    assertThat(inOtherThread(() -> cond.acquire(Waits.JOIN))).as("free for another thread").isTrue();
  }

  private static void interruptAWaiterThenAcquire(AcquirerProxy lock) throws Exception {
    assertThat(lock.acquire()).isTrue();
    AtomicReference<Throwable> got = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        lock.acquire();
      } catch (Throwable t) {
        got.set(t);
      }
    });
    waiter.start();
    Waits.until(() -> lock.toString().contains("waiting=1"), "the thread waits in the manager");
    waiter.interrupt();
    waiter.join(Waits.JOIN.toMillis());
    assertThat(got.get()).isExactlyInstanceOf(ConnectionException.class).hasMessageStartingWith("interrupted");
    lock.release(); // the server's wait for the thread that gave up takes it, then gives it back
    assertThat(inOtherThread(() -> lock.acquire(Waits.JOIN))).as("free for another thread").isTrue();
    lock.release();
  }
}
