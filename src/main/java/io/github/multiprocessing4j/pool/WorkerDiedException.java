package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.MultiprocessingException;

/**
 * The worker process running a task ended before the task finished: it was killed, crashed, or
 * the task called {@code System.exit}. Given as the cause of the
 * {@link java.util.concurrent.ExecutionException} of that task only; a {@link Pool} replaces the
 * worker and runs the tasks queued behind it elsewhere. (CPython's {@code Pool} loses such a task
 * silently and its result never arrives.)
 */
public class WorkerDiedException extends MultiprocessingException {

  private static final long serialVersionUID = 1L;

  /** The worker's exit code, as {@link io.github.multiprocessing4j.Process#exitCode()}, or null. */
  private final Integer exitCode;

  /**
   * Creates the exception.
   *
   * @param message names the worker, its pid and exit code
   * @param exitCode the worker's exit code ({@code -N} for signal N), or {@code null} if unknown
   */
  public WorkerDiedException(String message, Integer exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * Returns the worker's exit code: {@code -N} if signal N killed it, the status given to
   * {@code System.exit} otherwise.
   *
   * @return the exit code, or {@code null} if the worker could not be waited for
   */
  public Integer exitCode() {
    return exitCode;
  }
}
