package io.github.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps a file through the foreign-memory API where the JDK has it (22 and later):
 * {@code channel.map(mode, 0, size, Arena.ofAuto()).asByteBuffer()}, which gives the same direct
 * buffer over the same shared mapping as {@link FileChannel#map(FileChannel.MapMode, long, long)},
 * freed in the same way (when the garbage collector finds it unreachable).
 *
 * <p>Why: on JDK 18 and later {@code FileChannel.map} makes its buffer through a reflective
 * constructor call, and a new JVM's first such call spins method-handle classes (on JDK 25 with
 * the class-file API): 25–35 ms of the first mapping of every child, against 15–20 ms this way,
 * method handles included. The library compiles for Java 17, so the API is reached through method
 * handles, built once.
 *
 * <p>Thread-safe.
 */
final class SegmentMapping {

  /** Whether this JDK has the API: asked first, so that JDK 17 to 21 never build the handle. */
  static final boolean AVAILABLE = Runtime.version().feature() >= 22 && Holder.MAP != null;

  private SegmentMapping() {}

  /**
   * Maps {@code size} bytes of the file read-write from its start. Only when {@link #AVAILABLE}.
   *
   * @param channel the file, open for reading and writing
   * @param size bytes to map
   * @return a direct buffer over the mapping
   * @throws IOException if it cannot be mapped
   */
  static ByteBuffer map(FileChannel channel, long size) throws IOException {
    try {
      return (ByteBuffer) Holder.MAP.invokeExact(channel, FileChannel.MapMode.READ_WRITE, 0L, size);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("cannot map " + size + " bytes of " + channel, e);
    }
  }

  /** Loaded only on JDK 22 and later. */
  private static final class Holder {
    /** {@code (FileChannel, MapMode, long offset, long size) -> ByteBuffer}, or null if missing. */
    static final MethodHandle MAP = build();

    private static MethodHandle build() {
      try {
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle ofAuto = lookup.findStatic(arena, "ofAuto", MethodType.methodType(arena));
        MethodHandle map = lookup.findVirtual(FileChannel.class, "map",
            MethodType.methodType(segment, FileChannel.MapMode.class, long.class, long.class, arena));
        MethodHandle asByteBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
        return MethodHandles.filterReturnValue(MethodHandles.collectArguments(map, 4, ofAuto), asByteBuffer);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null; // FileChannel.map as before
      }
    }
  }
}
