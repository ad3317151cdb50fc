package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.runtime.Limits;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.util.Objects;

/**
 * Encodes the objects that pipes and queues send between JVMs: one message, one value. Common
 * values get a compact tagged form, much cheaper to write and read than an
 * {@link java.io.ObjectOutputStream} per message, which repeats every class descriptor each time;
 * anything else goes through Java serialization whole.
 *
 * <p>The format, its tags and what follows each, is {@code Tags}: in short, a value with anything
 * but a null, a boxed primitive, a string, a primitive array, an {@code Object[]}, the JDK's
 * common collections (exactly those classes), the library's by-name objects (pipe ends, queues,
 * locks..., as their {@code ObjectRef}) or serializable lambdas and method references in it, with
 * more than {@value #MAX_DEPTH} levels of
 * nested containers, or in which a container or array occurs twice (a cycle, or a shared reference
 * whose identity Java serialization would keep) is written whole with Java serialization instead.
 * {@code Encoder} writes the compact forms, {@code Decoder} reads them, {@code NotSendable}
 * explains a value that cannot be sent at all.
 *
 * <h2>Filtering</h2>
 *
 * <p>Decoding passes every class, compact or not, through an {@link ObjectInputFilter}. For a
 * compact value the filter sees the value's class with {@code arrayLength} -1 (the array's length
 * for an array), the nesting depth (1 for the message's value), the number of non-null values
 * decoded so far, this one included, as {@code references}, and the bytes consumed so far. A collection's
 * element count is announced as the JDK's own collections announce it when deserialized: as an
 * array, {@code Object[]} for lists, {@code Set.of}, {@code Map.of} and {@code Object[]},
 * {@code Map.Entry[]} for the hash-based ones, with the count as {@code arrayLength}, so a
 * {@code maxarray} limit bounds them too. Unlike {@link java.io.ObjectInputStream}, which does not
 * filter strings, a compact {@code String} is filtered as well. The numbers of a packed list are
 * announced once, as one {@code Integer} (or {@code Long}) whose {@code references} already count
 * them all, and whose {@code streamBytes} already include them.
 *
 * <p>A by-name object is announced as {@link java.io.ObjectInputStream} announces it: as
 * {@code ObjectRef}, then its numbers as a {@code long[]} and its parts as an {@code Object[]}, each
 * with its length (at the reference's depth, its parts one level deeper). A lambda is announced as
 * {@code java.lang.invoke.SerializedLambda}; then its capturing class, loaded without being
 * initialised (one level deeper, as a field); then its captured arguments as an {@code Object[]}
 * with their count (the arguments one level deeper). The capturing class runs no code, its static
 * initialiser included, before the filter has allowed all of these; then its
 * {@code $deserializeLambda$} makes the lambda, exactly as {@code SerializedLambda.readResolve}
 * would under Java serialization, so the compact form admits no lambda that Java serialization
 * would not. Strings in these forms (names, signatures) are filtered as any compact string.
 */
public final class ObjectCodec {

  /** The deepest nesting of containers in a compact value: a deeper one is Java-serialized. */
  public static final int MAX_DEPTH = 64;

  private ObjectCodec() {}

  /**
   * Appends the encoding of a value to a sink. If it cannot be encoded, the sink is left as it was.
   *
   * @param value the value, {@code null} included
   * @param out the sink
   * @throws IllegalArgumentException if the value, or something in it, is not serializable: the
   *     message names the class and, for a value inside a compact collection, where it sits, e.g.
   *     {@code value of key "x" in a java.util.HashMap}; or if its encoding is longer than
   *     {@link Limits#maxMessageBytes()} (the message names the limit and its property)
   * @throws java.util.ConcurrentModificationException if a collection in it changes meanwhile
   */
  public static void encode(Object value, ByteSink out) {
    int start = out.size();
    boolean done = false;
    try {
      if (!Encoder.writeScalar(value, out) && !new Encoder(out).writeContainer(value, 1)) {
        out.truncate(start);
        out.writeByte(Tags.SERIALIZED);
        int at = out.size();
        try {
          JavaSerialization.writeDeep(value, out.asOutputStream(), () -> out.truncate(at),
              Limits.maxDepth(), "-D" + Limits.MAX_DEPTH_PROPERTY);
        } catch (IOException | RuntimeException e) {
          throw NotSendable.error(value, e);
        }
      }
      // Checked here, in the sender's thread, so that no receiver ever refuses what was sent.
      if (out.size() - start > Limits.maxMessageBytes()) {
        throw Limits.tooLong(out.size() - start);
      }
      done = true;
    } finally {
      if (!done) {
        out.truncate(start);
      }
    }
  }

  /**
   * Encodes a value into a new array.
   *
   * @param value the value, {@code null} included
   * @return its encoding
   * @throws IllegalArgumentException as {@link #encode(Object, ByteSink)} does
   */
  public static byte[] encode(Object value) {
    ByteSink out = new ByteSink(64);
    encode(value, out);
    return out.toByteArray();
  }

  /**
   * The compact encoding of a value that is not a scalar, with no fallback: for the bootstrap
   * frame's {@link ValueCodec}, which has its own.
   *
   * @return the message, or null if the value has no compact form
   * @throws java.util.ConcurrentModificationException if a collection in it changes meanwhile
   */
  static byte[] compact(Object value) {
    ByteSink out = new ByteSink(64);
    return new Encoder(out).writeContainer(value, 1) ? out.toByteArray() : null;
  }

  /**
   * Decodes a message written by {@link #compact}: as {@link #decode}, but the message is not
   * bounded by {@link Limits#maxMessageBytes()} (a bootstrap frame has its own bound) and a
   * Java-serialized one is corrupt.
   */
  static Object decodeCompact(byte[] message, ObjectInputFilter filter) throws IOException {
    return new Decoder(message, 0, message.length, filter).readMessage();
  }

  /** Tells whether a message holds a Java-serialized value rather than a compact one. */
  static boolean javaSerialized(byte[] buf, int off, int len) {
    return len > 0 && (buf[off] & 0xFF) == Tags.SERIALIZED;
  }

  /**
   * Decodes the one value that {@code buf[off, off + len)} holds.
   *
   * @param buf the message's bytes
   * @param off where the message starts
   * @param len the message's length
   * @param filter asked about every class, compact or Java-serialized, before it is instantiated
   *     (see the class comment); a class it rejects (or for which it returns {@code null} or
   *     throws) fails the message
   * @return the value
   * @throws InvalidClassException naming the class if {@code filter} rejects it, or if a
   *     Java-serialized class is not found
   * @throws StreamCorruptedException if the message is truncated, corrupt, or has bytes after the
   *     value; a length is checked against the bytes left before anything is allocated for it
   * @throws IOException if a Java-serialized value cannot be read
   * @throws IndexOutOfBoundsException if the range is outside {@code buf}
   */
  public static Object decode(byte[] buf, int off, int len, ObjectInputFilter filter)
      throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    Objects.requireNonNull(filter, "filter");
    if (len == 0) {
      throw new StreamCorruptedException("empty message: no value tag");
    }
    if (len > Limits.maxMessageBytes()) {
      throw new StreamCorruptedException("a message of " + len + " bytes, more than the limit of "
          + Limits.maxMessageBytes() + " (-D" + Limits.MAX_MESSAGE_BYTES_PROPERTY + ")");
    }
    if ((buf[off] & 0xFF) == Tags.SERIALIZED) {
      return JavaSerialization.read(buf, off + 1, len - 1, filter);
    }
    return new Decoder(buf, off, len, filter).readMessage();
  }
}
