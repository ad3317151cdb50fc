package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.RLock;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The locked {@link Value} and {@link Array} (CPython's {@code Synchronized} wrappers, §B.4). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SynchronizedTest {

  private static final int N = 2_000;

  @Test
  void aValueHasItsOwnRecursiveLockAndCpythonsRepr() throws Exception {
    Value v = Value.create('i', 5);
    assertThat(v.getLock()).isInstanceOf(RLock.class);
    assertThat(v.toString()).isEqualTo("<Synchronized wrapper for c_int(5)>");
    assertThat(v.get()).isEqualTo(5);
    try (Held held = v.hold()) {
      assertThat(held.ownerDied()).isFalse();
      v.set(v.getInt() + 1); // get and set take the recursive lock again
    }
    assertThat(v.getLong()).isEqualTo(6);
    assertThat(v.getObj().getInt()).isEqualTo(6);
    assertThat(v.incrementAndGet()).as("lock-free").isEqualTo(7);
    assertThat(Value.create('d').getDouble()).isZero();
    assertThat(v.getLock().tryLock()).isTrue();
    v.getLock().unlock();
  }

  @Test
  void aGivenCrossProcessLockIsUsedAndOtherLocksAreRefused() {
    Lock lock = new Lock();
    Value v = Value.of(RawValue.create('q', 3L), lock);
    assertThat(v.getLock()).isSameAs(lock);
    Array a = Array.of(RawArray.create('i', 2), lock);
    assertThat(a.getLock()).isSameAs(lock);
    lock.lock();
    try {
      assertThat(new RLock().tryLock()).isTrue();
      assertThat(lock.tryLock()).as("held: the value's get() would wait").isFalse();
    } finally {
      lock.unlock();
    }
    assertThat(v.getLong()).isEqualTo(3);
    assertThatThrownBy(() -> Value.of(RawValue.create('i'), new ReentrantLock()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be an io.github.multiprocessing4j.sync.Lock or RLock")
        .hasMessageContaining("java.util.concurrent.locks.ReentrantLock");
    assertThatThrownBy(() -> Value.of(null, lock)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Array.of(RawArray.create('i', 1), null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anArrayReadsAndWritesUnderItsLock() throws Exception {
    Array a = Array.create('i', 3);
    assertThat(a.length()).isEqualTo(3);
    assertThat(a.toString()).isEqualTo("<SynchronizedArray wrapper for c_int_Array_3([0, 0, 0])>");
    a.set(0, 7L);
    a.set(-1, (Object) 9);
    assertThat(a.toList()).containsExactly(7, 0, 9);
    assertThat(a.slice(1, 3)).containsExactly(0, 9);
    a.setSlice(0, 2, List.of(1, 2));
    assertThat(a.getInt(0) + a.getLong(1)).isEqualTo(3);
    assertThatThrownBy(() -> a.setSlice(0, 2, List.of(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Can only assign sequence of same size");
    assertThatThrownBy(() -> a.get(3)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("invalid index");
    Array d = Array.of('d', List.of(1.5, 2.5));
    assertThat(d.getDouble(1)).isEqualTo(2.5);
    assertThat(d.getLock()).isInstanceOf(RLock.class);
  }

  /** N read-modify-writes of a shared counter, each under the value's lock. */
  @SuppressWarnings("try") // the held lock is only closed
  static void lockedIncrements(Args args) throws InterruptedException {
    Value v = args.get(0, Value.class);
    Array a = args.get(1, Array.class);
    for (int i = 0; i < N; i++) {
      try (Held held = v.hold()) {
        v.set(v.getInt() + 1); // not atomic by itself: only the lock makes it so
      }
      try (Held held = a.hold()) {
        a.set(1, a.getLong(1) + 2);
      }
    }
  }

  @Test
  void lockedReadModifyWritesOfThreeProcessesAreNeverLost() throws Exception {
    Value v = Value.create('i');
    Array a = Array.create('q', 2);
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Process p = Process.builder().target(SynchronizedTest::lockedIncrements).args(v, a).build();
      p.start();
      children.add(p);
    }
    for (Process p : children) {
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
    }
    assertThat(v.getInt()).isEqualTo(3 * N);
    assertThat(a.getLong(1)).isEqualTo(6L * N);
  }
}
