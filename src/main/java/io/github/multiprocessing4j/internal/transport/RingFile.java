package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.internal.shm.MappedRegion;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The file a pair of rings lives in, one ring per direction ({@link Ring#pairBytes}): created
 * sparse, so memory is used only as far as messages have reached; mapped by both ends; and, for a
 * link over a socket, handed from the accepting end to the connecting one and deleted once both
 * mapped it (their mappings stay). Apart from the rings because files, names and their lifetime are
 * no part of moving bytes.
 */
public final class RingFile {

  private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final AtomicLong RING_IDS = new AtomicLong();

  private RingFile() {}

  /**
   * Creates a ring file: two rings of {@code capacity} bytes, sparse, so pages exist only once touched.
   *
   * @param file where; must not exist
   * @param capacity bytes per ring, a power of two of at least 4096
   * @return its mapping
   * @throws IllegalArgumentException if the capacity is not allowed
   * @throws IOException if it cannot be created or mapped
   */
  public static MappedRegion create(Path file, int capacity) throws IOException {
    if (Integer.bitCount(capacity) != 1 || capacity < Ring.MIN_CAPACITY) {
      throw new IllegalArgumentException("ring capacity must be a power of two of at least 4096, not " + capacity);
    }
    long size = Ring.pairBytes(capacity);
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      fc.truncate(size);
      return MappedRegion.map(fc, size);
    }
  }

  /**
   * Maps a ring file made by {@link #create}.
   *
   * @param file its path
   * @return its mapping
   * @throws IOException if it cannot be mapped or is not a ring file
   */
  public static MappedRegion map(Path file) throws IOException {
    try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = fc.size();
      long capacity = Ring.pairCapacity(size);
      if (capacity < Ring.MIN_CAPACITY || capacity > Ring.MAX_CAPACITY || Long.bitCount(capacity) != 1) {
        throw new IOException("not a ring file: " + file + " (" + size + " bytes)");
      }
      return MappedRegion.map(fc, size);
    }
  }

  /**
   * The accepting end of a link: creates a ring file, tells the peer its path, and deletes it once
   * the peer has mapped it.
   */
  static MappedRegion handOver(SocketTransport setup, int capacity) throws IOException, InterruptedException {
    Path file = RuntimeDir.shm().resolve("ring-" + RING_IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()));
    MappedRegion map = create(file, capacity);
    try {
      byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
      setup.send(path, 0, path.length);
      setup.receive(16, HANDSHAKE_NANOS); // the peer has mapped it
    } finally {
      RuntimeDir.deleteQuietly(file);
    }
    return map;
  }

  /** The connecting end of a link: maps the ring file whose path the peer sends, and says so. */
  static MappedRegion takeOver(SocketTransport setup) throws IOException, InterruptedException {
    Path file = Paths.get(new String(setup.receive(4096, HANDSHAKE_NANOS), StandardCharsets.UTF_8));
    MappedRegion map = map(file);
    setup.send(new byte[] {1}, 0, 1);
    return map;
  }
}
