package io.github.multiprocessing4j.internal.runtime;

/**
 * The limits every channel applies to the messages it carries (pipes, queues, the pool's
 * protocol), the same on the sending side as on the receiving side, so that what a sender
 * accepts its receiver accepts too. Each is a system property, read once per JVM; a child JVM
 * gets its parent's value when the parent set the property (see {@link Tunable#inherited()}).
 */
public final class Limits {

  /** The system property holding the longest encoded message, in bytes. */
  public static final String MAX_MESSAGE_BYTES_PROPERTY = Tunable.MAX_MESSAGE_BYTES.key();
  /** The system property holding the deepest object graph a message may hold. */
  public static final String MAX_DEPTH_PROPERTY = Tunable.MAX_DEPTH.key();
  /**
   * The system property holding the most nesting levels of a Java-serialized message at which
   * objects already read are referenced again (see {@link SerialFilters#channel()}).
   */
  public static final String MAX_SHARED_LEVELS_PROPERTY = Tunable.MAX_SHARED_LEVELS.key();

  /** The default of {@link #maxMessageBytes()}: 100,000,000 bytes. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 100_000_000;
  /** The default of {@link #maxDepth()}. */
  public static final int DEFAULT_MAX_DEPTH = 1_000;
  /** The default of {@link #maxSharedLevels()}. */
  public static final int DEFAULT_MAX_SHARED_LEVELS = 20;

  private static final int MAX_MESSAGE_BYTES =
      (int) Tunable.MAX_MESSAGE_BYTES.longValue(DEFAULT_MAX_MESSAGE_BYTES, 1, Integer.MAX_VALUE - 16);
  private static final int MAX_DEPTH = (int) Tunable.MAX_DEPTH.longValue(DEFAULT_MAX_DEPTH, 1, 100_000);
  private static final int MAX_SHARED_LEVELS =
      (int) Tunable.MAX_SHARED_LEVELS.longValue(DEFAULT_MAX_SHARED_LEVELS, 1, 100_000);

  private Limits() {}

  /**
   * The longest message, in bytes once encoded, that may be sent or received: {@value
   * #DEFAULT_MAX_MESSAGE_BYTES} unless {@code -Dmultiprocessing4j.maxMessageBytes} says otherwise.
   * It is also the longest array or collection a message may hold.
   *
   * @return the limit
   */
  public static int maxMessageBytes() {
    return MAX_MESSAGE_BYTES;
  }

  /**
   * The deepest object graph a message may hold: {@value #DEFAULT_MAX_DEPTH} unless
   * {@code -Dmultiprocessing4j.maxDepth} says otherwise.
   *
   * @return the limit
   */
  public static int maxDepth() {
    return MAX_DEPTH;
  }

  /**
   * The most nesting levels of a Java-serialized message at which objects already read are
   * referenced again: {@value #DEFAULT_MAX_SHARED_LEVELS} unless
   * {@code -Dmultiprocessing4j.maxSharedLevels} says otherwise.
   *
   * @return the limit
   */
  public static int maxSharedLevels() {
    return MAX_SHARED_LEVELS;
  }

  /**
   * The error for a message longer than {@link #maxMessageBytes()}, for its sender.
   *
   * @param length the message's length
   * @return the exception
   */
  public static IllegalArgumentException tooLong(long length) {
    return new IllegalArgumentException("the value is " + length + " bytes once encoded, more than "
        + "the limit of " + MAX_MESSAGE_BYTES + " bytes a message (raise it with -D"
        + MAX_MESSAGE_BYTES_PROPERTY + "=<bytes> in every process that sends or receives it)");
  }
}
