package io.github.multiprocessing4j.shared;

/**
 * There is no shared-memory block of that name (any more): CPython's {@code FileNotFoundError},
 * with its message ({@code "[Errno 2] No such file or directory: 'psm_1a2b3c4d'"}). Thrown when
 * attaching to a missing name and by a second {@code unlink()}.
 */
public class SharedMemoryNotFoundException extends SharedMemoryException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param name the missing name
   * @param cause the underlying failure, or null
   */
  public SharedMemoryNotFoundException(String name, Throwable cause) {
    super("[Errno 2] No such file or directory: '" + name + "'", cause);
  }
}
