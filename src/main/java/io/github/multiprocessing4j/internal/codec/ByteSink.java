package io.github.multiprocessing4j.internal.codec;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A growable byte buffer that messages are encoded into: big-endian fixed-width writes, unsigned
 * LEB128 varints, and raw bytes. A sink that is {@link #reset()} and reused keeps its array, so
 * encoding into it allocates nothing once it has grown to the size of the largest message.
 *
 * <p>Not thread-safe: one thread writes at a time, and nothing is synchronized.
 */
public final class ByteSink {

  /** The largest array the VM reliably allocates. */
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

  private byte[] buf;
  private int size;

  /** Creates an empty sink with room for 256 bytes. */
  public ByteSink() {
    this(256);
  }

  /**
   * Creates an empty sink.
   *
   * @param initialCapacity room for this many bytes before the first growth
   * @throws IllegalArgumentException if {@code initialCapacity} is negative
   */
  public ByteSink(int initialCapacity) {
    if (initialCapacity < 0) {
      throw new IllegalArgumentException("negative capacity " + initialCapacity);
    }
    buf = new byte[initialCapacity];
  }

  /**
   * Returns the backing array: bytes {@code [0, size())} are the content. The array is replaced
   * when the sink grows, so call this again after writing.
   *
   * @return the backing array, not a copy
   */
  public byte[] array() {
    return buf;
  }

  /**
   * Returns the number of bytes written.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /** Discards the content, keeping the array for reuse. */
  public void reset() {
    size = 0;
  }

  /**
   * Discards the bytes after the first {@code newSize}: used to roll back a partial write.
   *
   * @param newSize the size to return to, at most {@link #size()}
   * @throws IndexOutOfBoundsException if {@code newSize} is negative or larger than the size
   */
  public void truncate(int newSize) {
    size = Objects.checkIndex(newSize, size + 1);
  }

  /**
   * Sets the size after bytes were written straight into {@link #array()}, within the room made by
   * {@link #ensure}.
   */
  void setSize(int newSize) {
    size = Objects.checkIndex(newSize, buf.length + 1);
  }

  /**
   * Makes room for {@code n} more bytes, so that the next {@code n} bytes of writes do not grow
   * the array.
   *
   * @param n the number of bytes about to be written
   * @throws IllegalArgumentException if {@code n} is negative
   * @throws OutOfMemoryError if the content would exceed the largest possible array
   */
  public void ensure(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative length " + n);
    }
    if (n > buf.length - size) {
      grow(n);
    }
  }

  private void grow(int n) {
    long needed = (long) size + n;
    if (needed > MAX_CAPACITY) {
      throw new OutOfMemoryError("a message of " + needed + " bytes exceeds the largest array");
    }
    long doubled = Math.max(2L * buf.length, 64);
    buf = Arrays.copyOf(buf, (int) Math.min(MAX_CAPACITY, Math.max(needed, doubled)));
  }

  /**
   * Writes the low 8 bits of {@code v}.
   *
   * @param v the byte
   */
  public void writeByte(int v) {
    if (size == buf.length) {
      grow(1);
    }
    buf[size++] = (byte) v;
  }

  /**
   * Writes the low 16 bits of {@code v}, big-endian.
   *
   * @param v the short or char
   */
  public void writeShort(int v) {
    ensure(2);
    byte[] b = buf;
    int p = size;
    b[p] = (byte) (v >>> 8);
    b[p + 1] = (byte) v;
    size = p + 2;
  }

  /**
   * Writes an int, big-endian.
   *
   * @param v the int
   */
  public void writeInt(int v) {
    ensure(4);
    putInt(buf, size, v);
    size += 4;
  }

  /**
   * Writes a long, big-endian.
   *
   * @param v the long
   */
  public void writeLong(long v) {
    ensure(8);
    byte[] b = buf;
    int p = size;
    putInt(b, p, (int) (v >>> 32));
    putInt(b, p + 4, (int) v);
    size = p + 8;
  }

  private static void putInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }

  /**
   * Writes {@code v} as an unsigned LEB128 varint: 7 bits a byte, low bits first, the high bit of
   * each byte but the last set. One byte for 0 to 127, five for a negative {@code v}.
   *
   * @param v the value, taken as unsigned
   */
  public void writeVarInt(int v) {
    ensure(5);
    size = Varints.putVarInt(buf, size, v);
  }

  /**
   * Writes {@code v} as an unsigned LEB128 varint, as {@link #writeVarInt} does: up to ten bytes.
   *
   * @param v the value, taken as unsigned
   */
  public void writeVarLong(long v) {
    ensure(10);
    size = Varints.putVarLong(buf, size, v);
  }

  /**
   * Writes bytes.
   *
   * @param b the source
   * @param off where to start in {@code b}
   * @param len how many bytes
   * @throws IndexOutOfBoundsException if the range is outside {@code b}
   */
  public void write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /**
   * Writes all of {@code b}.
   *
   * @param b the bytes
   */
  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  /**
   * Returns a copy of the content.
   *
   * @return bytes {@code [0, size())}
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /**
   * Returns an {@link OutputStream} that appends to this sink; closing it does nothing.
   *
   * @return a view of this sink
   */
  public OutputStream asOutputStream() {
    return new Stream(this);
  }

  private static final class Stream extends OutputStream {
    private final ByteSink sink;

    Stream(ByteSink sink) {
      this.sink = sink;
    }

    @Override
    public void write(int b) {
      sink.writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      sink.write(b, off, len);
    }
  }
}
