package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.RLock;
import io.github.multiprocessing4j.testing.Waits;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CPython's {@code multiprocessing.sharedctypes.copy(obj)} (§B.4): {@code copy()} of values and arrays. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SharedCopyTest {

  @Test
  void aCopiedValueHasTheSameTypeAndValueAndIsIndependent() {
    RawValue v = RawValue.create('d', 2.5);
    RawValue c = v.copy();
    assertThat(c.typeCode()).isEqualTo(TypeCode.DOUBLE);
    assertThat(c.getDouble()).isEqualTo(2.5);
    c.set(1.0);
    assertThat(v.getDouble()).as("the original keeps its value").isEqualTo(2.5);
    v.set(3.0);
    assertThat(c.getDouble()).as("the copy keeps its value").isEqualTo(1.0);
    RawValue b = RawValue.create('B', -1);
    assertThat(b.copy().get()).isEqualTo(255);
    assertThat(RawValue.create('u', "😀").copy()).hasToString("c_wchar('😀')");
  }

  @Test
  void aCopiedArrayHasTheSameItemsAndIsIndependent() {
    RawArray a = RawArray.of('h', 1, -2, 3, 4, 5);
    RawArray c = a.copy();
    assertThat(c.typeCode()).isEqualTo(TypeCode.SHORT);
    assertThat(c).hasToString("c_short_Array_5([1, -2, 3, 4, 5])");
    c.set(0, 100);
    a.set(4, 50);
    assertThat(a.getLongs(0, 5)).containsExactly(1, -2, 3, 4, 50);
    assertThat(c.getLongs(0, 5)).containsExactly(100, -2, 3, 4, 5);
    assertThat(RawArray.create('q', 0).copy().length()).isZero();
    RawArray chars = RawArray.of('c', new byte[] {'a', 0, 'b'});
    assertThat(chars.copy().raw()).containsExactly('a', 0, 'b');
  }

  @Test
  void aCopiedLockedArrayGetsANewRecursiveLockAndIndependentMemory() {
    Lock shared = new Lock();
    Array a = Array.of(RawArray.of('i', 7, 8, 9), shared);
    Array c = a.copy();
    assertThat(c.getLock()).isInstanceOf(RLock.class).isNotSameAs(shared);
    assertThat(c.getObj()).isNotSameAs(a.getObj());
    assertThat(c.toList()).containsExactly(7, 8, 9);
    c.set(0, 70);
    assertThat(a.getInt(0)).isEqualTo(7);
    shared.lock();
    try {
      assertThat(c.getInt(0)).as("the copy does not wait for the original's lock").isEqualTo(70);
    } finally {
      shared.unlock();
    }
  }

  @Test
  @SuppressWarnings("try") // the held lock is only closed
  void copyingALockedArrayWaitsForItsLock() throws Exception {
    Array a = Array.of('i', List.of(1, 2));
    CompletableFuture<Array> copier = new CompletableFuture<>();
    Thread t = new Thread(() -> copier.complete(a.copy()));
    try (Held held = a.hold()) {
      t.start();
      assertThatThrownBy(() -> copier.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      a.set(0, 10);
      a.set(1, 20); // a holder's two writes: the copy sees both or neither
    }
    assertThat(copier.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS).toList()).containsExactly(10, 20);
  }

  // ---- between processes

  /** Argument 0: the original; 1: its copy. Writes to the copy only. */
  static void writeTheCopy(Args args) {
    RawArray original = args.get(0, RawArray.class);
    RawArray copy = args.get(1, RawArray.class);
    if (copy.getDouble(0) != original.getDouble(0)) {
      throw new AssertionError("the child's copy starts at " + copy.getDouble(0));
    }
    copy.set(0, -1.0);
    args.get(2, RawValue.class).incrementAndGet();
  }

  @Test
  void aCopyIsSharedMemoryOfItsOwnThatAChildWritesToo() throws Exception {
    RawArray original = RawArray.of('d', 0.5, 1.5);
    RawArray copy = original.copy();
    RawValue counter = RawValue.create('i', 41).copy();
    Process p = Process.builder().target(SharedCopyTest::writeTheCopy).args(original, copy, counter).build();
    p.start();
    assertThat(p.join(Waits.LONG)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(copy.getDoubles(0, 2)).as("the child's write to the copy").containsExactly(-1.0, 1.5);
    assertThat(original.getDoubles(0, 2)).as("the original is untouched").containsExactly(0.5, 1.5);
    assertThat(counter.getInt()).as("a copied value is shared too").isEqualTo(42);
  }
}
