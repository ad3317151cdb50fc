package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ValueCodec}, the bootstrap frame's values: the same tags and bytes as {@link ObjectCodec}
 * for every scalar (one encoding, see {@link Tags}), round trips that keep NaN payloads and
 * unpaired surrogates, and corrupt input refused with an {@link IOException}.
 */
final class ValueCodecTest {

  private static final Object[] SCALARS = {null, true, false, (byte) -3, (short) 300, 'x', '\uffff',
      0, -16, 111, 112, -17, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, -1L, Long.MIN_VALUE,
      Float.intBitsToFloat(0x7fc00123), -0.0f, Double.longBitsToDouble(0x7ff8000000000123L), 1e300,
      "", "latin \u00e9", "wide \u4e16 \ud83d\ude00", "unpaired \ud800 surrogate", "\udc00"};

  @Test
  void writesEveryScalarAsTheMessageCodecDoes() throws IOException {
    for (Object v : SCALARS) {
      assertThat(write(v)).as("%s", v).containsExactly(ObjectCodec.encode(v));
    }
    byte[] bytes = {1, 2, 3};
    assertThat(write(bytes)).containsExactly(ObjectCodec.encode(bytes));
  }

  @Test
  void roundTripsScalarsBitForBit() throws IOException {
    for (Object v : SCALARS) {
      Object back = read(write(v));
      if (v instanceof Float) {
        assertThat(Float.floatToRawIntBits((Float) back)).isEqualTo(Float.floatToRawIntBits((Float) v));
      } else if (v instanceof Double) {
        assertThat(Double.doubleToRawLongBits((Double) back))
            .isEqualTo(Double.doubleToRawLongBits((Double) v));
      } else {
        assertThat(back).as("%s", v).isEqualTo(v);
      }
      assertThat(back == null ? null : back.getClass()).isEqualTo(v == null ? null : v.getClass());
    }
    assertThat((byte[]) read(write(new byte[] {9, 8}))).containsExactly(9, 8);
    List<Object> list = new ArrayList<>(List.of(1, "a"));
    assertThat(read(write(list))).isEqualTo(list);
  }

  @Test
  void refusesCorruptInputWithIoExceptions() {
    // An unknown tag, a varint longer than 32 bits, a length past the end, a truncated long.
    assertThatThrownBy(() -> read(new byte[] {100})).isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("unknown value tag 100");
    assertThatThrownBy(() -> read(new byte[] {Tags.INT, -1, -1, -1, -1, 0x7f}))
        .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("longer than 32 bits");
    assertThatThrownBy(() -> read(new byte[] {Tags.BYTES, -1, -1, -1, -1, 0x07, 1}))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> read(new byte[] {Tags.STRING_UTF16, -1, -1, -1, -1, 0x07}))
        .isInstanceOf(StreamCorruptedException.class);
    assertThatThrownBy(() -> read(new byte[] {Tags.DOUBLE, 1, 2})).isInstanceOf(EOFException.class);
  }

  private static byte[] write(Object v) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ValueCodec.write(new DataOutputStream(bytes), v, "test");
    return bytes.toByteArray();
  }

  private static Object read(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    Object v = ValueCodec.read(in, "test");
    assertThat(in.available()).as("bytes left after the value").isZero();
    return v;
  }
}
