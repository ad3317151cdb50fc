package io.github.multiprocessing4j.connection;

/**
 * Nothing more will ever arrive: the other end was closed, or its process ended, and every message
 * it sent has been received. CPython's {@code EOFError} from {@code recv()}.
 */
public class PeerClosedException extends ConnectionException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what was being done
   */
  public PeerClosedException(String message) {
    super(message);
  }
}
