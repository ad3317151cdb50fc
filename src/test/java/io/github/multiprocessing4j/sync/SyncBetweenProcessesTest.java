package io.github.multiprocessing4j.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.shm.Segment;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The synchronisation objects between real processes: mutual exclusion, grandchildren, a lock
 * owner killed with SIGKILL, idle waiters' CPU, timeouts, interrupts, barriers and conditions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SuppressWarnings("try")
final class SyncBetweenProcessesTest {

  // ---- mutual exclusion

  /** Adds 1 to a shared int n times, by a non-atomic read and write, under the lock or not. */
  static void increment(Args args) throws Exception {
    Lock lock = args.get(0, Lock.class);
    Segment counter = Segment.attach(args.getString(1));
    int n = args.getInt(2);
    boolean locked = args.getBoolean(3);
    Semaphore ready = args.get(4, Semaphore.class);
    Event go = args.get(5, Event.class);
    ready.release();
    go.await(Waits.JOIN);
    for (int i = 0; i < n; i++) {
      if (locked) {
        lock.acquire();
      }
      try {
        int v = counter.getIntVolatile(0);
        for (int k = 0; k < 50; k++) {
          Thread.onSpinWait(); // widens the window between the read and the write
        }
        counter.setIntVolatile(0, v + 1);
      } finally {
        if (locked) {
          lock.release();
        }
      }
    }
  }

  /** Without the 100 ms re-check of waiters: a lost wake then hangs (and fails the test). */
  private static final String NO_SAFETY_NET = "-Dmultiprocessing4j.syncSliceMillis=600000";

