package io.github.multiprocessing4j.internal.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedRegion#map}: on JDK 22 and later through the foreign-memory API
 * ({@link SegmentMapping}), before that through {@code FileChannel.map}; either way two mappings
 * of one file are the same memory, and the mapping outlives its channel.
 */
final class MappedRegionTest {

  @Test
  void theForeignMemoryMappingIsUsedWhereTheJdkHasIt() {
    // Fails if the method handles cannot be built on a JDK that has the API: the fallback would
    // hide it and cost every child the reflective mapping's first use again.
    assertThat(SegmentMapping.AVAILABLE).isEqualTo(Runtime.version().feature() >= 22);
  }

  @Test
  void twoMappingsOfAFileAreTheSameMemoryAfterTheirChannelsClose(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("region");
    MappedRegion a;
    MappedRegion b;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(java.nio.ByteBuffer.allocate(8192), 0);
      a = MappedRegion.map(ch, 8192);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      b = MappedRegion.map(ch, 8192);
    }
    assertThat(a.size()).isEqualTo(8192);
    assertThat(a.buffer().isDirect()).isTrue();

    a.setLongVolatile(4096, 0x1122334455667788L);
    assertThat(b.getLongVolatile(4096)).isEqualTo(0x1122334455667788L);
    assertThat(b.compareAndSetInt(8, 0, 7)).isTrue();
    assertThat(a.getIntVolatile(8)).isEqualTo(7);
    b.put(100, new byte[] {1, 2, 3}, 0, 3);
    byte[] got = new byte[3];
    a.get(100, got, 0, 3);
    assertThat(got).containsExactly(1, 2, 3);
    // What the mapping wrote is in the file, as another process's mapping would see it.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      java.nio.ByteBuffer read = java.nio.ByteBuffer.allocate(3);
      ch.read(read, 100);
      assertThat(read.array()).containsExactly(1, 2, 3);
    }
    assertThat(Files.size(file)).isEqualTo(8192);
  }
}
