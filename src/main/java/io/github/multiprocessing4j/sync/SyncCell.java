package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.Backoff;
import io.github.multiprocessing4j.internal.shm.Segment;
import io.github.multiprocessing4j.internal.transport.PutFence;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared state of one cross-process synchronisation object ({@code Lock}, {@code Semaphore},
 * {@code Event}, ...) and the parking lot its waiters use: a {@link Segment} of {@link #SIZE} bytes
 * whose first {@link #STATE_BYTES} bytes are the object's state words, followed by a count of
 * waiting threads and a table of waiting JVMs. One {@code SyncCell} per segment per JVM.
 *
 * <p><b>Waiting.</b> A thread that must wait ({@link #await}) first re-tries for
 * {@link Backoff#SPIN_NANOS}, the gaps between tries doubling (see {@code spin}). Then it registers:
 * it makes this JVM listen for wakes ({@link ParkingLot}), adds one to the waiter count, then adds
 * one to its JVM's slot of the table (a long {@code pid << 32 | pending << 31 | count}, claimed by
 * CAS from 0, lowest free slot first, raising the table's high-water mark); leaving, it gives the
 * slot back before the count (so a JVM that dies in between leaves the count too high, never too
 * low: see {@link #dropDead}). Then, in a loop, it
 * reads the local epoch, re-tries, and parks until the epoch moves or a slice of
 * {@link #SLICE_NANOS} passes; woken by a move, it re-tries for a while before it parks again.
 *
 * <p><b>Waking.</b> A thread that changed the state ({@link #wakeAll()}) reads the waiter count
 * after its change; if it is not 0 it moves the local epoch (signalling local parked threads) and,
 * for every other JVM whose slot count is not 0 and whose slot is not marked pending, marks it
 * pending and sends it a wake; there, the thread that reads wakes ({@link ParkingLot}) clears the
 * mark and then moves the epoch the same way. So a JVM gets at most one wake in flight per object:
 * a holder that releases a lock a million times while another JVM sleeps on it pays one send, not
 * a million. A slot whose mark is set when its waiter's slice ends is cleared by the waiter itself
 * (a wake whose connection failed), which then moves the epoch as a wake would.
 *
 * <p><b>Why no wake is lost.</b> All the accesses involved are sequentially consistent (CAS,
 * getAndAdd and volatile reads through {@link java.lang.invoke.VarHandle}s on the shared mapping),
 * so they have one total order. The waiter's order is: count, slot (and high-water mark), epoch
 * read, re-try; the waker's: state change, count read, high-water mark and slot reads, epoch move.
 * If the waker's count read, or its read of the waiter's slot, comes before the waiter's increment
 * of it, the waiter's re-try comes after the waker's state change and sees it. Otherwise the waker
 * sees the count and the slot, sends the
 * wake, and the epoch moves after the waker's state change: if the waiter read the epoch before
 * that move, its park returns at once or is signalled; if after, the re-try after that read sees
 * the state change. A waker that finds the slot marked pending sends nothing: the mark was set
 * before its read and not yet cleared, so the clear comes after its state change, and the epoch
 * move (or the clearing waiter's own re-try) after the clear. Spurious wakes are harmless: waiters
 * re-try. A JVM that cannot be woken (its
 * slot table full, no Unix sockets) parks for at most {@link #POLL_NANOS} at a time instead.
 *
 * <p>Thread-safe.
 */
final class SyncCell {

  /** The segment's size: one page. */
  public static final int SIZE = 4096;
  /** Bytes at the start of the segment for the object's own state words. */
  public static final int STATE_BYTES = 64;
  /** The longest a registered waiter parks before it re-checks on its own (and looks for a dead owner). */
  public static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(
      Tunable.SYNC_SLICE_MILLIS.longValue(100)); // a knob for tests, not documented
  /** The longest a waiter that could not register parks at a time. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** How long a waiter woken by a change keeps re-trying before it parks again. */
  private static final long RESPIN_NANOS = Tunable.RESPIN_NANOS.longValue(20_000);
  private static final long FIRST_GAP_NANOS = 100;
  /** The first poll of a hot waiter after a futile wake; each next one twice as long. */
  private static final long FIRST_POLL_NANOS = 50_000;
  private static final long MAX_POLL_NANOS = 1_000_000;
  /** Polls in a row before a hot waiter asks for wakes again (about 12 ms of polling). */
  private static final int MAX_POLLS = 16;
  private static final long MAX_GAP_NANOS = Tunable.MAX_GAP_NANOS.longValue(5_000);
  private static final long YIELD_GAP_NANOS = 1_600;
  private static final int WAITERS = 64;
  /** One more than the highest slot ever claimed: wakers scan no further. */
  private static final int HIGH = 68;
  private static final int SLOTS = 128;
  /** In a slot: a wake was sent to its JVM and its leader has not read it yet (see wakeAll). */
  private static final long PENDING = 1L << 31;
  /** In a slot: the number of its JVM's registered waiters. */
  private static final long COUNT = PENDING - 1;
  private static final int SLOT_COUNT = (SIZE - SLOTS) / 8;
  /**
   * This JVM's cells by name, held weakly: a cell no object uses any more is collected, and with it
   * this JVM's use of its segment (see {@link Segment}). A name missing here means nobody of this
   * JVM waits on it.
   */
  private static final WeakRegistry<SyncCell> CELLS = new WeakRegistry<>();

  private final Segment segment;
  private final String name;
  private final long pid = CurrentProcess.pid();
  private final AtomicLong epoch = new AtomicLong();
  /** This JVM's threads waiting on this cell. */
  private final Set<Thread> parked = ConcurrentHashMap.newKeySet();
  private volatile int slotHint = -1;

  private SyncCell(Segment segment) {
    this.segment = segment;
    this.name = segment.name();
  }

  /**
   * Creates a new cell (a new, zero-filled segment).
   *
   * @return the cell
   * @throws IOException if the segment cannot be created
   */
  public static SyncCell create() throws IOException {
    SyncCell c = new SyncCell(Segment.create(null, "mp4j_sync_", SIZE));
    CELLS.put(c.name, c);
    return c;
  }

  /**
   * Returns this JVM's cell for a segment, attaching it on first use (or again, after the cell
   * of this JVM was collected).
   *
   * @param name the segment's name
   * @return the cell
   * @throws IOException if there is no such segment (every process that used it has ended)
   */
  public static SyncCell attach(String name) throws IOException {
    SyncCell known = CELLS.get(name);
    if (known != null) {
      return known;
    }
    synchronized (CELLS) {
      known = CELLS.get(name);
      if (known != null) {
        return known;
      }
      Segment s = Segment.attach(name);
      if (s.size() != SIZE) {
        throw new IOException("segment " + name + " is not a synchronisation object");
      }
      SyncCell c = new SyncCell(s);
      CELLS.put(name, c);
      return c;
    }
  }

  /** The segment's name, which identifies the object in every process. */
  public String name() {
    return name;
  }

  /**
   * Keeps an object reachable while it is set (see {@link Segment#anchor}): a lock this JVM holds.
   *
   * @param o the object, or null
   */
  public void anchor(Object o) {
    segment.anchor(o);
  }

  // ---- state words (offsets below STATE_BYTES)

  /** Volatile read of an int state word. */
  public int getInt(int offset) {
    return segment.getIntVolatile(offset);
  }

  /** Volatile write of an int state word. */
  public void setInt(int offset, int value) {
    PutFence.await(); // a change other processes see: this process's puts first
    segment.setIntVolatile(offset, value);
  }

  /** CAS of an int state word. */
  public boolean casInt(int offset, int expected, int value) {
    PutFence.await(); // a change other processes see: this process's puts first
    return segment.compareAndSetInt(offset, expected, value);
  }

  /** Atomic add to an int state word; returns the old value. */
  public int getAndAddInt(int offset, int delta) {
    PutFence.await(); // a change other processes see: this process's puts first
    return segment.getAndAddInt(offset, delta);
  }

  /** Volatile read of a long state word. */
  public long getLong(int offset) {
    return segment.getLongVolatile(offset);
  }

  /** Volatile write of a long state word. */
  public void setLong(int offset, long value) {
    PutFence.await(); // a change other processes see: this process's puts first
    segment.setLongVolatile(offset, value);
  }

  /** CAS of a long state word. */
  public boolean casLong(int offset, long expected, long value) {
    PutFence.await(); // a change other processes see: this process's puts first
    return segment.compareAndSetLong(offset, expected, value);
  }

  // ---- waiting

  /** One attempt of a waiter, e.g. to take a lock. */
  @FunctionalInterface
  public interface Attempt {
    /**
     * Tries once.
     *
     * @param slow true about every {@link #SLICE_NANOS} of waiting: the time for checks that cost a
     *     system call, such as whether a lock's owner died
     * @return whether the wait is over
     */
    boolean tryOnce(boolean slow);
  }

  /**
   * Waits until an attempt succeeds: spins briefly, then parks without using a core.
   *
   * @param attempt what to try; called again after every wake
   * @param timeoutNanos how long at most; 0 for one attempt only, {@link Long#MAX_VALUE} for ever
   * @return whether it succeeded in time
   * @throws InterruptedException if interrupted while waiting (the registration is withdrawn)
   */
  public boolean await(Attempt attempt, long timeoutNanos) throws InterruptedException {
    return await(attempt, timeoutNanos, false);
  }

  /**
   * Waits until an attempt succeeds, as {@link #await(Attempt, long)}; for an object that a holder
   * may take and give back in a loop (a lock), {@code hot}: a waiter that has
   * registered, or was woken by a change and then found the object taken again, polls for a while
   * (parks with a timeout,
   * {@link #FIRST_POLL_NANOS} doubling to {@link #MAX_POLL_NANOS}, {@link #MAX_POLLS} times) with its
   * JVM's slot marked pending, so that the holder's releases send nothing meanwhile. A send wakes a
   * thread in another JVM: measured 87 µs of the sender's time on this project's 2-core VM, and a
   * holder that released a lock in a loop paid one per wake of the waiter (60 ms of a 100 ms run).
   * A poll clears the mark and makes every local waiter re-try, as a wake would.
   *
   * @param attempt what to try; called again after every wake
   * @param timeoutNanos how long at most; 0 for one attempt only, {@link Long#MAX_VALUE} for ever
   * @param hot whether to poll after futile wakes
   * @return whether it succeeded in time
   * @throws InterruptedException if interrupted while waiting (the registration is withdrawn)
   */
  public boolean await(Attempt attempt, long timeoutNanos, boolean hot) throws InterruptedException {
    if (attempt.tryOnce(false)) {
      return true;
    }
    if (timeoutNanos <= 0) {
      return attempt.tryOnce(true);
    }
    long start = System.nanoTime();
    long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + timeoutNanos;
    if (spin(attempt, start, Math.min(Backoff.SPIN_NANOS, timeoutNanos))) {
      return true;
    }
    boolean remote = ParkingLot.ensureListening();
    Thread me = Thread.currentThread();
    parked.add(me); // before the waiter count: see wakeHere
    // The count before the slot, and the slot given back before the count: a JVM that dies in
    // between (halted at exit, SIGKILL) leaves the count too high, which costs wakers a scan,
    // never too low, which dropDead would make lower still (below the live waiters: wakeAll
    // then returned at once while another JVM waited, a lost wake).
    segment.getAndAddInt(WAITERS, 1);
    int slot = remote ? register() : -1;
    long maxPark = slot >= 0 ? SLICE_NANOS : POLL_NANOS;
    long lastSlow = System.nanoTime();
    int slowTicks = 0;
    // Wakes in a row after which the object was taken again. A hot waiter starts as if after one:
    // it polls first, so that a holder running a batch sends nothing (a wake costs it tens of µs).
    int futile = hot ? 1 : 0;
    try {
      while (true) {
        long e = epoch.get();
        long now = System.nanoTime();
        boolean slow = now - lastSlow >= SLICE_NANOS;
        if (slow) {
          lastSlow = now;
          if (slot >= 0 && clearPending(SLOTS + 8 * slot, pid)) {
            wakeHere(); // a wake marked as sent that never came (its connection failed): as if it had
          }
          if (++slowTicks % 10 == 0) { // about once a second: a check costs a system call per JVM in the table
            dropDeadWaiters();
          }
        }
        if (attempt.tryOnce(slow)) {
          return true;
        }
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now;
        if (left <= 0) {
          return !slow && attempt.tryOnce(true); // a last try with the costly checks (a dead owner)
        }
        boolean polling = hot && slot >= 0 && futile > 0 && futile <= MAX_POLLS;
        long parkNanos = Math.min(left, maxPark);
        if (polling) {
          markPending(SLOTS + 8 * slot);
          parkNanos = Math.min(parkNanos, Math.min(MAX_POLL_NANOS, FIRST_POLL_NANOS << (futile - 1)));
        }
        ParkingLot.park(this, e, parkNanos);
        if (polling && clearPending(SLOTS + 8 * slot, pid)) {
          wakeHere(); // its own mark, or a wake's: every local waiter re-tries after the clear
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        if (epoch.get() != e) { // woken by a change: a lock's holder may take it again at once, so try for a while
          now = System.nanoTime();
          long respin = deadline == Long.MAX_VALUE ? RESPIN_NANOS : Math.min(RESPIN_NANOS, deadline - now);
          if (spin(attempt, now, respin)) {
            return true;
          }
          futile = polling ? futile + 1 : 1;
        }
      }
    } finally {
      if (slot >= 0) {
        unregister(slot);
      }
      segment.getAndAddInt(WAITERS, -1);
      parked.remove(me);
    }
  }

  /**
   * Re-tries until {@code nanos} after {@code start}, the gaps between tries doubling from
   * {@link #FIRST_GAP_NANOS} to {@link #MAX_GAP_NANOS}. Spaced because each try of a held lock
   * pulls the lock's cache line from the holder's core: a waiter that tries in a tight loop slows
   * the very holder it waits for, and two processes taking turns at every increment spend their
   * time moving cache lines (measured: several hundred ns per turn), while a waiter that keeps away
   * leaves the holder runs of uncontended increments.
   */
  private static boolean spin(Attempt attempt, long start, long nanos) throws InterruptedException {
    long end = start + nanos;
    long gap = FIRST_GAP_NANOS;
    for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
      if (gap >= YIELD_GAP_NANOS) {
        Thread.yield(); // gives the core to a runnable holder on a busy machine
      }
      for (long until = Math.min(now + gap, end); System.nanoTime() - until < 0; ) {
        Thread.onSpinWait();
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (attempt.tryOnce(false)) {
        return true;
      }
      gap = Math.min(gap * 2, MAX_GAP_NANOS);
    }
    return false;
  }

  private int register() {
    int hint = slotHint;
    if (hint >= 0 && increment(hint, false)) {
      return hint;
    }
    int high = Math.min(segment.getIntVolatile(HIGH), SLOT_COUNT);
    for (int i = 0; i < high; i++) { // this JVM's slot, if it has one
      if (increment(i, false)) {
        slotHint = i;
        return i;
      }
    }
    for (int i = 0; i < SLOT_COUNT; i++) { // else the lowest free one
      if (increment(i, true)) {
        slotHint = i;
        for (int h = segment.getIntVolatile(HIGH); h < i + 1; h = segment.getIntVolatile(HIGH)) {
          segment.compareAndSetInt(HIGH, h, i + 1); // before the epoch read: see the class comment
        }
        return i;
      }
    }
    return -1;
  }

  /** Adds one to slot i if it is this JVM's (or, if {@code claim}, takes it if it is free). */
  private boolean increment(int i, boolean claim) {
    int off = SLOTS + 8 * i;
    long v = segment.getLongVolatile(off);
    while (claim ? v == 0 : (v >>> 32) == pid) {
      if (segment.compareAndSetLong(off, v, v == 0 ? (pid << 32) | 1 : v + 1)) {
        return true;
      }
      v = segment.getLongVolatile(off);
    }
    return false;
  }

  private void unregister(int slot) {
    int off = SLOTS + 8 * slot;
    while (true) {
      long v = segment.getLongVolatile(off);
      long next = (v & COUNT) <= 1 ? 0 : v - 1;
      if ((v >>> 32) != pid || segment.compareAndSetLong(off, v, next)) {
        return; // (cleared by a waker that thought this JVM dead: nothing left to give back)
      }
    }
  }

  // ---- waking

  /**
   * Wakes every waiter of this object, in every process, after a change of its state; they re-try.
   * Costs one volatile read when nobody waits.
   */
  public void wakeAll() {
    if (segment.getIntVolatile(WAITERS) == 0) {
      return;
    }
    int high = Math.min(segment.getIntVolatile(HIGH), SLOT_COUNT);
    for (int i = 0; i < high; i++) {
      int off = SLOTS + 8 * i;
      long v = segment.getLongVolatile(off);
      long p = v >>> 32;
      if ((v & COUNT) == 0 || p == pid || (v & PENDING) != 0) {
        continue;
      }
      // Marked pending only when the wake goes into a connection already made: then it is in the
      // other JVM's socket when send returns, and read even if this JVM exits next. A wake that
      // waits for a connection lives in a thread of this JVM, which an exit waits for only a
      // while (ParkingLot.finishConnectsAtExit) and then ends: it must not stop
      // other wakers from sending theirs (found by a test whose third process hung: the two others
      // had exited before their first wakes' connections were made).
      boolean marked = ParkingLot.linked(p) && segment.compareAndSetLong(off, v, v | PENDING);
      int sent = ParkingLot.send(p, name);
      if (marked && sent != ParkingLot.SENT) {
        clearPending(off, p);
      }
      if (sent == ParkingLot.FAILED && ProcessToken.pidDead(p)) {
        dropDead(off, p);
      }
    }
    wakeHere();
  }

  /**
   * Frees the slot of a JVM that died waiting, and takes its waiters out of the count. Its slot
   * never counts more of its threads than the waiter count does (a waiter counts itself before
   * its slot, and gives its slot back first), so this never takes live waiters out of the count.
   */
  private void dropDead(int off, long deadPid) {
    while (true) {
      long v = segment.getLongVolatile(off);
      if ((v >>> 32) != deadPid) {
        return;
      }
      if (segment.compareAndSetLong(off, v, 0)) {
        segment.getAndAddInt(WAITERS, (int) -(v & COUNT));
        return;
      }
    }
  }

  /** Frees the slots of JVMs that died waiting (a wake marked pending to them is never read). */
  private void dropDeadWaiters() {
    int high = Math.min(segment.getIntVolatile(HIGH), SLOT_COUNT);
    for (int i = 0; i < high; i++) {
      long v = segment.getLongVolatile(SLOTS + 8 * i);
      long p = v >>> 32;
      if (v != 0 && p != pid && ProcessToken.pidDead(p)) {
        dropDead(SLOTS + 8 * i, p);
      }
    }
  }

  /** Marks this JVM's slot pending (see the hot {@link #await(Attempt, long, boolean)}). */
  private void markPending(int off) {
    while (true) {
      long v = segment.getLongVolatile(off);
      if ((v >>> 32) != pid || (v & PENDING) != 0 || segment.compareAndSetLong(off, v, v | PENDING)) {
        return;
      }
    }
  }

  /** Clears the pending mark of a slot that belongs to {@code owner}; returns whether it was set. */
  private boolean clearPending(int off, long owner) {
    while (true) {
      long v = segment.getLongVolatile(off);
      if ((v >>> 32) != owner || (v & PENDING) == 0) {
        return false;
      }
      if (segment.compareAndSetLong(off, v, v & ~PENDING)) {
        return true;
      }
    }
  }

  /**
   * What this JVM does with a wake for this cell: clears its slot's pending mark, then makes its
   * waiters re-try. In that order: a waker that saw the mark and sent nothing relied on a re-try
   * after its change, and the re-try comes after the clear, which comes after the waker saw the mark.
   */
  private void wokenFromOutside() {
    int hint = slotHint;
    if (hint < 0 || !clearPending(SLOTS + 8 * hint, pid)) {
      int high = Math.min(segment.getIntVolatile(HIGH), SLOT_COUNT);
      for (int i = 0; i < high && !clearPending(SLOTS + 8 * i, pid); i++) {
        // this JVM's slot is found by its pid
      }
    }
    wakeHere();
  }

  private void wakeHere() {
    if (parked.isEmpty()) { // a waiter is added before it counts: see the class comment
      return;
    }
    epoch.incrementAndGet();
    for (Thread t : parked) {
      ParkingLot.unpark(t);
    }
  }

  /** The epoch: moved by every wake of this JVM's waiters. */
  long epoch() {
    return epoch.get();
  }

  /** Wakes this JVM's waiters of a named object: what the parking lot's leader does with a wake message. */
  static void wakeLocal(String name) {
    SyncCell c = CELLS.get(name);
    if (c != null) {
      c.wokenFromOutside();
    }
  }

  /** The number of threads, in all processes, registered as waiting; for tests. */
  public int waiters() {
    return segment.getIntVolatile(WAITERS);
  }

  /**
   * The number of threads, in all processes, registered in the table of waiting JVMs; for tests.
   * A waiter counts itself in {@link #waiters()} first and registers here next: only once it is
   * here can a waker send it a wake, and can its JVM's death take it out of the count (a JVM that
   * dies in between leaves the count one too high: see {@link #await(Attempt, long, boolean)}).
   */
  public int registered() {
    int n = 0;
    int high = Math.min(segment.getIntVolatile(HIGH), SLOT_COUNT);
    for (int i = 0; i < high; i++) {
      n += (int) (segment.getLongVolatile(SLOTS + 8 * i) & COUNT);
    }
    return n;
  }

  /** The number of this JVM's threads parked or about to park on this cell; for tests. */
  public int localWaiters() {
    return parked.size();
  }
}
