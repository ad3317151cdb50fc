package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.transport.RingTransport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One message's worth of work for a pool worker (a call, or a chunk of a map), encoded in the
 * caller's thread so that what cannot be serialized fails there, and its completion from the
 * worker's answer.
 */
final class PoolTask {

  private static final AtomicLong IDS = new AtomicLong();

  final long id = IDS.incrementAndGet();
  final PoolFunction fn;
  final byte[] message;
  final TaskSink sink;
  /** Whether the task and its function's definition fit a quarter of a pipe's ring. */
  final boolean small;
  private final Object source;
  /** Set once the message was handed to the worker's pipe; guarded by the pool's lock. */
  boolean sent;
  /** When it was made (submitted, give or take its encoding) and sent, for {@link PoolTelemetry}. */
  final long submittedAt = System.nanoTime();
  long sentAt;

  /**
   * Creates a task.
   *
   * @param fn its function
   * @param kind what it asks of the function
   * @param payload the encoded argument (a chunk's items), or empty
   * @param sink where its outcome goes
   * @param source the user's task, or null
   */
  PoolTask(PoolFunction fn, TaskKind kind, byte[] payload, TaskSink sink, Object source) {
    this.fn = fn;
    this.source = source;
    this.message = PoolProtocol.task(id, fn.id, kind, payload);
    this.sink = sink;
    this.small = (long) message.length + fn.define.length <= RingTransport.DEFAULT_CAPACITY / 4;
  }

  /** The user's task this was made from (for {@code shutdownNow}), or null. */
  public Object source() {
    return source;
  }

  /** Fails the task without running it, e.g. when it is cancelled before a worker got it. */
  public void abandon(Throwable why) {
    sink.failed(why);
  }

  /** Completes the task with a failure; a sink that throws is logged, never the caller's death. */
  void fail(Throwable error) {
    try {
      sink.failed(error);
    } catch (RuntimeException | Error e) {
      WorkerPool.LOG.error("completing a pool task with its failure threw", e);
    }
  }

  /**
   * Completes the task with its worker's answer, an OK or ERROR message. Whatever goes wrong
   * (a result that cannot be decoded, {@link Error}s included, or a sink that throws) fails this
   * task only: the reader that calls this serves every later result of the worker.
   *
   * @param m the message
   * @param where names the worker in messages
   */
  void complete(byte[] m, String where) {
    if (sink instanceof MessageSink) {
      ((MessageSink) sink).answered(m); // run for a caller elsewhere, who decodes it
      return;
    }
    if (m[0] != PoolProtocol.OK) {
      Throwable failure;
      try {
        failure = PoolProtocol.readFailure(m, PoolProtocol.RESULT_HEADER, where);
      } catch (RuntimeException | Error e) {
        failure = new io.github.multiprocessing4j.MultiprocessingException(
            "the failure of a task from worker " + where + " cannot be read: " + e, e);
      }
      fail(failure);
      return;
    }
    Object value;
    try {
      value = Messages.decode(m, PoolProtocol.RESULT_HEADER, null);
    } catch (Exception | Error e) {
      // Any of them: a class that cannot be initialized here (LinkageError), a graph too deep
      // for this thread's stack (StackOverflowError), a readObject that throws an Error.
      fail(new io.github.multiprocessing4j.MultiprocessingException(
          "the result of a task from worker " + where + " cannot be deserialized: " + e, e));
      return;
    }
    try {
      sink.succeeded(value);
    } catch (RuntimeException | Error e) {
      fail(new io.github.multiprocessing4j.MultiprocessingException(
          "the result of a task from worker " + where + " cannot be delivered: " + e, e));
    }
  }
}
