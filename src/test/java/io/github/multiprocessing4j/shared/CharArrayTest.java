package io.github.multiprocessing4j.shared;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.testing.Waits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code 'c'} arrays as CPython's {@code c_char_Array}/{@code SynchronizedString} ({@code value},
 * {@code raw}) and {@code 'u'} arrays as {@code c_wchar_Array} ({@code value} as a string), §B.4.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class CharArrayTest {

  private static byte[] b(String s) {
    return s.getBytes(ISO_8859_1);
  }

  @Test
  void valueStopsAtTheFirstNulAndRawShowsEveryByteAsCPython() {
    // a = RawArray('c', b'hello world'); a.value = b'hi'; a.value, a.raw
    RawArray a = RawArray.of('c', b("hello world"));
    assertThat(a.value()).as("no NUL: every byte").isEqualTo(b("hello world"));
    a.setValue(b("hi"));
    assertThat(a.value()).isEqualTo(b("hi"));
    assertThat(a.raw()).as("one NUL after the value, the rest untouched").isEqualTo(b("hi\0lo world"));
    // a.raw = b'HEL': stored as is, no NUL added (the NUL at 2 is overwritten)
    a.setRaw(b("HEL"));
    assertThat(a.raw()).isEqualTo(b("HELlo world"));
    assertThat(a.value()).isEqualTo(b("HELlo world"));
    // exactly the length: no room for a NUL, none written
    a.setValue(b("abcdefghijk"));
    assertThat(a.raw()).isEqualTo(b("abcdefghijk"));
    assertThat(a.value()).isEqualTo(b("abcdefghijk"));
    // NULs inside a value are stored; value ends at the first
    a.setValue(b("x\0y"));
    assertThat(a.raw()).isEqualTo(b("x\0y\0efghijk"));
    assertThat(a.value()).isEqualTo(b("x"));
    a.setRaw(new byte[0]);
    assertThat(a.raw()).isEqualTo(b("x\0y\0efghijk"));
    // bytes above 127 and the empty array
    a.setValue(new byte[] {(byte) 0xff, (byte) 0x80});
    assertThat(a.value()).containsExactly((byte) 0xff, (byte) 0x80);
    assertThat(a.get(0)).isEqualTo((byte) -1);
    RawArray empty = RawArray.create('c', 0);
    empty.setValue(new byte[0]);
    assertThat(empty.value()).isEmpty();
    assertThat(empty.raw()).isEmpty();
    assertThat(RawArray.create('c', 4).value()).as("zero-filled: empty value").isEmpty();
    assertThat(RawArray.create('c', 4).raw()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void aTooLongByteStringIsCPythonsValueErrorAndStoresNothing() {
    RawArray a = RawArray.of('c', b("abc"));
    assertThatThrownBy(() -> a.setValue(b("abcd"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("byte string too long: 4 bytes for RawArray('c', 3)");
    assertThatThrownBy(() -> a.setRaw(b("wxyz"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("byte string too long: 4 bytes for RawArray('c', 3)");
    assertThat(a.raw()).isEqualTo(b("abc"));
    assertThatThrownBy(() -> a.setValue((byte[]) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aWcharArrayHasItsValueAsAString() {
    RawArray u = RawArray.of('u', "héllo😀");
    assertThat(u.length()).isEqualTo(6);
    assertThat(u.stringValue()).isEqualTo("héllo😀");
    u.setValue("ab");
    assertThat(u.stringValue()).isEqualTo("ab");
    assertThat(u.toList()).as("one NUL after it, the rest untouched").containsExactly("a", "b", "\0", "l", "o", "😀");
    u.setValue("😀😀😀😀😀😀");
    assertThat(u.stringValue()).as("six code points fill six items, no NUL").isEqualTo("😀😀😀😀😀😀");
    assertThatThrownBy(() -> u.setValue("1234567")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("string too long: 7 characters for RawArray('u', 6)");
    assertThatThrownBy(() -> u.setValue("a\uD800")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a Unicode code point at index 1 of RawArray('u', 6)");
    assertThat(u.stringValue()).as("nothing stored by a refused string").isEqualTo("😀😀😀😀😀😀");
    assertThat(RawArray.create('u', 3).stringValue()).isEmpty();
  }

  @Test
  void otherTypesRefuseTheStringPropertiesClearly() {
    RawArray i = RawArray.create('i', 3);
    assertThatThrownBy(i::value).isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("value() is for 'c' arrays (CPython's c_char_Array), not 'i': 'c_int_Array_3' object has no"
            + " attribute 'value'");
    assertThatThrownBy(i::raw).isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("raw() is for 'c' arrays (CPython's c_char_Array), not 'i': 'c_int_Array_3' object has no"
            + " attribute 'raw'");
    assertThatThrownBy(() -> i.setRaw(b("a"))).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageEndingWith("'c_int_Array_3' object has no attribute 'raw'");
    assertThatThrownBy(() -> i.setValue(b("a"))).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageEndingWith("'c_int_Array_3' object has no attribute 'value'");
    assertThatThrownBy(() -> i.setValue("a")).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageEndingWith("'c_int_Array_3' object has no attribute 'value'");
    assertThatThrownBy(i::stringValue).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageStartingWith("stringValue() is for 'u' arrays");

    RawArray u = RawArray.create('u', 2);
    assertThatThrownBy(u::value).isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("value() is for 'c' arrays (CPython's c_char_Array), not 'u': use stringValue() and"
            + " setValue(String), which take a String");
    assertThatThrownBy(u::raw).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageEndingWith("'c_wchar_Array_2' object has no attribute 'raw'");
    assertThatThrownBy(() -> u.setValue(b("a"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unicode string expected instead of byte[] instance for RawArray('u', 2): use setValue(String)");

    RawArray c = RawArray.create('c', 2);
    assertThatThrownBy(() -> c.setValue("a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytes expected instead of String instance for RawArray('c', 2): use setValue(byte[])");
    assertThatThrownBy(c::stringValue).isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("stringValue() is for 'u' arrays (CPython's c_wchar_Array), not 'c': use value(), which"
            + " returns the bytes");
  }

  @Test
  void theLockedArrayIsCPythonsSynchronizedString() {
    Array a = Array.of('c', java.util.List.of((byte) 'a', (byte) 'b', (byte) 'c'));
    assertThat(a.toString()).isEqualTo("<SynchronizedString wrapper for c_char_Array_3([b'a', b'b', b'c'])>");
    a.setValue(b("z"));
    assertThat(a.value()).isEqualTo(b("z"));
    assertThat(a.raw()).isEqualTo(b("z\0c"));
    a.setRaw(b("xy"));
    assertThat(a.raw()).isEqualTo(b("xyc"));
    assertThatThrownBy(() -> a.setValue(b("wxyz"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("byte string too long: 4 bytes for RawArray('c', 3)");
    assertThat(a.getLock().tryLock()).as("the lock is free again after a refused value").isTrue();
    a.getLock().unlock();
    Array u = Array.create('u', 4);
    assertThat(u.toString()).startsWith("<SynchronizedArray wrapper for c_wchar_Array_4(");
    u.setValue("hé");
    assertThat(u.stringValue()).isEqualTo("hé");
    assertThatThrownBy(() -> Array.create('d', 1).value()).isInstanceOf(UnsupportedOperationException.class);
  }

  /** How long a thread that must wait for a held lock is watched (the lock is free after it). */
  private static final long HELD_MILLIS = 500;

  @Test
  @SuppressWarnings("try") // the held lock is only closed
  void theLockedArraysValueAndRawWaitForItsLock() throws Exception {
    Array a = Array.create('c', 4);
    CompletableFuture<Void> setter = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      a.setValue(b("new"));
      setter.complete(null);
    });
    try (Held held = a.hold()) {
      t.start();
      assertThatThrownBy(() -> setter.get(HELD_MILLIS, TimeUnit.MILLISECONDS))
          .as("setValue waits for the lock another thread holds").isInstanceOf(TimeoutException.class);
      assertThat(a.getObj().raw()).as("nothing written while the lock is held").containsExactly(0, 0, 0, 0);
    }
    setter.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS);
    assertThat(a.value()).isEqualTo(b("new"));

    CompletableFuture<byte[]> reader = new CompletableFuture<>();
    Thread r = new Thread(() -> reader.complete(a.raw()));
    try (Held held = a.hold()) {
      r.start();
      assertThatThrownBy(() -> reader.get(HELD_MILLIS, TimeUnit.MILLISECONDS))
          .as("raw() waits for the lock too").isInstanceOf(TimeoutException.class);
      a.getObj().setRaw(b("held"));
    }
    assertThat(reader.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(b("held"));
  }

  // ---- between processes

  /** Argument 0: a 'c' Array; 1: the value the parent stored. Checks it, then writes its own. */
  static void answerBytes(Args args) {
    Array a = args.get(0, Array.class);
    byte[] expected = args.get(1, byte[].class);
    if (!java.util.Arrays.equals(a.value(), expected)) {
      throw new AssertionError("child sees " + new String(a.value(), ISO_8859_1));
    }
    a.setValue(b("from child"));
    a.getObj().set(-1, (byte) '!');
  }

  @Test
  void aChildSeesTheParentsByteStringAndTheParentSeesTheChilds() throws Exception {
    Array a = Array.create('c', 16);
    a.setValue(b("from parent"));
    Process p = Process.builder().target(CharArrayTest::answerBytes).args(a, b("from parent")).build();
    p.start();
    assertThat(p.join(Waits.LONG)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(a.value()).isEqualTo(b("from child"));
    assertThat(a.raw()).isEqualTo(b("from child\0\0\0\0\0!"));
  }

  /** Argument 0: a 'u' RawArray. Appends its own text to what the parent stored. */
  static void answerString(Args args) {
    RawArray u = args.get(0, RawArray.class);
    u.setValue(u.stringValue() + " → 子");
  }

  @Test
  void aChildSeesTheParentsStringAndTheParentSeesTheChilds() throws Exception {
    RawArray u = RawArray.create('u', 12);
    u.setValue("😀 héllo");
    Process p = Process.builder().target(CharArrayTest::answerString).args(u).build();
    p.start();
    assertThat(p.join(Waits.LONG)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(u.stringValue()).isEqualTo("😀 héllo → 子");
  }
}
