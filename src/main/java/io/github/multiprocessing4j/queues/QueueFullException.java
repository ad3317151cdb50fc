package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * The queue stayed full: CPython's {@code queue.Full}, from {@link Queue#put(Object, java.time.Duration)}
 * and {@link Queue#putNowait(Object)}.
 */
public class QueueFullException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates one.
   *
   * @param message what was waited for
   */
  public QueueFullException(String message) {
    super(message);
  }
}
