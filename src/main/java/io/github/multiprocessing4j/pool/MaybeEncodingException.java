package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * A task's result could not be serialized to be sent back: CPython's
 * {@code multiprocessing.pool.MaybeEncodingError}, with the same message,
 * {@code Error sending result: '<value>'. Reason: '<exception>'}. It fails that task only; the
 * worker goes on.
 */
public class MaybeEncodingException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param value the {@code toString()} of the result (shortened if long)
   * @param reason the serialization failure, as text
   */
  public MaybeEncodingException(String value, String reason) {
    super("Error sending result: '" + value + "'. Reason: '" + reason + "'");
  }
}
