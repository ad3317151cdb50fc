package io.github.multiprocessing4j;

/**
 * The root of the unchecked exceptions this library throws for failures at run time (a child JVM
 * that could not be launched, an I/O error on a channel, a failure reported by a child).
 *
 * <p>Misuse of the API is reported with the JDK's own types instead: {@link IllegalStateException}
 * for a call in the wrong lifecycle state (with CPython's message text, e.g. {@code "cannot start a
 * process twice"}), {@link IllegalArgumentException} and {@link NullPointerException} for bad
 * arguments.
 */
public class MultiprocessingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong and, where possible, what to do about it
   */
  public MultiprocessingException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong and, where possible, what to do about it
   * @param cause the underlying failure
   */
  public MultiprocessingException(String message, Throwable cause) {
    super(message, cause);
  }
}
