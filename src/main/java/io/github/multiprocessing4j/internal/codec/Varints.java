package io.github.multiprocessing4j.internal.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StreamCorruptedException;

/**
 * The varints of the tagged format ({@link Tags}): unsigned LEB128, 7 bits a byte, low bits first,
 * the high bit of each byte but the last set; a signed number is zigzag-mapped first, so that small
 * negative numbers stay short. Apart from the codecs because both the message codec (into a byte
 * array) and the bootstrap frame's {@link ValueCodec} (over a data stream) write them, and the
 * child reads its frame with only this and {@code ValueCodec} loaded.
 */
final class Varints {

  private Varints() {}

  /** Maps an int to an unsigned one: 0, -1, 1, -2 ... become 0, 1, 2, 3 ... */
  static int zigzag(int v) {
    return (v << 1) ^ (v >> 31);
  }

  /** Maps a long to an unsigned one, as {@link #zigzag(int)} does. */
  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  /** The inverse of {@link #zigzag(int)}. */
  static int unzigzag(int z) {
    return (z >>> 1) ^ -(z & 1);
  }

  /** The inverse of {@link #zigzag(long)}. */
  static long unzigzag(long z) {
    return (z >>> 1) ^ -(z & 1);
  }

  /** Puts {@code v}, unsigned, at {@code b[p]}, which has room for five bytes; returns the end. */
  static int putVarInt(byte[] b, int p, int v) {
    while ((v & ~0x7F) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  /** Puts {@code v}, unsigned, at {@code b[p]}, which has room for ten bytes; returns the end. */
  static int putVarLong(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  /** Writes {@code v}, unsigned, to a stream. */
  static void writeVarInt(DataOutput out, int v) throws IOException {
    while ((v & ~0x7F) != 0) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  /** Writes {@code v}, unsigned, to a stream. */
  static void writeVarLong(DataOutput out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  /**
   * Reads an unsigned varint of at most 32 bits from a stream.
   *
   * @throws StreamCorruptedException if it is longer
   * @throws java.io.EOFException if the stream ends within it
   */
  static int readVarInt(DataInput in) throws IOException {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.readByte();
      if (shift == 28 && (b & 0xF0) != 0) {
        throw new StreamCorruptedException("a varint longer than 32 bits");
      }
      v |= (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
  }

  /**
   * Reads an unsigned varint of at most 64 bits from a stream.
   *
   * @throws StreamCorruptedException if it is longer
   * @throws java.io.EOFException if the stream ends within it
   */
  static long readVarLong(DataInput in) throws IOException {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.readByte();
      if (shift == 63 && (b & 0xFE) != 0) {
        throw new StreamCorruptedException("a varint longer than 64 bits");
      }
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
  }

  /**
   * Reads a length: an unsigned varint that must fit a non-negative int.
   *
   * @throws StreamCorruptedException if it does not
   */
  static int readLength(DataInput in) throws IOException {
    int n = readVarInt(in);
    if (n < 0) {
      throw new StreamCorruptedException("a length of " + (n & 0xFFFFFFFFL));
    }
    return n;
  }
}
