package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * A shared-memory operation failed in the operating system: CPython's {@code OSError} from
 * {@code SharedMemory}. The two cases CPython reports as subclasses have their own here,
 * {@link SharedMemoryExistsException} ({@code FileExistsError}) and
 * {@link SharedMemoryNotFoundException} ({@code FileNotFoundError}); anything else (no space left
 * in {@code /dev/shm}, a mapping refused) is this class, with the JDK's exception as the cause.
 */
public class SharedMemoryException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what went wrong
   * @param cause the underlying failure, or null
   */
  public SharedMemoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
