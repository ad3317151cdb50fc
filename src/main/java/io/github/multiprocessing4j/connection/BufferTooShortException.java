package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * A message did not fit the buffer given to {@link Connection#recvBytesInto(byte[], int)}: CPython's
 * {@code multiprocessing.BufferTooShort}. The message has been consumed; {@link #message()} holds
 * all of it.
 */
public class BufferTooShortException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /** The whole message; its bytes are part of the exception, as {@code e.args[0]} is in CPython. */
  private final byte[] message;

  /**
   * Creates one.
   *
   * @param message the whole message that did not fit; not copied
   * @param room how many bytes the buffer had room for
   */
  public BufferTooShortException(byte[] message, int room) {
    super("a message of " + message.length + " bytes does not fit in the " + room
        + " bytes left in the buffer; it was consumed and is in message()");
    this.message = message;
  }

  /**
   * Returns the message that did not fit.
   *
   * @return the whole message (the array itself, not a copy)
   */
  public byte[] message() {
    return message;
  }
}