  private static int countWith(boolean locked, int n) throws Exception {
    Lock lock = new Lock();
    Semaphore ready = new Semaphore(0);
    Event go = new Event();
    try (Segment counter = Segment.create(null, "synctest_", 64)) {
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Process p = Process.builder().target(SyncBetweenProcessesTest::increment)
            .args(lock, counter.name(), n, locked, ready, go).jvmOptions(NO_SAFETY_NET).build();
        p.start();
        ps.add(p);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(ready.acquire(Waits.JOIN)).isTrue();
      }
      go.set();
      for (Process p : ps) {
        p.join(Duration.ofSeconds(90));
        assertThat(p.exitCode()).isEqualTo(0);
      }
      int result = counter.getIntVolatile(0);
      counter.unlink();
      return result;
    }
  }

  @Test
  void threeProcessesUnderTheLockLoseNoUpdateAndWithoutItTheyDo() throws Exception {
    int n = 3000;
    assertThat(countWith(true, n)).isEqualTo(3 * n);
    // The control: the same read-modify-write without the lock loses updates, so the lock is what
    // made the count exact. Tried a few times: on a loaded machine the three processes may run one
    // after the other and lose nothing (as RawValueTest's control does).
    int unlocked = 3 * 20 * n;
    for (int trial = 0; trial < 4 && unlocked == 3 * 20 * n; trial++) {
      unlocked = countWith(false, 20 * n);
    }
    assertThat(unlocked).isLessThan(3 * 20 * n);
  }

  static void threeWaitingThreads(Args args) throws Exception {
    List<Thread> ts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Event e = args.get(i, Event.class);
      int id = i;
      Thread t = new Thread(() -> {
        try {
          System.out.println("woke " + id + " " + e.await());
        } catch (InterruptedException x) {
          System.out.println("interrupted " + id);
        }
      });
      t.start();
      ts.add(t);
    }
    for (Thread t : ts) {
      t.join();
    }
  }

  @Test
  void everyWaitingThreadOfAChildIsWokenByItsOwnWakeWithoutTheRecheck() throws Exception {
    List<Event> events = List.of(new Event(), new Event(), new Event());
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::threeWaitingThreads)
        .args(events.get(0), events.get(1), events.get(2)).jvmOptions(NO_SAFETY_NET).stdout(out.output()).build();
    p.start();
    Waits.until(() -> events.stream().allMatch(e -> e.cell().registered() == 1), "events.stream().allMatch(e -> e.cell().registered() == 1)");
    // In reverse order, so the thread that leads the parking lot is not always the one woken first.
    for (int i = 2; i >= 0; i--) {
      events.get(i).set();
      assertThat(out.await("woke " + i, Waits.JOIN)).isEqualTo("woke " + i + " true");
    }
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
  }

  static void waitForEvent(Args args) throws Exception {
    args.get(0, Event.class).await();
  }

  /** A JVM killed while it waits gives its place back: the next change finds it dead and drops it. */
  @Test
  void aWaiterKilledWhileWaitingIsTakenOutOfTheCount() throws Exception {
    Event e = new Event();
    Process p = Process.builder().target(SyncBetweenProcessesTest::waitForEvent).args(e).build();
    p.start();
    Waits.until(() -> e.cell().registered() == 1, "e.cell().registered() == 1");
    p.kill();
    assertThat(p.join(Waits.JOIN)).isTrue();
    e.set();
    assertThat(e.cell().waiters()).isZero();
  }

  /**
   * A child with an authkey of its own is woken like any other (the parking lot authenticates with
   * the user's park key, not the family's authkey): before, its wakes failed the handshake and it
   * saw the event only at its 100 ms re-check, which this child does not have.
   */
  @Test
  void aChildWithItsOwnAuthkeyIsWokenNotPolled() throws Exception {
    List<Event> events = List.of(new Event(), new Event(), new Event());
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::threeWaitingThreads)
        .args(events.get(0), events.get(1), events.get(2)).jvmOptions(NO_SAFETY_NET).stdout(out.output()).build();
    p.setAuthkey("a key of this child only".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    p.start();
    Waits.until(() -> events.stream().allMatch(e -> e.cell().registered() == 1), "events.stream().allMatch(e -> e.cell().registered() == 1)");
    for (int i = 0; i < 3; i++) {
      events.get(i).set();
      assertThat(out.await("woke " + i, Waits.JOIN)).isEqualTo("woke " + i + " true");
    }
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
  }

  /** Round after round, three threads wait on the round's three events (args 3r, 3r+1, 3r+2). */
  static void roundsOfThreeWaitingThreads(Args args) throws Exception {
    for (int round = 0; round < args.size() / 3; round++) {
      List<Thread> ts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Event e = args.get(3 * round + i, Event.class);
        String id = round + "." + i;
        Thread t = new Thread(() -> {
          try {
            System.out.println("woke " + id + " " + e.await());
          } catch (InterruptedException x) {
            System.out.println("interrupted " + id);
          }
        });
        t.start();
        ts.add(t);
      }
      for (Thread t : ts) {
        t.join();
      }
    }
  }

  /**
   * The same, many times over: the hand-off of the parking lot's leadership to a single follower
   * left, about once in 50 rounds, the last waiter parked as a follower with no leader to read its
   * wake (found with this loop: 3 of 150 rounds lost "woke 0" before the fix, 0 of 300 after).
   * The rounds run in one child: a JVM start per round took the test past its timeout on a busy
   * machine (100 starts at a load of 20).
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void theParkingLotAlwaysHasALeaderWhileThreadsWait() throws Exception {
    int rounds = 150;
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 3 * rounds; i++) {
      events.add(new Event());
    }
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::roundsOfThreeWaitingThreads)
        .args(events.toArray()).jvmOptions(NO_SAFETY_NET).stdout(out.output()).build();
    p.start();
    try {
      for (int round = 0; round < rounds; round++) {
        List<Event> these = events.subList(3 * round, 3 * round + 3);
        Waits.until(() -> these.stream().allMatch(e -> e.cell().registered() == 1),
            "round " + round + ": every event has its waiter registered");
        for (int i = 2; i >= 0; i--) {
          these.get(i).set();
          String id = round + "." + i;
          assertThat(out.await("woke " + id + " ", Waits.JOIN)).as("round %d", round).isEqualTo("woke " + id + " true");
        }
      }
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
    } finally {
      if (p.isAlive()) {
        p.kill(); // so that a failed round leaves no process behind
      }
      p.join(Waits.JOIN);
    }
  }

  // ---- grandchildren

  static void grandchild(Args args) throws Exception {
    Lock lock = args.get(0, Lock.class);
    Event event = args.get(1, Event.class);
    System.out.println("tryLock while held: " + lock.acquire(false, null) + " " + lock);
    event.set();
    System.out.println("acquired after release: " + lock.acquire(Waits.JOIN));
    lock.release();
  }

  static void middle(Args args) throws Exception {
    Process g = Process.builder().target(SyncBetweenProcessesTest::grandchild).args(args.get(0), args.get(1))
        .stdout(io.github.multiprocessing4j.ChildOutput.inherit()).build();
    g.start();
    g.join();
    System.out.println("grandchild exit " + g.exitCode());
  }

  static void semaphores(Args args) throws Exception {
    Semaphore s = args.get(0, Semaphore.class);
    BoundedSemaphore b = args.get(1, BoundedSemaphore.class);
    s.release();
    System.out.println(s + " " + b);
  }

  @Test
  void bothKindsOfSemaphoreArriveAsThemselvesAndShareTheirValue() throws Exception {
    Semaphore s = new Semaphore(2);
    BoundedSemaphore b = new BoundedSemaphore(3);
    assertThat(b.acquire()).isTrue();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::semaphores).args(s, b).stdout(out.output()).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(out.lines()).containsExactly("<Semaphore(value=3)> <BoundedSemaphore(value=2, maxvalue=3)>");
    assertThat(s.getValue()).as("the child's release").isEqualTo(3);
  }

  @Test
  void aLockAndAnEventPassedOnToAGrandchildAreTheSameObjects() throws Exception {
    Lock lock = new Lock();
    Event event = new Event();
    CapturedLines out = new CapturedLines();
    lock.acquire();
    Process p = Process.builder().target(SyncBetweenProcessesTest::middle).args(lock, event).stdout(out.output()).build();
    p.start();
    assertThat(event.await(Waits.JOIN)).isTrue();
    lock.release(); // wakes the grandchild's acquire
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
    assertThat(out.lines()).containsExactly("tryLock while held: false <Lock(owner=SomeOtherProcess)>",
        "acquired after release: true", "grandchild exit 0");
    assertThat(lock).hasToString("<Lock(owner=None)>");
  }

  static void lockFromAQueue(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    io.github.multiprocessing4j.queues.Queue<Object> q = args.get(0, io.github.multiprocessing4j.queues.Queue.class);
    Lock lock = (Lock) q.get(Waits.JOIN);
    System.out.println("from the queue: " + lock.acquire(false, null) + " " + lock);
  }

  @Test
  void aLockCanAlsoTravelThroughAQueue() throws Exception {
    io.github.multiprocessing4j.queues.Queue<Object> q = new io.github.multiprocessing4j.queues.Queue<>();
    Lock lock = new Lock();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::lockFromAQueue).args(q).stdout(out.output()).build();
    p.start();
    lock.acquire();
    q.put(lock); // CPython refuses ("should only be shared between processes through inheritance")
    p.join(Waits.JOIN);
    assertThat(out.lines()).containsExactly("from the queue: false <Lock(owner=SomeOtherProcess)>");
    lock.release();
  }

  static void releaseIt(Args args) {
    Lock lock = args.get(0, Lock.class);
    lock.release();
    System.out.println("released " + lock);
    try {
      lock.release();
    } catch (IllegalStateException e) {
      System.out.println(e.getMessage());
    }
  }

  @Test
  void anyProcessMayReleaseALockAsInCPython() throws Exception {
    Lock lock = new Lock();
    lock.acquire();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::releaseIt).args(lock).stdout(out.output()).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(out.lines()).containsExactly("released <Lock(owner=None)>", "semaphore or lock released too many times");
    assertThat(lock.tryLock()).isTrue();
    lock.unlock();
  }

  // ---- robust locks

  static void holdAndHang(Args args) throws Exception {
    Object lock = args.get(0);
    if (lock instanceof RLock) {
      ((RLock) lock).acquire();
      ((RLock) lock).acquire();
    } else {
      ((Lock) lock).acquire();
    }
    System.out.println("held");
    new Event().await(); // until killed
  }

  @Test
  void aLockHeldByAKilledProcessIsTakenOverAndTheNextOwnerIsTold() throws Exception {
    Lock lock = new Lock();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::holdAndHang).args(lock).stdout(out.output()).build();
    p.start();
    out.await("held", Waits.JOIN);
    assertThat(lock.acquire(false, null)).isFalse(); // the owner lives: held
    AtomicReference<Object> waiter = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try (Held held = lock.hold()) {
        waiter.set(held.ownerDied());
      } catch (Throwable e) {
        waiter.set(e);
      }
    });
    t.start();
    Waits.until(() -> lock.cell().waiters() == 1, "lock.cell().waiters() == 1");
    p.kill(); // SIGKILL while holding the lock, with a waiter blocked
    p.join(Waits.JOIN);
    t.join(Waits.JOIN.toMillis());
    assertThat(waiter.get()).isEqualTo(Boolean.TRUE);
    assertThat(lock).hasToString("<Lock(owner=None)>");
    try (Held held = lock.hold()) {
      assertThat(held.ownerDied()).isFalse(); // told once: the next owner took it from a live releaser
    }
  }

  @Test
  void anRLockHeldByAKilledProcessIsTakenOverByANonBlockingAcquire() throws Exception {
    RLock lock = new RLock();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::holdAndHang).args(lock).stdout(out.output()).build();
    p.start();
    out.await("held", Waits.JOIN);
    assertThat(lock).hasToString("<RLock(SomeOtherProcess, nonzero)>");
    p.kill();
    p.join(Waits.JOIN);
    assertThat(lock.acquire(false, null)).isTrue();
    assertThat(lock.ownerDied()).isTrue();
    assertThat(lock).hasToString("<RLock(MainProcess, 1)>");
    lock.release();
    assertThat(lock.ownerDied()).isFalse();
    assertThat(lock).hasToString("<RLock(None, 0)>");
  }

  @Test
  void aHolderThatTookOverAndReleasesWithoutAskingIsLoggedAtWarn() throws Exception {
    Lock lock = new Lock();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::holdAndHang).args(lock).stdout(out.output()).build();
    p.start();
    out.await("held", Waits.JOIN);
    p.kill();
    p.join(Waits.JOIN);
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      try (Held held = lock.hold()) {
        // not asking held.ownerDied()
      }
    } finally {
      System.setErr(original);
    }
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("WARN")
        .contains("took over from process " + p.pid() + ", which died holding it");
  }

  static void parentOfAnOwner(Args args) throws Exception {
    Process g = Process.builder().target(SyncBetweenProcessesTest::holdAndHang).args(args.get(0))
        .stdout(io.github.multiprocessing4j.ChildOutput.inherit()).build();
    g.start();
    System.out.println("grandchild " + g.pid());
    g.join();
  }

  private static String procState(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (java.io.IOException e) {
      return "gone";
    }
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
  void aLockHeldByAZombieIsTakenOver() throws Exception {
    Lock lock = new Lock();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::parentOfAnOwner).args(lock).stdout(out.output()).build();
    p.start();
    long grandchild = Long.parseLong(out.await("grandchild ", Waits.JOIN).substring("grandchild ".length()));
    out.await("held", Waits.JOIN);
    io.github.multiprocessing4j.Multiprocessing.kill(p.pid(), 19); // SIGSTOP: it cannot reap its child
    try {
      io.github.multiprocessing4j.Multiprocessing.kill(grandchild, 9);
      Waits.until(() -> procState(grandchild).equals("Z"), "a zombie");
      assertThat(lock.acquire(Waits.JOIN)).isTrue();
      assertThat(lock.ownerDied()).isTrue();
      lock.release();
    } finally {
      io.github.multiprocessing4j.Multiprocessing.kill(p.pid(), 18); // SIGCONT
    }
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
  }

  // ---- idle waiters and timeouts

  static void awaitEvent(Args args) throws Exception {
    Event e = args.get(0, Event.class);
    Lock lock = args.get(1, Lock.class);
    long t0 = System.nanoTime();
    boolean got = lock.acquire(Duration.ofMillis(300));
    System.out.println("timed acquire " + got + " after ms " + (System.nanoTime() - t0) / 1_000_000);
    System.out.println("waiting");
    System.out.println("event " + e.await(Waits.LONG));
  }

  @Test
  void aWaiterInAnotherProcessTimesOutThenWaitsWithoutBurningACoreAndIsWoken() throws Exception {
    Event e = new Event();
    Lock lock = new Lock();
    lock.acquire();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::awaitEvent).args(e, lock).stdout(out.output()).build();
    p.start();
    String line = out.await("timed acquire ", Waits.JOIN);
    assertThat(line).startsWith("timed acquire false after ms ");
    assertThat(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).isBetween(290L, 10_000L);
    out.await("waiting", Waits.JOIN);
    Waits.until(() -> e.cell().waiters() == 1, "e.cell().waiters() == 1");
    ProcessHandle h = ProcessHandle.of(p.pid()).orElseThrow();
    Duration used = io.github.multiprocessing4j.testing.IdleCpu.quietestSecond(h, Duration.ofMillis(100), 10);
    assertThat(used).as("CPU used by a process blocked in await() for 1 s").isLessThan(Duration.ofMillis(100));
    e.set();
    p.join(Waits.JOIN);
    assertThat(out.lines()).contains("event true");
    lock.release();
  }

  static void awaitEventOnly(Args args) throws Exception {
    Event e = args.get(0, Event.class);
    System.out.println("waiting");
    System.out.println("event " + e.await(Waits.LONG));
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
  void aStoppedWaitingProcessDoesNotStallTheProcessThatWakesIt() throws Exception {
    Event e = new Event();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::awaitEventOnly).args(e).stdout(out.output()).build();
    p.start();
    out.await("waiting", Waits.JOIN);
    Waits.until(() -> e.cell().registered() == 1, "e.cell().registered() == 1");
    io.github.multiprocessing4j.Multiprocessing.kill(p.pid(), 19); // SIGSTOP: it answers nothing now
    try {
      long t0 = System.nanoTime();
      e.set(); // its first wake of that process: the connection is not made yet
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // The handshake with a stopped process can only time out (10 s); the waker must not wait
      // for it (a release() or set() stalled for that long, and every other waker behind it).
      assertThat(ms).as("set() took %d ms", ms).isLessThan(5_000);
    } finally {
      io.github.multiprocessing4j.Multiprocessing.kill(p.pid(), 18); // SIGCONT
    }
    p.join(Waits.JOIN);
    assertThat(out.lines()).contains("event true");
  }

  static void awaitTwoEvents(Args args) throws Exception {
    System.out.println("waiting");
    System.out.println("event " + args.get(0, Event.class).await(Waits.LONG));
    System.out.println("done " + args.get(1, Event.class).await(Waits.LONG));
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
  void theWakeConnectionOfAProcessThatEndedIsClosed() throws Exception {
    long[] pids = new long[2];
    for (int i = 0; i < 2; i++) {
      Event e = new Event();
      Event done = new Event();
      CapturedLines out = new CapturedLines();
      Process p = Process.builder().target(SyncBetweenProcessesTest::awaitTwoEvents).args(e, done)
          .stdout(out.output()).build();
      p.start();
      long pid = p.pid();
      pids[i] = pid;
      out.await("waiting", Waits.JOIN);
      Waits.until(() -> e.cell().registered() == 1, "e.cell().registered() == 1");
      e.set(); // connects to it (the child stays until done is set, so the connection is made)
      out.await("event ", Waits.JOIN);
      Waits.until(() -> ParkingLot.linkedPids().contains(pid), "ParkingLot.linkedPids().contains(pid)");
      done.set();
      p.join(Waits.JOIN);
      assertThat(p.exitCode()).isEqualTo(0);
    }
    // The second connection was made after the first child had ended: its link went then.
    assertThat(ParkingLot.linkedPids()).doesNotContain(pids[0]);
  }

  // ---- interrupts

  static void interruptedWaiter(Args args) throws Exception {
    Semaphore s = args.get(0, Semaphore.class);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        s.acquire();
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    Waits.until(() -> s.cell().waiters() == 1, "the thread waits on the semaphore");
    t.interrupt();
    t.join();
    System.out.println("thrown " + thrown.get().getClass().getSimpleName() + " waiters " + s.cell().waiters());
    System.out.println("then " + s.acquire(Waits.JOIN) + " value " + s.getValue());
  }

  @Test
  void anInterruptedWaiterInAChildLeavesNoRegistrationAndTheNextWaitWorks() throws Exception {
    Semaphore s = new Semaphore(0);
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::interruptedWaiter).args(s).stdout(out.output()).build();
    p.start();
    assertThat(out.await("thrown ", Waits.JOIN)).isEqualTo("thrown InterruptedException waiters 0");
    assertThat(s).hasToString("<Semaphore(value=0)>");
    s.release();
    p.join(Waits.JOIN);
    assertThat(out.lines()).contains("then true value 0");
  }

  // ---- barrier

  static void barrierParty(Args args) throws Exception {
    Barrier b = args.get(0, Barrier.class);
    System.out.println("index " + b.await(Waits.JOIN));
    System.out.println("round2");
    try {
      b.await(Waits.JOIN);
      System.out.println("passed");
    } catch (BrokenBarrierException e) {
      System.out.println("broken " + b.isBroken());
    }
  }

  @Test
  void aBarrierAcrossProcessesReleasesAllPartiesAndAbortBreaksIt() throws Exception {
    Barrier b = new Barrier(3, (Runnable & java.io.Serializable) () -> System.out.println("action"), null);
    CapturedLines out1 = new CapturedLines();
    CapturedLines out2 = new CapturedLines();
    Process p1 = Process.builder().target(SyncBetweenProcessesTest::barrierParty).args(b).stdout(out1.output()).build();
    Process p2 = Process.builder().target(SyncBetweenProcessesTest::barrierParty).args(b).stdout(out2.output()).build();
    p1.start();
    p2.start();
    int mine = b.await(Waits.JOIN);
    String i1 = out1.await("index ", Waits.JOIN);
    String i2 = out2.await("index ", Waits.JOIN);
    List<Integer> idx = List.of(mine, Integer.parseInt(i1.substring(6)), Integer.parseInt(i2.substring(6)));
    assertThat(idx).containsExactlyInAnyOrder(0, 1, 2);
    Waits.until(() -> b.nWaiting() == 2, "b.nWaiting() == 2"); // both children in round 2
    assertThat(b.toString()).endsWith(": waiters=2/3>");
    b.abort();
    p1.join(Waits.JOIN);
    p2.join(Waits.JOIN);
    assertThat(out1.lines()).contains("broken true");
    assertThat(out2.lines()).contains("broken true");
    long actions = out1.lines().stream().filter("action"::equals).count()
        + out2.lines().stream().filter("action"::equals).count();
    assertThat(actions).isLessThanOrEqualTo(1); // once per round, by the last to arrive (maybe this JVM)
    assertThat(b.isBroken()).isTrue();
    b.reset();
    assertThat(b.isBroken()).isFalse();
    assertThat(b.nWaiting()).isZero();
  }

  // ---- condition

  static void conditionWaiter(Args args) throws Exception {
    Condition c = args.get(0, Condition.class);
    try (Held h = c.hold()) {
      System.out.println("waiting");
      boolean notified = c.await(Waits.JOIN);
      System.out.println("notified " + notified + " " + c.lock());
    }
  }

  @Test
  void aConditionSignalFromTheParentWakesAWaiterInAChild() throws Exception {
    Condition c = new Condition();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SyncBetweenProcessesTest::conditionWaiter).args(c).stdout(out.output()).build();
    p.start();
    out.await("waiting", Waits.JOIN);
    Waits.until(() -> c.toString().equals("<Condition(<RLock(None, 0)>, 1)>"), "c.toString().equals(\"<Condition(<RLock(None, 0)>, 1)>\")");
    try (Held h = c.hold()) {
      c.signal(); // returns once the child has woken
    }
    p.join(Waits.JOIN);
    assertThat(out.lines()).hasSize(2);
    assertThat(out.lines().get(1)).startsWith("notified true <RLock(" + p.name()).endsWith(", 1)>");
  }
}
