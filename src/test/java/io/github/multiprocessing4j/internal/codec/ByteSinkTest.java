package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** {@link ByteSink}: big-endian and varint writes, growth, and reuse without reallocation. */
final class ByteSinkTest {

  @Test
  void writesBigEndianAndVarints() {
    ByteSink sink = new ByteSink(0);
    sink.writeByte(0x1ff);
    sink.writeShort(0x1234);
    sink.writeInt(0x89abcdef);
    sink.writeLong(0x0102030405060708L);
    sink.writeVarInt(300);
    sink.writeVarInt(-1);
    sink.writeVarLong(-1L);
    assertThat(sink.toByteArray()).containsExactly(
        0xff, 0x12, 0x34, 0x89, 0xab, 0xcd, 0xef, 1, 2, 3, 4, 5, 6, 7, 8,
        0xac, 0x02,
        0xff, 0xff, 0xff, 0xff, 0x0f,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  }

  @Test
  void growsAndIsReusedWithoutReallocating() throws IOException {
    ByteSink sink = new ByteSink(4);
    byte[] big = new byte[10_000];
    big[9_999] = 7;
    sink.write(big);
    try (OutputStream out = sink.asOutputStream()) {
      out.write(new byte[] {1, 2, 3}, 1, 2);
      out.write(9);
    }
    assertThat(sink.size()).isEqualTo(10_003);
    assertThat(sink.array()[9_999]).isEqualTo((byte) 7);
    byte[] array = sink.array();
    sink.reset();
    sink.write(big);
    assertThat(sink.array()).isSameAs(array);
    sink.truncate(3);
    assertThat(sink.size()).isEqualTo(3);
    assertThatThrownBy(() -> sink.truncate(4)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> sink.ensure(-1)).isInstanceOf(IllegalArgumentException.class);
    sink.ensure(100_000);
    assertThat(sink.array().length - sink.size()).isGreaterThanOrEqualTo(100_000);
  }
}
