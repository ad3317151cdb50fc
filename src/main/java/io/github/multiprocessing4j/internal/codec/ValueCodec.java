package io.github.multiprocessing4j.internal.codec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes argument values for the bootstrap frame. Strings, boxed primitives and byte arrays get a
 * compact tagged form: a child whose arguments are all of these never loads Java serialization,
 * which saves milliseconds of every cold start. Anything else goes through
 * {@link JavaSerialization}.
 */
public final class ValueCodec {

  private static final int NULL = 0;
  private static final int STRING = 1;
  private static final int INT = 2;
  private static final int LONG = 3;
  private static final int DOUBLE = 4;
  private static final int BOOLEAN = 5;
  private static final int BYTES = 6;
  private static final int FLOAT = 7;
  private static final int SHORT = 8;
  private static final int BYTE = 9;
  private static final int CHAR = 10;
  private static final int SERIALIZED = 100;
  /** The most bytes allocated for a length before they have arrived. */
  private static final int CHUNK = 1 << 20;

  private ValueCodec() {}

  /**
   * Writes one value.
   *
   * @param out the destination
   * @param value the value
   * @param what names the value in an error message, e.g. {@code "argument #1"}
   * @throws IllegalArgumentException if the value (or something it references) is not serializable
   * @throws IOException never for an in-memory destination
   */
  public static void write(DataOutputStream out, Object value, String what) throws IOException {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value instanceof String && wellFormed((String) value)) {
      out.writeByte(STRING);
      writeString(out, (String) value);
    } else if (value instanceof Integer) {
      out.writeByte(INT);
      out.writeInt((Integer) value);
    } else if (value instanceof Long) {
      out.writeByte(LONG);
      out.writeLong((Long) value);
    } else if (value instanceof Double) {
      out.writeByte(DOUBLE);
      out.writeDouble((Double) value);
    } else if (value instanceof Boolean) {
      out.writeByte(BOOLEAN);
      out.writeBoolean((Boolean) value);
    } else if (value instanceof byte[]) {
      out.writeByte(BYTES);
      writeBytes(out, (byte[]) value);
    } else if (value instanceof Float) {
      out.writeByte(FLOAT);
      out.writeFloat((Float) value);
    } else if (value instanceof Short) {
      out.writeByte(SHORT);
      out.writeShort((Short) value);
    } else if (value instanceof Byte) {
      out.writeByte(BYTE);
      out.writeByte((Byte) value);
    } else if (value instanceof Character) {
      out.writeByte(CHAR);
      out.writeChar((Character) value);
    } else {
      out.writeByte(SERIALIZED);
      writeBytes(out, JavaSerialization.serialize(value, what));
    }
  }

  /**
   * Tells whether UTF-8 can carry a string: an unpaired surrogate would arrive as {@code '?'}, so
   * such a string takes another form ({@link ObjectCodec} uses this check too).
   */
  static boolean wellFormed(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads one value written by {@link #write}.
   *
   * @param in the source
   * @param what names the value in an error message
   * @return the value
   * @throws IOException if the frame is corrupt, or the value cannot be deserialized here (its
   *     class is missing from this JVM's class path, or the filter rejects it)
   */
  public static Object read(DataInputStream in, String what) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case NULL:
        return null;
      case STRING:
        return readString(in);
      case INT:
        return in.readInt();
      case LONG:
        return in.readLong();
      case DOUBLE:
        return in.readDouble();
      case BOOLEAN:
        return in.readBoolean();
      case BYTES:
        return readBytes(in);
      case FLOAT:
        return in.readFloat();
      case SHORT:
        return in.readShort();
      case BYTE:
        return in.readByte();
      case CHAR:
        return in.readChar();
      case SERIALIZED:
        return JavaSerialization.deserialize(readBytes(in), what);
      default:
        throw new StreamCorruptedException("unknown value tag " + tag + " for " + what);
    }
  }

  /** Writes a length-prefixed UTF-8 string (no 64 KiB limit, unlike {@code writeUTF}). */
  public static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a string written by {@link #writeString}. */
  public static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  /** Writes a length-prefixed byte array. */
  public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /** Reads a byte array written by {@link #writeBytes}. */
  public static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new StreamCorruptedException("negative length " + n);
    }
    // Grown as the bytes arrive: a corrupt length must not allocate gigabytes up front.
    byte[] b = new byte[Math.min(n, CHUNK)];
    int got = 0;
    while (true) {
      in.readFully(b, got, b.length - got);
      got = b.length;
      if (got == n) {
        return b;
      }
      b = java.util.Arrays.copyOf(b, (int) Math.min(n, 2L * got));
    }
  }
}
