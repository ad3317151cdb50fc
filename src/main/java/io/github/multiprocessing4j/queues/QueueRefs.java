package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.access.ObjectRef.Kind;
import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.transport.TransportWarmUp;
import java.io.InvalidObjectException;

/**
 * Writes and resolves the serialized form of the queues, an {@link ObjectRef}: the creator's
 * server, the queue's id there, the creator's pid and the queue's limit (for a simple queue, those
 * of the queue underneath). The process that reads it gets a link to the creator's queue, or in
 * the creator the queue itself. This class is the {@link ObjectRef.Owner#QUEUES} resolver,
 * registered when it initialises.
 */
final class QueueRefs implements ObjectRef.Resolver {

  static {
    // An instance, not a method reference: a child that only reads a reference should not pay for
    // bootstrapping lambdas.
    ObjectRef.register(ObjectRef.Owner.QUEUES, QueueRefs.class, new QueueRefs());
  }

  private QueueRefs() {}

  /**
   * A {@link Queue}'s, a {@link JoinableQueue}'s or a {@link SimpleQueue}'s (of the queue underneath),
   * published at {@code address}.
   */
  static ObjectRef queue(Kind kind, String address, long id, long ownerPid, int maxsize) {
    return ObjectRef.of(kind, address, id, ownerPid, maxsize);
  }

  /**
   * Resolves to this process's queue.
   *
   * @throws InvalidObjectException if the reference is not one this package wrote
   */
  @Override
  public Object resolve(ObjectRef ref) throws InvalidObjectException {
    switch (ref.kind()) {
      case QUEUE:
      case JOINABLE_QUEUE:
      case SIMPLE_QUEUE: {
        long id = ref.number(0);
        long ownerPid = ref.number(1);
        int maxsize = ref.number(2, 0, Integer.MAX_VALUE);
        if (ownerPid != CurrentProcess.pid()) {
          // This JVM will likely use the queue soon: what its first operation needs loads meanwhile.
          TransportWarmUp.start("io.github.multiprocessing4j.queues.QueueServer",
              "io.github.multiprocessing4j.queues.QueueClient", "io.github.multiprocessing4j.queues.QueueClient$Replies",
              "io.github.multiprocessing4j.queues.QueueProtocol");
        }
        Queue<?> queue = Queue.resolve(ref.kind() == Kind.JOINABLE_QUEUE, ref.name(), id, ownerPid, maxsize);
        return ref.kind() == Kind.SIMPLE_QUEUE ? new SimpleQueue<>(queue) : queue;
      }
      default:
        throw ref.refused();
    }
  }
}
