package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.access.ObjectRef.Kind;
import java.io.InvalidObjectException;
import java.time.Duration;

/**
 * Writes and resolves the serialized form of the synchronisation objects, an {@link ObjectRef}:
 * the kind, the name of the object's cell, and what else the kind needs to be made again (a
 * condition's lock; a barrier's condition, action and timeout). The process that reads it gets its
 * own object for the same shared memory. This class is the {@link ObjectRef.Owner#SYNC} resolver,
 * registered when it initialises.
 */
final class SyncRefs implements ObjectRef.Resolver {

  static {
    // An instance, not a method reference: a child that only reads a reference should not pay for
    // bootstrapping lambdas.
    ObjectRef.register(ObjectRef.Owner.SYNC, SyncRefs.class, new SyncRefs());
  }

  private SyncRefs() {}

  /**
   * The reference to an object being serialized. Keeps the object, and so its shared memory, until
   * this JVM exits: the reader may attach it after this JVM dropped it.
   */
  static ObjectRef of(Kind kind, SyncCell cell, Object instance, Object... parts) {
    CellRegistry.pin(cell, instance);
    return ObjectRef.withParts(kind, cell.name(), parts);
  }

  /**
   * Resolves to this process's object for the shared memory, attaching it on first use.
   *
   * @throws InvalidObjectException if the shared memory no longer exists or is another kind, or if
   *     the reference is not one this package wrote
   */
  @Override
  public Object resolve(ObjectRef ref) throws InvalidObjectException {
    String name = ref.name();
    switch (ref.kind()) {
      case LOCK:
        return CellRegistry.resolve(name, Lock.class, Lock::new);
      case RLOCK:
        return CellRegistry.resolve(name, RLock.class, RLock::new);
      case EVENT:
        return CellRegistry.resolve(name, Event.class, Event::new);
      case SEMAPHORE:
        return CellRegistry.resolve(name, Semaphore.class, Semaphore::new);
      case BOUNDED_SEMAPHORE:
        return CellRegistry.resolve(name, BoundedSemaphore.class, BoundedSemaphore::new);
      case CONDITION: {
        Lock lock = ref.part(0, Lock.class);
        RLock rlock = ref.part(1, RLock.class);
        if ((lock == null) == (rlock == null)) {
          throw ref.refused();
        }
        return CellRegistry.resolve(name, Condition.class, c -> new Condition(lock, rlock, c));
      }
      case BARRIER: {
        Condition cond = ref.required(0, Condition.class);
        Runnable action = ref.part(1, Runnable.class);
        Duration timeout = ref.part(2, Duration.class);
        return CellRegistry.resolve(name, Barrier.class, c -> new Barrier(c, cond, action, timeout));
      }
      default:
        throw ref.refused();
    }
  }
}
