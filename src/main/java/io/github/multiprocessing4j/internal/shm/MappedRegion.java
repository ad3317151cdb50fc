package io.github.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Memory that several processes see, with the atomic int and long accesses that the segments, the
 * locks and the pipe rings build on: a file mapped read-write, or any direct buffer (a test's stand-in
 * for a file). The atomics use {@link VarHandle}s on the buffer: they are atomic across processes
 * (the same physical memory) when the offset is aligned to the size. Apart from {@code Segment} and
 * the rings because both need the same accesses and the same rules about when memory goes away.
 *
 * <p><b>Unmapping.</b> A mapping lives until the garbage collector frees it; there is no explicit
 * unmap, on purpose: unmapping memory another thread still reads or writes crashes the JVM, and the
 * JDK's only way to do it is {@code Unsafe}. The file's channel may be closed once mapped: the
 * mapping keeps the memory.
 *
 * <p>Thread-safe: the accessors keep no state but the memory's.
 */
public final class MappedRegion {

  private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private final ByteBuffer buffer;

  private MappedRegion(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /**
   * Maps a file read-write from its start. The channel stays the caller's: it may be closed at once,
   * or kept open for a lock on the file.
   *
   * @param channel the file, open for reading and writing
   * @param size bytes to map, 1 to {@link Integer#MAX_VALUE}
   * @return the region
   * @throws IOException if it cannot be mapped
   */
  public static MappedRegion map(FileChannel channel, long size) throws IOException {
    if (SegmentMapping.AVAILABLE) {
      return new MappedRegion(SegmentMapping.map(channel, size));
    }
    return new MappedRegion(channel.map(FileChannel.MapMode.READ_WRITE, 0, size));
  }

  /**
   * A region over a direct buffer, e.g. to test what runs over a mapped file without one.
   *
   * @param buffer a direct buffer; the region covers it from index 0 to its capacity
   * @return the region
   * @throws IllegalArgumentException if the buffer is not direct (atomic accesses need fixed memory)
   */
  public static MappedRegion of(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("a region needs a direct buffer, not " + buffer);
    }
    return new MappedRegion(buffer);
  }

  /** The region's size in bytes. */
  public int size() {
    return buffer.capacity();
  }

  /**
   * A view of the whole region: a new buffer (its own position and limit), native byte order.
   *
   * @return the view
   */
  public ByteBuffer buffer() {
    return buffer.duplicate().order(ByteOrder.nativeOrder());
  }

  /** Copies bytes in at {@code index} (no atomicity, no ordering: publish them with a volatile write). */
  public void put(int index, byte[] src, int off, int len) {
    buffer.put(index, src, off, len);
  }

  /** Copies bytes out from {@code index} (order them after a volatile read that saw them published). */
  public void get(int index, byte[] dst, int off, int len) {
    buffer.get(index, dst, off, len);
  }

  /** Reads one byte, plainly. */
  public byte get(int index) {
    return buffer.get(index);
  }

  /** Writes one byte, plainly. */
  public void put(int index, byte b) {
    buffer.put(index, b);
  }

  /** Reads an int with volatile semantics; {@code offset} must be a multiple of 4. */
  public int getIntVolatile(int offset) {
    return (int) INT.getVolatile(buffer, offset);
  }

  /** Writes an int with volatile semantics; {@code offset} must be a multiple of 4. */
  public void setIntVolatile(int offset, int value) {
    INT.setVolatile(buffer, offset, value);
  }

  /** Atomically sets an int if it holds {@code expected}; {@code offset} must be a multiple of 4. */
  public boolean compareAndSetInt(int offset, int expected, int value) {
    return INT.compareAndSet(buffer, offset, expected, value);
  }

  /** Atomically adds to an int and returns the old value; {@code offset} must be a multiple of 4. */
  public int getAndAddInt(int offset, int delta) {
    return (int) INT.getAndAdd(buffer, offset, delta);
  }

  /** Atomically sets an int and returns the old value; {@code offset} must be a multiple of 4. */
  public int getAndSetInt(int offset, int value) {
    return (int) INT.getAndSet(buffer, offset, value);
  }

  /**
   * Reads a long in program order with no fence: for a value only the calling side writes (its
   * own position in a ring); {@code offset} must be a multiple of 8.
   */
  public long getLongOpaque(int offset) {
    return (long) LONG.getOpaque(buffer, offset);
  }

  /** Reads a long with volatile semantics; {@code offset} must be a multiple of 8. */
  public long getLongVolatile(int offset) {
    return (long) LONG.getVolatile(buffer, offset);
  }

  /** Writes a long with volatile semantics; {@code offset} must be a multiple of 8. */
  public void setLongVolatile(int offset, long value) {
    LONG.setVolatile(buffer, offset, value);
  }

  /** Atomically sets a long if it holds {@code expected}; {@code offset} must be a multiple of 8. */
  public boolean compareAndSetLong(int offset, long expected, long value) {
    return LONG.compareAndSet(buffer, offset, expected, value);
  }

  /** Atomically adds to a long and returns the old value; {@code offset} must be a multiple of 8. */
  public long getAndAddLong(int offset, long delta) {
    return (long) LONG.getAndAdd(buffer, offset, delta);
  }

  /** Atomically sets a long and returns the old value; {@code offset} must be a multiple of 8. */
  public long getAndSetLong(int offset, long value) {
    return (long) LONG.getAndSet(buffer, offset, value);
  }

  @Override
  public String toString() {
    return "MappedRegion[" + size() + " bytes]";
  }
}
