package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RawArray (§B.4), in the spirit of CPython's {@code _TestArray}, plus atomic item operations. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class RawArrayTest {

  @Test
  void cpythonsTestArray() {
    // _TestArray.test_array: seq = [680, 626, 934, 821, 150, 233, 548, 982, 714, 831]
    int[] seq = {680, 626, 934, 821, 150, 233, 548, 982, 714, 831};
    RawArray arr = RawArray.of('i', seq);
    assertThat(arr.length()).isEqualTo(10);
    assertThat(arr.get(3)).isEqualTo(821);
    assertThat(arr.get(-1)).isEqualTo(831);
    assertThat(arr.slice(2, 7)).containsExactly(934, 821, 150, 233, 548);
    arr.setSlice(2, 7, 5, 4, 3, 2, 1);
    assertThat(arr.toList()).containsExactly(680, 626, 5, 4, 3, 2, 1, 982, 714, 831);
    // test_array_from_size and test_rawarray: zero-filled
    RawArray zeros = RawArray.create('i', 10);
    assertThat(zeros.getLongs(0, 10)).containsOnly(0L);
    assertThat(RawArray.create('d', 0).toList()).isEmpty();
  }

  @Test
  void indexesAndSlicesArePythons() {
    RawArray a = RawArray.of('h', 1, 2, 3, 4, 5);
    a.set(-2, 40);
    assertThat(a.getInt(3)).isEqualTo(40);
    assertThat(a.slice(-3, 100)).containsExactly((short) 3, (short) 40, (short) 5);
    assertThat(a.slice(4, 1)).isEmpty();
    assertThat(a.slice(-100, 2)).containsExactly((short) 1, (short) 2);
    assertThat(a.getLongs(1, -1)).containsExactly(2, 3, 40);
    assertThat(a.getDoubles(0, 2)).containsExactly(1.0, 2.0);
    a.setSlice(-2, 5, List.of(7, (short) 8));
    assertThat(a.getLongs(0, 5)).containsExactly(1, 2, 3, 7, 8);
    assertThat(a).hasToString("c_short_Array_5([1, 2, 3, 7, 8])");
    assertThat(RawArray.create('b', 30).toString()).endsWith("0, 0, ...])");
  }

  @Test
  void badIndexesSizesAndValuesNameTheCulprit() {
    RawArray a = RawArray.of('i', 1, 2, 3);
    assertThatThrownBy(() -> a.get(3)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("invalid index 3 (length 3)");
    assertThatThrownBy(() -> a.set(-4, 0)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("invalid index -4 (length 3)");
    assertThatThrownBy(() -> a.incrementAndGet(7)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageStartingWith("invalid index");
    assertThatThrownBy(() -> a.setSlice(0, 2, 1, 2, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Can only assign sequence of same size: the range has 2 items, 3 values given");
    assertThatThrownBy(() -> a.setSlice(0, 3, List.of(1, 2.5, 3))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'Double' object cannot be interpreted as an integer (2.5) at index 1 of RawArray('i', 3)");
    assertThat(a.toList()).as("nothing set when a value is refused").containsExactly(1, 2, 3);
    assertThatThrownBy(() -> a.set(0, 1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'Double' object cannot be interpreted as an integer (1.5) at index 0");
    assertThatThrownBy(() -> a.set(1, (Object) null)).isInstanceOf(NullPointerException.class)
        .hasMessage("value at index 1 of RawArray('i', 3) is null");
    assertThatThrownBy(() -> RawArray.of('i', Arrays.asList(1, null))).isInstanceOf(NullPointerException.class)
        .hasMessage("value at index 1 of RawArray('i', 2) is null");
    assertThatThrownBy(() -> RawArray.of('i', 1.0, 2.0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'Double' object cannot be interpreted as an integer (1.0) at index 0");
    assertThatThrownBy(() -> RawArray.create('z', 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("this type has no size: unknown typecode 'z'");
    assertThatThrownBy(() -> RawArray.create('i', -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("negative array length: -1");
    assertThatThrownBy(() -> RawArray.create('q', Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("too many items for one shared array");
    assertThatThrownBy(() -> RawArray.of('d', 1, 2).getLongs(0, 2)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void charactersAndBytes() {
    RawArray u = RawArray.of('u', "héllo😀");
    assertThat(u.length()).isEqualTo(6);
    assertThat(u.get(5)).isEqualTo("😀");
    assertThat(u.slice(0, 2)).containsExactly("h", "é");
    RawArray c = RawArray.of('c', new byte[] {'a', 'b', (byte) 0xff});
    assertThat(c.get(2)).isEqualTo((byte) -1);
    assertThat(c).hasToString("c_char_Array_3([b'a', b'b', b'\\xff'])");
    assertThatThrownBy(() -> RawArray.of('i', "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'String' object cannot be interpreted as an integer (x) at index 0");
  }

  @Test
  void atomicItemOperationsLeaveTheNeighboursAlone() {
    for (char code : new char[] {'b', 'B', 'h', 'H'}) {
      RawArray a = RawArray.create(code, 9);
      for (int i = 0; i < 9; i++) {
        a.set(i, -1 - i);
      }
      long[] before = a.getLongs(0, 9);
      assertThat(a.incrementAndGet(4)).isEqualTo(before[4] + 1);
      assertThat(a.compareAndSet(5, before[5], 42)).isTrue();
      assertThat(a.getAndSet(6, 7)).isEqualTo(before[6]);
      assertThat(a.getAndAdd(7, 3)).isEqualTo(before[7]);
      long[] after = a.getLongs(0, 9);
      for (int i : new int[] {0, 1, 2, 3, 8}) {
        assertThat(after[i]).as("'%s' item %d", code, i).isEqualTo(before[i]);
      }
      assertThat(after[5]).isEqualTo(42);
      assertThat(after[6]).isEqualTo(7);
    }
    RawArray d = RawArray.of('d', 0.5, 1.5);
    assertThat(d.addAndGet(1, 1.0)).isEqualTo(2.5);
    assertThat(d.getAndAdd(-2, 1.0)).isEqualTo(0.5);
    assertThat(d.compareAndSet(0, 1.5, 9.0)).isTrue();
    assertThat(d.getAndSet(1, 3.0)).isEqualTo(2.5);
    assertThat(d.getDoubles(0, 2)).containsExactly(9.0, 3.0);
  }

  // ---- between processes

  static void negate(Args args) {
    RawArray a = args.get(0, RawArray.class);
    for (int i = 0; i < a.length(); i++) {
      a.set(i, -a.getDouble(i));
    }
  }

  @Test
  void aChildSeesTheParentsItemsAndTheParentSeesTheChilds() throws Exception {
    RawArray a = RawArray.of('d', 1.0, 2.5, -3.0);
    Process p = Process.builder().target(RawArrayTest::negate).args(a).build();
    p.start();
    assertThat(p.join(Waits.LONG)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(a.getDoubles(0, 3)).containsExactly(-1.0, -2.5, 3.0);
  }

  /** Argument 0: the array; 1: the item this process increments; 2: how many times. */
  static void incrementItem(Args args) {
    RawArray a = args.get(0, RawArray.class);
    int item = args.getInt(1);
    int n = args.getInt(2);
    for (int i = 0; i < n; i++) {
      a.incrementAndGet(item);
    }
  }

  @Test
  void processesIncrementingNeighbouringBytesAndTheSameShortLoseNothing() throws Exception {
    // One child increments item 0, another item 1, while the parent and a third child increment
    // item 2: in 'b' the four items share one int, in 'h' items 0 and 1 do.
    for (char code : new char[] {'b', 'h'}) {
      RawArray a = RawArray.create(code, 4);
      List<Process> ps = new ArrayList<>();
      int[][] jobs = {{0, 20_000}, {1, 30_000}, {2, 25_000}};
      for (int[] job : jobs) {
        Process p = Process.builder().target(RawArrayTest::incrementItem).args(a, job[0], job[1]).build();
        p.start();
        ps.add(p);
      }
      for (int i = 0; i < 25_000; i++) {
        a.incrementAndGet(2);
      }
      for (Process p : ps) {
        assertThat(p.join(Waits.LONG)).isTrue();
        assertThat(p.exitCode()).isZero();
      }
      long[] expected = code == 'b'
          ? new long[] {(byte) 20_000, (byte) 30_000, (byte) 50_000, 0}
          : new long[] {(short) 20_000, (short) 30_000, (short) 50_000, 0};
      assertThat(a.getLongs(0, 4)).as("'%s'", code).containsExactly(expected);
    }
  }
}
