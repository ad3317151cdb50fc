package io.github.multiprocessing4j.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.shared.Value;
import io.github.multiprocessing4j.testing.Reclaim;
import io.github.multiprocessing4j.testing.Waits;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifetime of the synchronisation objects' shared memory: an object this JVM dropped gives it
 * up (descriptor, lock, file), so that a loop making objects stays bounded; an object that was
 * serialized stays until exit, so a reader that attaches later still finds it; and an object
 * dropped and resolved again still excludes the other processes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SyncLifetimeTest {

  private static Path fileOf(String name) {
    return RuntimeDir.segments().resolve(name);
  }

  @Test
  void aLoopMakingLocksKeepsDescriptorsBounded() throws Exception {
    assumeThat(Reclaim.canCountFds()).isTrue();
    int before = Reclaim.openFds();
    int most = 0;
    for (int i = 0; i < 20_000; i++) {
      Lock lock = new Lock(); // one lock per request, say
      assertThat(lock.acquire(false, null)).isTrue();
      lock.release();
      if (i % 500 == 499) {
        most = Math.max(most, Reclaim.openFds() - before);
      }
    }
    assertThat(most).as("descriptors open at once").isLessThan(8_000);
    Reclaim.gcUntil("the locks' descriptors are closed", () -> Reclaim.openFds() < before + 50, Waits.JOIN);
  }

  /** Makes a lock, uses it, drops it: only what observes it comes back. */
  private static WeakReference<Lock> dropped(String[] name) throws InterruptedException {
    Lock lock = new Lock();
    lock.acquire();
    lock.release();
    name[0] = lock.cell().name();
    return new WeakReference<>(lock);
  }

  @Test
  void aDroppedLockGivesUpItsSharedMemory() throws Exception {
    String[] name = new String[1];
    WeakReference<Lock> ref = dropped(name);
    Path file = fileOf(name[0]);
    assertThat(file).exists();
    Reclaim.gcUntil("the lock is collected and its file deleted", () -> ref.get() == null && !Files.exists(file), Waits.JOIN);
  }

  // ---- serialized, then dropped by the writer before the reader attached

  @SuppressWarnings("unchecked")
  static void useWhatComesThroughTheQueue(Args args) throws Exception {
    Event go = args.get(0, Event.class);
    Queue<List<Object>> items = args.get(1, Queue.class);
    Queue<Object> back = args.get(2, Queue.class);
    if (!go.await(Waits.JOIN)) {
      throw new AssertionError("no go");
    }
    List<Object> got = items.get(Waits.JOIN); // attaches only now
    Lock lock = (Lock) got.get(0);
    Value value = (Value) got.get(1);
    lock.acquire();
    value.set(value.getLong() + 1);
    lock.release();
    back.put(value);
  }

  /** Sends a lock and a value through a queue and drops them; the control was never serialized. */
  private static WeakReference<Lock> sendAndDrop(Queue<List<Object>> items, String[] names) throws Exception {
    Lock lock = new Lock();
    Value value = Value.create('q', 41L);
    items.put(List.of(lock, value));
    Lock control = new Lock();
    names[0] = lock.cell().name();
    names[1] = control.cell().name();
    return new WeakReference<>(control);
  }

  @Test
  void anObjectSerializedThenDroppedIsStillThereForTheReader() throws Exception {
    Event go = new Event();
    Queue<List<Object>> items = new Queue<>();
    Queue<Object> back = new Queue<>();
    Process p = Process.builder().target(SyncLifetimeTest::useWhatComesThroughTheQueue).args(go, items, back).build();
    p.start();
    String[] names = new String[2];
    WeakReference<Lock> control = sendAndDrop(items, names);
    // The control, made and dropped with the others, is collected and given up: so would they be,
    // had serializing them not pinned them.
    Reclaim.gcUntil("the control lock is given up", () -> control.get() == null
        && !Files.exists(fileOf(names[1])), Waits.JOIN);
    assertThat(fileOf(names[0])).as("the serialized lock").exists();
    go.set();
    Value value = (Value) back.get(Waits.JOIN);
    assertThat(value.getLong()).isEqualTo(42L);
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
  }

  // ---- an RLock dropped and resolved again still excludes

  /** Adds 1 to a shared long n times by a non-atomic read and write, under the (reentrant) lock. */
  static void addUnder(RLock lock, RawValue counter, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      lock.acquire();
      lock.acquire();
      try {
        long v = counter.getLong();
        for (int k = 0; k < 50; k++) {
          Thread.onSpinWait(); // widens the window between the read and the write
        }
        counter.set(v + 1);
      } finally {
        lock.release();
        lock.release();
      }
    }
  }

  @SuppressWarnings("unchecked")
  static void sendBackThenAdd(Args args) throws Exception {
    RLock lock = args.get(0, RLock.class);
    RawValue counter = args.get(1, RawValue.class);
    Queue<Object> back = args.get(2, Queue.class);
    Event go = args.get(3, Event.class);
    back.put(lock);
    go.await(Waits.JOIN);
    addUnder(lock, counter, args.getInt(4));
  }

  private static Process startWithDroppedLock(RawValue counter, Queue<Object> back, Event go, int n, String[] name) {
    RLock lock = new RLock();
    name[0] = lock.cell().name();
    Process p = Process.builder().target(SyncLifetimeTest::sendBackThenAdd).args(lock, counter, back, go, n).build();
    p.start();
    return p;
  }

  @Test
  void aParentsRLockDroppedAndResolvedAgainStillExcludesTheChild() throws Exception {
    int n = 2000;
    RawValue counter = RawValue.create('q');
    Queue<Object> back = new Queue<>();
    Event go = new Event();
    String[] name = new String[1];
    Process p = startWithDroppedLock(counter, back, go, n, name);
    for (int i = 0; i < 3; i++) {
      System.gc(); // were it not pinned, this would give it up
    }
    RLock lock = (RLock) back.get(Waits.JOIN); // resolved again, from the child's reference
    assertThat(lock.cell().name()).isEqualTo(name[0]);
    go.set();
    addUnder(lock, counter, n);
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(counter.getLong()).isEqualTo(2L * n);
  }

  @SuppressWarnings("unchecked")
  static void makeSendTwiceThenAdd(Args args) throws Exception {
    RawValue counter = args.get(0, RawValue.class);
    Queue<Object> back = args.get(1, Queue.class);
    Event go = args.get(2, Event.class);
    RLock lock = new RLock();
    back.put(lock);
    back.put(lock);
    go.await(Waits.JOIN);
    addUnder(lock, counter, args.getInt(3));
  }

  /** Reads the child's first reference and drops it: only its name and an observer come back. */
  private static WeakReference<RLock> receiveAndDrop(Queue<Object> back, String[] name) throws Exception {
    RLock first = (RLock) back.get(Waits.JOIN);
    name[0] = first.cell().name();
    return new WeakReference<>(first);
  }

  @Test
  void aChildsRLockGivenUpHereAndAttachedAfreshStillExcludes() throws Exception {
    assumeThat(Reclaim.canCountFds()).isTrue();
    int n = 2000;
    RawValue counter = RawValue.create('q');
    Queue<Object> back = new Queue<>();
    Event go = new Event();
    Process p = Process.builder().target(SyncLifetimeTest::makeSendTwiceThenAdd).args(counter, back, go, n).build();
    p.start();
    String[] name = new String[1];
    WeakReference<RLock> first = receiveAndDrop(back, name);
    Path file = fileOf(name[0]);
    Reclaim.gcUntil("this JVM gives the child's lock up", () -> first.get() == null && Reclaim.fdsOf(file) == 0, Waits.JOIN);
    assertThat(file).as("the child still uses it").exists();
    RLock again = (RLock) back.get(Waits.JOIN); // attached afresh
    assertThat(again.cell().name()).isEqualTo(name[0]);
    assertThat(Reclaim.fdsOf(file)).isEqualTo(1);
    go.set();
    addUnder(again, counter, n);
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(counter.getLong()).isEqualTo(2L * n);
  }

  /** Makes an RLock, sends it twice, and takes it once the parent says it released it (exit 3 if it cannot). */
  @SuppressWarnings("unchecked")
  static void sendTwiceThenTake(Args args) throws Exception {
    Queue<Object> back = args.get(0, Queue.class);
    Event go = args.get(1, Event.class);
    RLock lock = new RLock();
    back.put(lock);
    back.put(lock);
    go.await(Waits.JOIN);
    if (!lock.acquire(Waits.JOIN)) {
      System.exit(3);
    }
    lock.release();
  }

  /** Reads the child's first reference, takes the lock, and drops the object while holding it. */
  private static WeakReference<RLock> takeAndDrop(Queue<Object> back) throws Exception {
    RLock first = (RLock) back.get(Waits.JOIN);
    first.acquire();
    return new WeakReference<>(first);
  }

  /**
   * An RLock this JVM holds is not collected, even once the program dropped it: the object is
   * this JVM's record of which thread holds it. Before, it was (the registry holds objects
   * weakly), and the second reference resolved to a fresh object that did not know it was held:
   * release() threw, acquire() would have waited for ever, and the child for this JVM's exit.
   */
  @Test
  void anRLockHeldWhenDroppedIsStillOwnedThroughTheNextReference() throws Exception {
    Queue<Object> back = new Queue<>();
    Event go = new Event();
    Process p = Process.builder().target(SyncLifetimeTest::sendTwiceThenTake).args(back, go).build();
    p.start();
    try {
      WeakReference<RLock> first = takeAndDrop(back);
      for (int i = 0; i < 3; i++) {
        System.gc(); // were it not kept while held, this would collect it (it did, before the fix)
      }
      RLock again = (RLock) back.get(Waits.JOIN);
      assertThat(again.isMine()).as("this thread holds it").isTrue();
      assertThat(first.get()).as("kept while held").isSameAs(again);
      again.release();
      go.set();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).as("the child took the released lock").isZero();
    } finally {
      go.set();
      if (p.isAlive()) {
        p.kill();
      }
      p.join(Waits.JOIN);
    }
  }

  /** Once released, the RLock dropped is collected again (the hold kept it, not the release). */
  @Test
  void anRLockReleasedIsCollectedAgain() {
    WeakReference<RLock> dropped = heldAndReleased();
    Reclaim.gcUntil("a released RLock is collected", () -> dropped.get() == null, Waits.JOIN);
  }

  private static WeakReference<RLock> heldAndReleased() {
    RLock lock = new RLock();
    lock.lock();
    lock.lock();
    lock.unlock();
    lock.unlock();
    return new WeakReference<>(lock);
  }
}
