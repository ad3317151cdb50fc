package io.github.multiprocessing4j.internal.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes argument values for the bootstrap frame. Strings, boxed primitives and byte arrays get
 * the compact forms of {@link ObjectCodec}'s format (the same tags, see {@code Tags}, and the same
 * bytes after them): a child whose arguments are all of these never loads Java serialization, nor
 * the message codec, which saves milliseconds of every cold start. Another value that has a compact
 * form (a pipe end, a queue, a lock, a list of numbers, a lambda: see {@code Tags}) is written as
 * {@code Tags.COMPACT}, a length and an {@link ObjectCodec} message, read back through
 * {@link SerialFilters#bootstrap()}: a child given such arguments loads the message codec but never
 * an {@link java.io.ObjectInputStream}, whose filter configuration alone costs tens of milliseconds
 * (it looks for a logger on the whole class path). Anything else goes through
 * {@link JavaSerialization}, after {@code Tags.SERIALIZED} and a length.
 *
 * <p>Reading uses only the tags' compile-time constants and {@code Varints}, on purpose: it runs in
 * the child before much is loaded.
 */
public final class ValueCodec {

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
    if (value instanceof byte[]) {
      out.writeByte(Tags.BYTES);
      writeBytes(out, (byte[]) value);
      return;
    }
    ByteSink scalar = new ByteSink(16);
    if (Encoder.writeScalar(value, scalar)) {
      out.write(scalar.array(), 0, scalar.size());
      return;
    }
    byte[] compact;
    try {
      compact = ObjectCodec.compact(value);
    } catch (RuntimeException e) {
      // A collection changing while it is encoded: named as Java serialization's failures are.
      throw new IllegalArgumentException(what + " (a " + value.getClass().getName()
          + ") cannot be sent to the child process: " + e, e);
    }
    if (compact != null) {
      out.writeByte(Tags.COMPACT);
      writeBytes(out, compact);
    } else {
      out.writeByte(Tags.SERIALIZED);
      writeBytes(out, JavaSerialization.serialize(value, what));
    }
  }

  /**
   * Encodes one value on its own, as {@link #write} writes it: for a bootstrap field that holds
   * one object (a process's target). Thread-safe.
   *
   * @param value the value
   * @param what names the value in an error message, e.g. {@code "target"}
   * @return the encoding
   * @throws IllegalArgumentException naming {@code what} if the value (or something it
   *     references) is not serializable
   */
  public static byte[] encode(Object value, String what) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try {
      write(new DataOutputStream(bytes), value, what);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: in-memory stream", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes one value encoded by {@link #encode}, which must take all of {@code bytes}.
   * Thread-safe.
   *
   * @param bytes the encoding
   * @param what names the value in an error message
   * @return the value
   * @throws IOException naming {@code what} as {@link #read} does, or if bytes follow the value
   */
  public static Object decode(byte[] bytes, String what) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    Object value = read(new DataInputStream(in), what);
    if (in.available() > 0) {
      throw new StreamCorruptedException(in.available() + " bytes after " + what);
    }
    return value;
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
    if (tag >= Tags.SMALL_INT_TAG) {
      return tag - Tags.SMALL_INT_TAG + Tags.SMALL_INT_MIN;
    }
    switch (tag) {
      case Tags.NULL:
        return null;
      case Tags.FALSE:
        return Boolean.FALSE;
      case Tags.TRUE:
        return Boolean.TRUE;
      case Tags.BYTE:
        return in.readByte();
      case Tags.SHORT:
        return in.readShort();
      case Tags.CHAR:
        return in.readChar();
      case Tags.INT:
        return Varints.unzigzag(Varints.readVarInt(in));
      case Tags.LONG:
        return Varints.unzigzag(Varints.readVarLong(in));
      case Tags.FLOAT:
        return Float.intBitsToFloat(in.readInt());
      case Tags.DOUBLE:
        return Double.longBitsToDouble(in.readLong());
      case Tags.STRING_LATIN1:
        return new String(readBytes(in), StandardCharsets.ISO_8859_1);
      case Tags.STRING_UTF8:
        return readString(in);
      case Tags.STRING_UTF16:
        return readUtf16(in);
      case Tags.BYTES:
        return readBytes(in);
      case Tags.COMPACT:
        return readCompact(readBytes(in), what);
      case Tags.SERIALIZED:
        return JavaSerialization.deserialize(readBytes(in), what);
      default:
        throw new StreamCorruptedException("unknown value tag " + tag + " for " + what);
    }
  }

  private static Object readCompact(byte[] message, String what) throws IOException {
    try {
      return ObjectCodec.decodeCompact(message, SerialFilters.bootstrap());
    } catch (IOException e) {
      // As JavaSerialization.deserialize says it: the value named, the codec's reason kept.
      throw new IOException("cannot deserialize " + what + ": " + e, e);
    }
  }

  private static String readUtf16(DataInputStream in) throws IOException {
    int n = Varints.readLength(in);
    if (n > Integer.MAX_VALUE / 2) {
      throw new StreamCorruptedException("a string of " + n + " chars");
    }
    byte[] b = readFully(in, 2 * n);
    char[] chars = new char[n];
    for (int i = 0; i < n; i++) {
      chars[i] = (char) (((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF));
    }
    return new String(chars);
  }

  /** Writes a length-prefixed UTF-8 string (no 64 KiB limit, unlike {@code writeUTF}). */
  public static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a string written by {@link #writeString}. */
  public static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  /** Writes a byte array after its length, a varint. */
  public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    Varints.writeVarInt(out, b.length);
    out.write(b);
  }

  /** Reads a byte array written by {@link #writeBytes}. */
  public static byte[] readBytes(DataInputStream in) throws IOException {
    return readFully(in, Varints.readLength(in));
  }

  private static byte[] readFully(DataInputStream in, int n) throws IOException {
    // Grown as the bytes arrive: a corrupt length must not allocate gigabytes up front.
    byte[] b = new byte[Math.min(n, CHUNK)];
    int got = 0;
    while (true) {
      in.readFully(b, got, b.length - got);
      got = b.length;
      if (got == n) {
        return b;
      }
      b = Arrays.copyOf(b, (int) Math.min(n, 2L * got));
    }
  }
}
