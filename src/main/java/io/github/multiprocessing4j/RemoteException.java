package io.github.multiprocessing4j;

import java.util.Objects;

/**
 * An exception thrown in another process, as the parent sees it: the remote exception's class
 * name, message and printed stack trace, with the remote frames as this exception's own
 * {@linkplain #getStackTrace() stack trace}.
 *
 * <p>The remote exception is not deserialized: the parent may not even have its class. Obtain one
 * from {@link Process#failure()} after a child ended with an uncaught exception.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RemoteException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /** The remote exception's class name. */
  private final String remoteClassName;
  /** The remote exception's message, or null. */
  private final String remoteMessage;
  /** The remote stack trace as printed there. */
  private final String remoteStackTrace;

  /**
   * Creates a remote exception.
   *
   * @param remoteClassName fully qualified class name of the exception thrown in the other process
   * @param remoteMessage its message, or {@code null}
   * @param remoteStackTrace its stack trace as printed there (causes included)
   * @param frames its stack frames
   * @param where a short description of the process it was thrown in, e.g. {@code "Process-1, pid 42"}
   */
  @SuppressWarnings("this-escape") // setStackTrace only stores the frames
  public RemoteException(String remoteClassName, String remoteMessage, String remoteStackTrace,
      StackTraceElement[] frames, String where) {
    super(describe(remoteClassName, remoteMessage, where));
    this.remoteClassName = Objects.requireNonNull(remoteClassName, "remoteClassName");
    this.remoteMessage = remoteMessage;
    this.remoteStackTrace = Objects.requireNonNull(remoteStackTrace, "remoteStackTrace");
    setStackTrace(frames.clone());
  }

  private static String describe(String className, String message, String where) {
    StringBuilder sb = new StringBuilder(className);
    if (message != null) {
      sb.append(": ").append(message);
    }
    return sb.append(" (in ").append(where).append(')').toString();
  }

  /**
   * Returns the fully qualified class name of the exception thrown in the other process.
   *
   * @return the remote class name, e.g. {@code "java.lang.IllegalStateException"}
   */
  public String remoteClassName() {
    return remoteClassName;
  }

  /**
   * Returns the message of the exception thrown in the other process.
   *
   * @return the remote message, or {@code null} if it had none
   */
  public String remoteMessage() {
    return remoteMessage;
  }

  /**
   * Returns the stack trace as the other process printed it, causes and suppressed exceptions
   * included.
   *
   * @return the remote stack trace text
   */
  public String remoteStackTrace() {
    return remoteStackTrace;
  }
}
