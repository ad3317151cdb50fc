package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * No item came in time: CPython's {@code queue.Empty}, from {@link Queue#get(java.time.Duration)}
 * and {@link Queue#getNowait()}.
 */
public class QueueEmptyException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what was waited for
   */
  public QueueEmptyException(String message) {
    super(message);
  }
}
