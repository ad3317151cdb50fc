package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * A failure of a manager's server while it carried out a proxy's call, not an exception of the
 * method called: the method is not exposed or does not exist, or its result cannot be sent back.
 * CPython's {@code multiprocessing.managers.RemoteError}: its message is a line of 75 dashes, the
 * server's traceback and another line of dashes.
 *
 * <p>An exception thrown by the method itself is not wrapped in this: it arrives with its own
 * type (see {@link BaseProxy}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RemoteError extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  private static final String RULE = "-".repeat(75);

  /** The server's traceback. */
  private final String remoteTraceback;

  /**
   * Creates a remote error.
   *
   * @param remoteTraceback what the server says went wrong, with its stack trace
   */
  public RemoteError(String remoteTraceback) {
    super("\n" + RULE + "\n" + remoteTraceback + (remoteTraceback.endsWith("\n") ? "" : "\n") + RULE);
    this.remoteTraceback = remoteTraceback;
  }

  /**
   * Returns the server's traceback, without the dashes.
   *
   * @return the traceback text
   */
  public String remoteTraceback() {
    return remoteTraceback;
  }
}
