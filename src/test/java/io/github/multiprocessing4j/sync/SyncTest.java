package io.github.multiprocessing4j.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Waits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The synchronisation objects between threads of one process, in the spirit of CPython's
 * {@code _TestLock}, {@code _TestSemaphore}, {@code _TestCondition}, {@code _TestEvent} and
 * {@code _TestBarrier}: CPython's results, errors, messages and reprs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // try (Held h = lock.hold()) { ... } need not use h
final class SyncTest {

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  private <T> T inOtherThread(java.util.concurrent.Callable<T> c) throws Exception {
    return threads.submit(c).get(20, TimeUnit.SECONDS);
  }

  @Test
  void lockAcquireReleaseAndReprAsCPython() throws Exception {
    Lock lock = new Lock();
    assertThat(lock).hasToString("<Lock(owner=None)>");
    assertThat(lock.acquire()).isTrue();
    assertThat(lock).hasToString("<Lock(owner=MainProcess)>");
    assertThat(inOtherThread(lock::toString)).isEqualTo("<Lock(owner=SomeOtherThread)>");
    assertThat(lock.acquire(false, null)).isFalse();
    assertThat(inOtherThread(() -> lock.acquire(false, Duration.ofSeconds(5)))).isFalse();
    lock.release(); // by any thread: CPython allows it
    assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class)
        .hasMessage("semaphore or lock released too many times");
    Thread.currentThread().setName("main");
    String inThread = inOtherThread(() -> {
      Thread.currentThread().setName("Thread-1");
      lock.acquire();
      return lock.toString();
    });
    assertThat(inThread).isEqualTo("<Lock(owner=MainProcess|Thread-1)>");
    lock.release(); // released by another thread than the one that acquired it
    assertThat(lock.tryLock()).isTrue();
    lock.unlock();
  }

  @Test
  void aTimedAcquireWaitsAboutTheTimeoutAndANegativeOneIsZero() throws Exception {
    Lock lock = new Lock();
    lock.acquire();
    long t0 = System.nanoTime();
    assertThat(lock.acquire(Duration.ofMillis(200))).isFalse();
    assertThat(System.nanoTime() - t0).isBetween(190_000_000L, 20_000_000_000L); // late on a busy machine, never early
    t0 = System.nanoTime();
    // Timeouts far longer than the bound: a negative one taken as its absolute value would show
    // however busy the machine is.
    assertThat(lock.acquire(Duration.ofSeconds(-120))).isFalse();
    assertThat(lock.tryLock(-120, TimeUnit.SECONDS)).isFalse();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(60));
    assertThatThrownBy(() -> lock.hold(null)).isInstanceOf(NullPointerException.class);
    lock.release();
  }

  @Test
  void holdReleasesInTryWithResources() throws Exception {
    Lock lock = new Lock();
    try (Held held = lock.hold()) {
      assertThat(held.ownerDied()).isFalse();
      assertThat(lock.ownerDied()).isFalse();
      assertThat(lock.tryLock()).isFalse();
    }
    assertThat(lock).hasToString("<Lock(owner=None)>");
    assertThat(lock.hold(Duration.ZERO)).isNotNull().satisfies(Held::close);
    assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aLockExcludesThreads() throws Exception {
    Lock lock = new Lock();
    int[] counter = {0};
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      fs.add(threads.submit(() -> {
        for (int i = 0; i < 2000; i++) {
          lock.lock();
          try {
            counter[0]++;
          } finally {
            lock.unlock();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS);
    }
    lock.lock();
    try {
      assertThat(counter[0]).isEqualTo(8000);
    } finally {
      lock.unlock();
    }
  }

  @Test
  void rlockIsRecursiveAndOwnedByAThread() throws Exception {
    RLock lock = new RLock();
    assertThat(lock).hasToString("<RLock(None, 0)>");
    assertThat(lock.acquire()).isTrue();
    assertThat(lock.acquire(false, null)).isTrue();
    assertThat(lock).hasToString("<RLock(MainProcess, 2)>");
    assertThat(inOtherThread(() -> lock.acquire(false, null))).isFalse();
    assertThat(inOtherThread(lock::toString)).isEqualTo("<RLock(SomeOtherThread, nonzero)>");
    assertThat(inOtherThread(() -> {
      try {
        lock.release();
        return "released";
      } catch (IllegalMonitorStateException e) {
        return e.getMessage();
      }
    })).isEqualTo("attempt to release recursive lock not owned by thread");
    lock.release();
    lock.release();
    assertThat(lock).hasToString("<RLock(None, 0)>");
    assertThatThrownBy(lock::release).isInstanceOf(IllegalMonitorStateException.class)
        .hasMessage("attempt to release recursive lock not owned by thread");
    try (Held a = lock.hold(); Held b = lock.hold()) {
      assertThat(lock).hasToString("<RLock(MainProcess, 2)>");
    }
    boolean other = inOtherThread(lock::tryLock);
    assertThat(other).isTrue(); // free again; that thread now owns it
    assertThat(lock.tryLock()).isFalse();
  }

  @Test
  void semaphoresCountAndBoundedOnesRefuseTooManyReleases() throws Exception {
    Semaphore s = new Semaphore(2);
    assertThat(s).hasToString("<Semaphore(value=2)>");
    assertThat(s.acquire()).isTrue();
    assertThat(s.acquire(false, null)).isTrue();
    assertThat(s.acquire(false, null)).isFalse();
    assertThat(s.acquire(Duration.ofMillis(50))).isFalse();
    assertThat(s.getValue()).isZero();
    s.release();
    s.release();
    s.release(); // unbounded
    assertThat(s.getValue()).isEqualTo(3);
    assertThat(new Semaphore()).hasToString("<Semaphore(value=1)>");
    assertThat(new Semaphore(0).getValue()).isZero();
    assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Semaphore value must be >= 0, not -1");

    BoundedSemaphore b = new BoundedSemaphore();
    assertThat(b).hasToString("<BoundedSemaphore(value=1, maxvalue=1)>");
    assertThatThrownBy(b::release).isInstanceOf(IllegalStateException.class)
        .hasMessage("semaphore or lock released too many times");
    try (Held held = b.hold()) {
      assertThat(b).hasToString("<BoundedSemaphore(value=0, maxvalue=1)>");
      assertThat(held.ownerDied()).isFalse();
    }
    assertThat(b.getValue()).isEqualTo(1);
    assertThatThrownBy(() -> new BoundedSemaphore(-3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReleaseWakesAWaitingThread() throws Exception {
    Semaphore s = new Semaphore(0);
    Future<Boolean> f = threads.submit(() -> s.acquire(Waits.JOIN));
    assertThat(awaitWaiters(s.cell(), 1)).isTrue();
    s.release();
    assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(s.getValue()).isZero();
  }

  private static boolean awaitWaiters(io.github.multiprocessing4j.sync.SyncCell cell, int n)
      throws InterruptedException {
    return Waits.holdsWithin(() -> cell.waiters() >= n, Waits.JOIN);
  }

  @Test
  void anInterruptedWaiterThrowsAndLeavesNoRegistration() throws Exception {
    Lock lock = new Lock();
    lock.acquire();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        lock.acquire();
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    assertThat(awaitWaiters(lock.cell(), 1)).isTrue();
    t.interrupt();
    t.join(20_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(lock.cell().waiters()).isZero();
    assertThat(lock.cell().localWaiters()).isZero();
    lock.release();
    assertThat(lock.tryLock()).isTrue(); // the interrupted thread did not take it
    lock.unlock();

    Event e = new Event();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> e.await(Waits.JOIN)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void eventSetClearAndWaitAsCPython() throws Exception {
    Event e = new Event();
    assertThat(e.toString()).matches("<Event at 0x[0-9a-f]+ unset>");
    assertThat(e.isSet()).isFalse();
    assertThat(e.await(Duration.ofMillis(50))).isFalse();
    assertThat(e.await(Duration.ofMillis(-50))).isFalse();
    CountDownLatch started = new CountDownLatch(3);
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fs.add(threads.submit(() -> {
        started.countDown();
        return e.await(Waits.JOIN);
      }));
    }
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    e.set();
    for (Future<Boolean> f : fs) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(e.isSet()).isTrue();
    assertThat(e.await()).isTrue(); // already set
    assertThat(e.toString()).endsWith(" set>");
    e.clear();
    assertThat(e.isSet()).isFalse();
  }

  @Test
  void conditionNeedsItsLockAndSignalsWaiters() throws Exception {
    Condition c = new Condition();
    assertThat(c).hasToString("<Condition(<RLock(None, 0)>, 0)>");
    assertThatThrownBy(c::await).isInstanceOf(IllegalMonitorStateException.class)
        .hasMessage("must acquire() condition before using wait()");
    assertThatThrownBy(c::signal).isInstanceOf(IllegalMonitorStateException.class).hasMessage("lock is not owned");
    assertThatThrownBy(c::signalAll).isInstanceOf(IllegalMonitorStateException.class).hasMessage("lock is not owned");

    try (Held h = c.hold()) {
      c.acquire(); // an RLock: twice
      assertThat(c.await(Duration.ofMillis(50))).isFalse();
      assertThat(c.lock()).hasToString("<RLock(MainProcess, 2)>"); // every level back
      c.release();
    }

    AtomicInteger state = new AtomicInteger();
    CountDownLatch waiting = new CountDownLatch(2);
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      fs.add(threads.submit(() -> {
        try (Held h = c.hold()) {
          waiting.countDown();
          return c.waitFor(() -> state.get() == 1, Waits.JOIN);
        }
      }));
    }
    assertThat(waiting.await(20, TimeUnit.SECONDS)).isTrue();
    try (Held h = c.hold()) {
      state.set(1);
      c.signalAll();
    }
    for (Future<Boolean> f : fs) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
    }
    try (Held h = c.hold()) {
      assertThat(c.waitFor(() -> false, Duration.ofMillis(30))).isFalse();
      c.signal(); // nobody waits: no effect
    }
    assertThat(c).hasToString("<Condition(<RLock(None, 0)>, 0)>");
  }

  @Test
  void aConditionOnALockSignalsOneWaiterAtATime() throws Exception {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    List<Integer> woken = Collections.synchronizedList(new ArrayList<>());
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int id = i;
      fs.add(threads.submit(() -> {
        c.acquire();
        try {
          c.await(Waits.JOIN);
          woken.add(id);
        } finally {
          c.release();
        }
        return null;
      }));
    }
    // A waiter is counted before it lets go of the lock inside await(): the owner is None only
    // once the last of the three has let go.
    Waits.until(() -> c.toString().equals("<Condition(<Lock(owner=None)>, 3)>"),
        "three threads wait on the condition, none holding its lock");
    c.acquire();
    c.signal();
    c.release();
    Waits.until(() -> woken.size() == 1, "one thread woke");
    c.acquire();
    c.signal(2);
    c.release();
    for (Future<?> f : fs) {
      f.get(20, TimeUnit.SECONDS);
    }
    assertThat(woken).hasSize(3);
  }

  @Test
  void barrierIndexesActionAbortAndReset() throws Exception {
    assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parties must be at least 1, not 0");
    assertThatThrownBy(() -> new Barrier(-2)).isInstanceOf(IllegalArgumentException.class);
    AtomicInteger actions = new AtomicInteger();
    Barrier b = new Barrier(3, actions::incrementAndGet, null);
    assertThat(b.parties()).isEqualTo(3);
    assertThat(b.toString()).matches("<Barrier at 0x[0-9a-f]+: waiters=0/3>");
    for (int round = 0; round < 2; round++) {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fs.add(threads.submit(() -> b.await(Waits.JOIN)));
      }
      List<Integer> idx = new ArrayList<>();
      for (Future<Integer> f : fs) {
        idx.add(f.get(20, TimeUnit.SECONDS));
      }
      assertThat(idx).containsExactlyInAnyOrder(0, 1, 2);
    }
    assertThat(actions.get()).isEqualTo(2);

    Future<Integer> waiter = threads.submit(() -> b.await(Waits.JOIN));
    Waits.until(() -> b.nWaiting() == 1, "one thread waits at the barrier");
    b.abort();
    assertThatThrownBy(() -> waiter.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isTrue();
    assertThat(b.toString()).matches("<Barrier at 0x[0-9a-f]+: broken>");
    assertThatThrownBy(b::await).isInstanceOf(BrokenBarrierException.class);
    b.reset();
    assertThat(b.isBroken()).isFalse();

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> b.await(Duration.ofMillis(100))).isInstanceOf(BrokenBarrierException.class);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(90_000_000L);
    assertThat(b.isBroken()).isTrue(); // a timeout breaks it
    b.reset();

    Future<Integer> w2 = threads.submit(() -> b.await(Waits.JOIN));
    Waits.until(() -> b.nWaiting() == 1, "one thread waits at the barrier");
    b.reset(); // wakes the waiter with BrokenBarrierException, then is usable again
    assertThatThrownBy(() -> w2.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(BrokenBarrierException.class);
    assertThat(b.isBroken()).isFalse();
    assertThat(new Barrier(1).await()).isZero();
  }

  @Test
  void aBarrierActionThatThrowsBreaksTheBarrier() throws Exception {
    Barrier b = new Barrier(1, () -> {
      throw new IllegalStateException("boom");
    }, null);
    assertThatThrownBy(b::await).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(b.isBroken()).isTrue();
  }

  @Test
  void nullArgumentsFailInTheCaller() throws Exception {
    assertThatThrownBy(() -> new Condition((Lock) null)).isInstanceOf(NullPointerException.class).hasMessage("lock");
    assertThatThrownBy(() -> new Condition((RLock) null)).isInstanceOf(NullPointerException.class).hasMessage("lock");
    Condition c = new Condition();
    c.acquire();
    try {
      assertThatThrownBy(() -> c.waitFor(null)).isInstanceOf(NullPointerException.class).hasMessage("predicate");
    } finally {
      c.release();
    }
    assertThatThrownBy(() -> new RLock().hold(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Semaphore().hold(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Lock().tryLock(1, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aDeserializedObjectIsTheSameInstanceInItsOwnProcess() throws Exception {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    assertThat(roundTrip(lock)).isSameAs(lock);
    assertThat(roundTrip(c)).isSameAs(c);
    Event e = new Event();
    assertThat(roundTrip(e)).isSameAs(e);
    Semaphore s = new Semaphore();
    BoundedSemaphore b = new BoundedSemaphore();
    assertThat(roundTrip(s)).isSameAs(s);
    assertThat(roundTrip(b)).isSameAs(b);
  }

  static Object roundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}
