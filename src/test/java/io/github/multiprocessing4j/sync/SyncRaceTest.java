package io.github.multiprocessing4j.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for races of the synchronisation objects: wakes that were lost when a waiter
 * left (interrupt, timeout) or when the state changed back before a waiter looked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // try (Held h = c.hold()) { ... } need not use h
final class SyncRaceTest {

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  private static void awaitWaiters(SyncCell cell, int n) {
    Waits.until(() -> cell.waiters() >= n, "cell.waiters() >= n");
  }

  @Test
  void anEventSetAndClearedAtOnceWakesEveryThreadWaitingThen() throws Exception {
    Event e = new Event();
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fs.add(threads.submit(() -> e.await(Duration.ofSeconds(10))));
    }
    awaitWaiters(e.cell(), 3); // registered: parked or about to park
    e.set();
    e.clear(); // before the waiters could look at the flag
    for (Future<Boolean> f : fs) {
      assertThat(f.get(20, TimeUnit.SECONDS)).as("woken by the set, not timed out").isTrue();
    }
    assertThat(e.isSet()).isFalse();
    assertThat(e.await(Duration.ofMillis(20))).isFalse(); // a later wait is not woken by that set
  }

  @Test
  void anInterruptedConditionWaiterDoesNotSwallowTheSignalOfAnother() throws Exception {
    for (int round = 0; round < 20; round++) {
      Condition c = new Condition();
      AtomicReference<Thread> aThread = new AtomicReference<>();
      AtomicBoolean aInterruptedAfter = new AtomicBoolean();
      Future<Boolean> a = threads.submit(() -> {
        aThread.set(Thread.currentThread());
        try (Held h = c.hold()) {
          boolean r = c.await(Waits.JOIN);
          aInterruptedAfter.set(Thread.interrupted());
          return r;
        }
      });
      Future<Boolean> b = threads.submit(() -> {
        try (Held h = c.hold()) {
          return c.await(Waits.JOIN);
        }
      });
      Waits.until(() -> c.toString().endsWith(", 2)>"), "c.toString().endsWith(\", 2)>\")");
      c.acquire();
      try {
        aThread.get().interrupt();
        c.signal(1);
      } finally {
        c.release();
      }
      boolean aSignalled;
      try {
        aSignalled = a.get(20, TimeUnit.SECONDS);
        assertThat(aInterruptedAfter.get()).as("signalled, then interrupted: status kept").isTrue();
      } catch (ExecutionException x) {
        assertThat(x.getCause()).isInstanceOf(InterruptedException.class);
        aSignalled = false;
      }
      if (aSignalled) { // the signal went to A before it saw the interrupt: B still waits
        c.acquire();
        c.signal(1);
        c.release();
      }
      assertThat(b.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).as("round %d: B signalled, not timed out", round).isTrue();
    }
  }

  @Test
  void aWaiterInterruptedByTheBarrierActionKeepsTheRoundAndDoesNotBreakIt() throws Exception {
    AtomicReference<Thread> waiter = new AtomicReference<>();
    Barrier barrier = new Barrier(2, () -> {
      Thread w = waiter.get();
      if (w != null) {
        w.interrupt(); // after every party arrived: the round is released all the same
      }
    }, null);
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    Future<Integer> w = threads.submit(() -> {
      waiter.set(Thread.currentThread());
      int index = barrier.await(Waits.JOIN);
      interruptedAfter.set(Thread.interrupted());
      return index;
    });
    Waits.until(() -> barrier.nWaiting() == 1, "barrier.nWaiting() == 1");
    assertThat(barrier.await(Waits.JOIN)).isEqualTo(1);
    assertThat(w.get(20, TimeUnit.SECONDS)).isEqualTo(0);
    assertThat(interruptedAfter.get()).isTrue();
    assertThat(barrier.isBroken()).isFalse();

    waiter.set(null); // the next round works
    Future<Integer> again = threads.submit(() -> barrier.await(Waits.JOIN));
    int mine = barrier.await(Waits.JOIN);
    assertThat(mine + again.get(20, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aForgedReferenceCannotMakeALockOfAnotherObjectsMemory() throws Exception {
    Lock lock = new Lock();
    String lockName = lock.cell().name(); // mp4j_sync_ + 8 hex digits
    byte[] stream = serialized(lock);
    // A user's 4 KiB block, and a semaphore, named by the reference instead (same length).
    io.github.multiprocessing4j.shared.SharedMemory shm = io.github.multiprocessing4j.shared.SharedMemory.create(
        "mp4j_fake_" + lockName.substring("mp4j_sync_".length()).replace('a', 'z').replace('0', 'y'),
        io.github.multiprocessing4j.sync.SyncCell.SIZE);
    Semaphore sem = new Semaphore(3);
    try {
      for (String other : new String[] {shm.name(), sem.cell().name()}) {
        assertThat(other).hasSameSizeAs(lockName);
        byte[] forged = replace(stream, lockName, other);
        assertThatThrownBy(() -> deserialized(forged)).isInstanceOf(java.io.InvalidObjectException.class)
            .hasMessageContaining("not a Lock").isNotNull();
      }
      assertThat(shm.buf().getLong(0)).as("the user's bytes are untouched").isZero();
      assertThat(sem.getValue()).isEqualTo(3);
    } finally {
      shm.unlink();
      shm.close();
    }
  }

  @Test
  void aReferenceWhoseKindIsForgedIsRefused() throws Exception {
    // Every sync object serializes as one ObjectRef; its kind is a name in the stream, and a forged
    // one must not make an RLock of an Event's memory.
    Event event = new Event();
    byte[] forged = replace(serialized(event), "EVENT", "RLOCK");
    assertThatThrownBy(() -> deserialized(forged)).isInstanceOf(java.io.InvalidObjectException.class)
        .hasMessageContaining("not a RLock");
    assertThat(event.isSet()).isFalse();
    assertThat(deserialized(serialized(event))).isSameAs(event);
  }

  private static byte[] serialized(Object o) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialized(byte[] b) throws Exception {
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(b))) {
      Object o = in.readObject();
      if (o instanceof Lock) {
        ((Lock) o).tryLock(); // what a user of the forged lock would do
      }
      return o;
    }
  }

  private static byte[] replace(byte[] in, String from, String to) {
    String s = new String(in, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(s).contains(from);
    return s.replace(from, to).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
