package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.Limits;

import java.io.IOException;
import java.io.ObjectInputFilter;

/**
 * How objects become messages on pipes and queues, and back: the one place that chooses the codec
 * ({@link ObjectCodec}) and the deserialization filter of every channel.
 *
 * <p>The filter is, in order, the library's {@link SerialFilters#channel() channel filter} (limits,
 * deny-list, then the JVM-wide filter), the process-wide filter set with
 * {@link #setProcessFilter}, or else the pattern of the system property
 * {@code multiprocessing4j.serialFilter}, and the channel's own; any of them rejecting a class
 * rejects it.
 */
public final class Messages {

  /** The system property holding a filter pattern in {@code jdk.serialFilter}'s syntax. */
  public static final String FILTER_PROPERTY = Tunable.SERIAL_FILTER.key();

  private static volatile ObjectInputFilter processFilter = fromProperty();

  private Messages() {}

  private static ObjectInputFilter fromProperty() {
    String pattern = System.getProperty(FILTER_PROPERTY);
    if (pattern == null || pattern.isBlank()) {
      return null;
    }
    try {
      return ObjectInputFilter.Config.createFilter(pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid -D" + FILTER_PROPERTY + "=" + pattern + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sets the filter every channel of this process applies after the library's.
   *
   * @param filter the filter, or null for none
   */
  public static void setProcessFilter(ObjectInputFilter filter) {
    processFilter = filter;
  }

  /**
   * Returns the filter set with {@link #setProcessFilter}, or made from the system property.
   *
   * @return the filter, or null
   */
  public static ObjectInputFilter processFilter() {
    return processFilter;
  }

  /**
   * Serializes an object for sending.
   *
   * @param value the object; may be null
   * @param what names it in an error message
   * @return the message
   * @throws IllegalArgumentException naming the class if it cannot be serialized, or naming the
   *     limit and its property if it is longer than {@link Limits#maxMessageBytes()}
   */
  public static byte[] encode(Object value, String what) {
    try {
      return ObjectCodec.encode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deserializes a message through the channel filters and then {@code extra}.
   *
   * @param message the bytes
   * @param extra the channel's own filter, or null
   * @return the object
   * @throws IOException if it cannot be deserialized, or a class is refused
   */
  public static Object decode(byte[] message, ObjectInputFilter extra) throws IOException {
    return decode(message, 0, extra);
  }

  /**
   * Deserializes the part of a message from {@code offset} on, as {@link #decode(byte[], ObjectInputFilter)}.
   *
   * @param message the bytes
   * @param offset where the object starts
   * @param extra the channel's own filter, or null
   * @return the object
   * @throws IOException if it cannot be deserialized, or a class is refused
   */
  public static Object decode(byte[] message, int offset, ObjectInputFilter extra) throws IOException {
    ObjectInputFilter f = SerialFilters.channel();
    ObjectInputFilter p = processFilter;
    if (p != null) {
      f = SerialFilters.merge(f, p);
    }
    if (extra != null) {
      f = SerialFilters.merge(f, extra);
    }
    // The compact forms nest at most ObjectCodec.MAX_DEPTH deep, which a reader's small stack
    // usually holds, but an interpreted decoder's frames are large: never let the overflow out.
    return DeepStack.run(new Decoding(message, offset, f), Limits.maxDepth(), "-D" + Limits.MAX_DEPTH_PROPERTY);
  }

  /** One message's decoding: a class rather than a lambda, loaded ahead by the transport warm-up. */
  private static final class Decoding implements DeepStack.Work<Object> {
    private final byte[] message;
    private final int offset;
    private final ObjectInputFilter filter;

    Decoding(byte[] message, int offset, ObjectInputFilter filter) {
      this.message = message;
      this.offset = offset;
      this.filter = filter;
    }

    @Override
    public Object run() throws IOException {
      return ObjectCodec.decode(message, offset, message.length - offset, filter);
    }
  }
}
