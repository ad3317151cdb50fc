package io.github.multiprocessing4j.sync;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.time.Duration;

/**
 * The serialized form of every synchronisation object: its kind, the name of its cell, and what
 * else the kind needs to be made again (a condition's lock; a barrier's condition, action and
 * timeout). The process that reads it gets its own object for the same shared memory. One proxy
 * type for all of them, as each class's own copy differed only in what it resolved to.
 */
final class SyncRef implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What a reference resolves to. */
  enum Kind {
    LOCK, RLOCK, EVENT, SEMAPHORE, BOUNDED_SEMAPHORE, CONDITION, BARRIER
  }

  /** The kind of object. */
  private final Kind kind;
  /** The name of the shared memory. */
  private final String name;
  /** What else the kind needs, in the order {@link #readResolve()} reads it. */
  private final Object[] parts;

  private SyncRef(Kind kind, String name, Object[] parts) {
    this.kind = kind;
    this.name = name;
    this.parts = parts;
  }

  /**
   * The reference to an object being serialized. Keeps the object, and so its shared memory, until
   * this JVM exits: the reader may attach it after this JVM dropped it.
   */
  static SyncRef of(Kind kind, SyncCell cell, Object instance, Object... parts) {
    CellRegistry.pin(cell, instance);
    return new SyncRef(kind, cell.name(), parts);
  }

  /**
   * Resolves to this process's object for the shared memory, attaching it on first use.
   *
   * @return the object
   * @throws InvalidObjectException if the shared memory no longer exists or is another kind, or if
   *     the reference is not one this class wrote
   */
  private Object readResolve() throws InvalidObjectException {
    if (kind == null) {
      throw new InvalidObjectException("not a reference to a synchronisation object");
    }
    switch (kind) {
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
        Lock lock = part(0, Lock.class, "Condition");
        RLock rlock = part(1, RLock.class, "Condition");
        if ((lock == null) == (rlock == null)) {
          throw new InvalidObjectException("not a Condition reference");
        }
        return CellRegistry.resolve(name, Condition.class, c -> new Condition(lock, rlock, c));
      }
      case BARRIER: {
        Condition cond = part(0, Condition.class, "Barrier");
        Runnable action = part(1, Runnable.class, "Barrier");
        Duration timeout = part(2, Duration.class, "Barrier");
        if (cond == null) {
          throw new InvalidObjectException("not a Barrier reference");
        }
        return CellRegistry.resolve(name, Barrier.class, c -> new Barrier(c, cond, action, timeout));
      }
      default:
        throw new InvalidObjectException("not a reference to a synchronisation object");
    }
  }

  /** Part {@code i}, maybe null; a stream that holds something else is not one of these references. */
  private <T> T part(int i, Class<T> type, String what) throws InvalidObjectException {
    if (parts == null || i >= parts.length || (parts[i] != null && !type.isInstance(parts[i]))) {
      throw new InvalidObjectException("not a " + what + " reference");
    }
    return type.cast(parts[i]);
  }
}
