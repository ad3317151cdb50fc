package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * The authkey challenge between two ends failed: the peer does not know the key, or spoke something
 * else than the handshake. CPython's {@code multiprocessing.AuthenticationError}; the messages are
 * CPython's ({@code "digest received was wrong"}, {@code "digest sent was rejected"}).
 */
public class AuthenticationException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what failed
   */
  public AuthenticationException(String message) {
    super(message);
  }

  /**
   * Creates one with a cause: a peer that hung up, or sent something unreadable, during the
   * challenge.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
