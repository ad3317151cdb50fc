package io.github.multiprocessing4j.connection;

/**
 * A message was sent to an end that was closed, or whose process ended: CPython's
 * {@code BrokenPipeError}. Raised at once, before anything is written.
 */
public class BrokenPipeException extends ConnectionException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what was being done
   */
  public BrokenPipeException(String message) {
    super(message);
  }
}
