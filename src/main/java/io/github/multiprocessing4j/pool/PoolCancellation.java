package io.github.multiprocessing4j.pool;

import java.util.concurrent.CancellationException;

/**
 * The pool's own cancellation of a task (terminate, {@code cancelFutures}, an abandoned map), told
 * apart from a {@link CancellationException} that a task itself threw, which is a failure like any
 * other and arrives as the cause of an {@link java.util.concurrent.ExecutionException}.
 */
final class PoolCancellation extends CancellationException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the cancellation.
   *
   * @param why what cancelled the task
   */
  public PoolCancellation(String why) {
    super(why);
  }
}
