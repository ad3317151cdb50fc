package io.github.multiprocessing4j.shared;

/**
 * A shared-memory block of that name exists already: CPython's {@code FileExistsError}, with its
 * message ({@code "[Errno 17] File exists: 'psm_1a2b3c4d'"}).
 */
public class SharedMemoryExistsException extends SharedMemoryException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param name the name that is taken
   * @param cause the underlying failure, or null
   */
  public SharedMemoryExistsException(String name, Throwable cause) {
    super("[Errno 17] File exists: '" + name + "'", cause);
  }
}
