package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ShareableList (§B.5), after CPython's {@code test_shared_memory_ShareableList_basics}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ShareableListTest {

  @Test
  void cpythonsBasics() {
    ShareableList sl = ShareableList.create(Arrays.asList("howdy", "HoWdY".getBytes(), -273.154, 100, null, true, 42));
    try {
      assertThat(sl.toString()).contains(sl.shm().name()).startsWith("ShareableList([howdy, [72, 111, 87, 100, 89], "
          + "-273.154, 100, null, true, 42], name=");
      assertThat(sl.format()).isEqualTo("8s8sdqxxxxxx?xxxxxxxx?q");
      assertThat(sl).hasSize(7);
      assertThat(sl.index("howdy")).isZero();
      assertThatThrownBy(() -> sl.index("100")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("'100' not in this container");
      assertThat(sl.index(100)).isEqualTo(3);
      assertThat(sl.get(0)).isEqualTo("howdy");
      assertThat(sl.get(-2)).isEqualTo(true);
      assertThat(new ArrayList<>(sl)).usingRecursiveFieldByFieldElementComparator()
          .containsExactly("howdy", "HoWdY".getBytes(), -273.154, 100L, null, true, 42L);

      sl.set(3, 42);
      assertThat(sl.get(3)).isEqualTo(42L);
      sl.set(4, "some"); // the kind changes
      assertThat(sl.get(4)).isEqualTo("some");
      assertThat(sl.format()).isEqualTo("8s8sdq8sxxxxxxx?q");
      assertThatThrownBy(() -> sl.set(4, "far too many")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bytes/str item exceeds available storage: 12 bytes, the slot of index 4 has 8");
      assertThat(sl.get(4)).isEqualTo("some");
      sl.set(0, "encodés"); // exactly 8 bytes of UTF-8
      assertThat(sl.get(0)).isEqualTo("encodés");
      assertThat(sl.get(1)).isEqualTo("HoWdY".getBytes());
      assertThatThrownBy(() -> sl.set(0, "encodées")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bytes/str item exceeds available storage");
      assertThatThrownBy(() -> sl.set(1, "123456789".getBytes())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bytes/str item exceeds available storage");
      assertThat(sl.get(1)).isEqualTo("HoWdY".getBytes());
      assertThat(sl.count(42)).isEqualTo(2);
      assertThat(sl.count("HoWdY".getBytes())).isEqualTo(1);
      assertThat(sl.count("adios".getBytes())).isZero();

      String dupName = "mp4j_test_sl_" + Long.toHexString(System.nanoTime());
      ShareableList copy = ShareableList.create(sl, dupName);
      try {
        assertThat(copy.shm().name()).isEqualTo(dupName);
        // 'encodés' is 7 characters but 8 bytes of UTF-8: its slot is sized by bytes (16 here;
        // CPython sizes by characters, 8, which truncates longer non-ASCII strings).
        assertThat(sl.format()).isEqualTo("8s8sdq8sxxxxxxx?q");
        assertThat(copy.format()).isEqualTo("16s8sdq8sxxxxxxx?q");
        assertThat(copy.toString()).isEqualTo(sl.toString().replace(sl.shm().name(), dupName));
        copy.set(-1, 77);
        assertThat(copy.get(-1)).isEqualTo(77L);
        assertThat(sl.get(-1)).isEqualTo(42L);
      } finally {
        copy.shm().unlink();
        copy.close();
      }

      ShareableList tethered = ShareableList.attach(sl.shm().name());
      tethered.set(-1, 880);
      assertThat(sl.get(-1)).isEqualTo(880L);
      tethered.close();
    } finally {
      sl.shm().unlink();
      sl.close();
    }

    ShareableList empty = ShareableList.create(List.of());
    assertThat(empty).isEmpty();
    assertThat(empty.format()).isEmpty();
    assertThat(empty.count("any")).isZero();
    assertThatThrownBy(() -> empty.index(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("null not in this container");
    empty.shm().unlink();
    empty.close();
  }

  @Test
  void fixedLengthPythonIndexesAndTheKindsOfItems() {
    ShareableList sl = ShareableList.create(List.of(1, 2));
    try {
      assertThatThrownBy(() -> sl.add(3)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> sl.remove(0)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> sl.get(2)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("index out of range: 2 (length 2)");
      assertThatThrownBy(() -> sl.set(-3, 0)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("assignment index out of range: -3 (length 2)");
      assertThatThrownBy(() -> sl.set(0, List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("a ShareableList holds integers, floating-point numbers, booleans, strings, "
              + "byte arrays and nulls, not a ");
      assertThatThrownBy(() -> sl.set(0, BigInteger.ONE.shiftLeft(64))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("'q' format requires -9223372036854775808 <= number <= 9223372036854775807");
      sl.set(0, 2.5f);
      sl.set(1, "abcdefgh"); // a number slot takes up to 8 bytes of string
      assertThat(sl.get(0)).isEqualTo(2.5);
      assertThat(sl.get(1)).isEqualTo("abcdefgh");
      assertThat(sl.set(1, null)).isEqualTo("abcdefgh");
      assertThat(sl.get(1)).isNull();
      assertThatThrownBy(() -> ShareableList.create(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("java.lang.Object: item 0");
    } finally {
      sl.shm().unlink();
      sl.close();
    }
    SharedMemory notAList = SharedMemory.create(8);
    assertThatThrownBy(() -> ShareableList.attach(notAList.name())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shared memory '" + notAList.name() + "' does not hold a ShareableList");
    notAList.unlink();
    notAList.close();
  }

  static void update(Args args) {
    ShareableList sl = args.get(0, ShareableList.class);
    sl.set(0, (Long) sl.get(0) + 41);
    sl.set(2, "from " + Process.currentProcess().name());
  }

  @Test
  void aChildSeesAndChangesTheParentsItems() throws Exception {
    ShareableList sl = ShareableList.create(Arrays.asList(1, 2.5, "twenty-one characters"));
    try {
      Process p = Process.builder().target(ShareableListTest::update).args(sl).build();
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(sl.get(0)).isEqualTo(42L);
      assertThat(sl.get(2)).isEqualTo("from " + p.name());
    } finally {
      sl.shm().unlink();
      sl.close();
    }
  }
}
