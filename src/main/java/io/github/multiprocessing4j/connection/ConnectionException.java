package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * A {@link Connection} could not do what was asked: CPython's {@code OSError} from a connection.
 * The message is CPython's where there is one ({@code "handle is closed"},
 * {@code "connection is read-only"}, {@code "bad message length"},
 * {@code "got end of file during message"}).
 */
public class ConnectionException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what went wrong
   */
  public ConnectionException(String message) {
    super(message);
  }

  /**
   * Creates one with a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public ConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
