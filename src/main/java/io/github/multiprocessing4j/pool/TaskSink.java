package io.github.multiprocessing4j.pool;

/**
 * Where the outcome of one pool task goes. Exactly one method is called, once, from a pool thread
 * (or the thread that terminates the pool), never under the pool's lock.
 */
interface TaskSink {

  /**
   * The task returned.
   *
   * @param value the deserialized result
   */
  void succeeded(Object value);

  /**
   * The task failed, its worker died, the pool broke or was terminated.
   *
   * @param error the task's own exception, or a
   *     {@link io.github.multiprocessing4j.RemoteException}, a
   *     {@link io.github.multiprocessing4j.pool.WorkerDiedException}, a
   *     {@link io.github.multiprocessing4j.pool.BrokenProcessPoolException} or a
   *     {@link java.util.concurrent.CancellationException}
   */
  void failed(Throwable error);
}
