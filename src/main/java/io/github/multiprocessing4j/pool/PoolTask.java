package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.transport.RingTransport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One message's worth of work for a pool worker (a call, or a chunk of a map), encoded in the
 * caller's thread so that what cannot be serialized fails there.
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
  /** Guarded by the pool's lock. */
  WorkerPool.Slot slot;
  /** Set once the message was handed to the worker's pipe; guarded by the pool's lock. */
  boolean sent;

  PoolTask(PoolFunction fn, byte kind, byte[] payload, TaskSink sink, Object source) {
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
}
