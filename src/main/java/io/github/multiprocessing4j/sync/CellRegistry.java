package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.MultiprocessingException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The cells of the synchronisation classes and this JVM's one object per cell: creates a cell with
 * its kind, registers the object made for it, and resolves a serialized reference to that object,
 * attaching the cell on first use.
 *
 * <p><b>Lifetime.</b> The registry of instances holds them weakly: an object the program dropped
 * is collected, and with it this JVM's use of its shared memory ({@link SyncCell}). Except once
 * serialized: {@link #pin} keeps the object (and so its shared memory) for the rest of this JVM's
 * life, since the process that reads the reference attaches the shared memory by name, maybe
 * minutes later (a queue item), and it must still exist then.
 */
final class CellRegistry {

  /** The one object per cell and class in this JVM, by cell name; weakly held. */
  private static final WeakRegistry<Object> INSTANCES = new WeakRegistry<>();
  /** The objects that were serialized, by cell name: kept until this JVM exits. */
  private static final Map<String, Object> PINNED = new ConcurrentHashMap<>();

  private CellRegistry() {}

  /**
   * The offset of a cell's kind (an int in the last word of its state bytes, used by no class):
   * written at creation, checked by {@link #resolve}, so that a reference read from a stream (a
   * mistaken or forged one) cannot make, say, a {@code Lock} of a {@code Semaphore}'s cell or of a
   * user's 4 KiB {@code SharedMemory} block, and write a lock word into it.
   */
  private static final int KIND = SyncCell.STATE_BYTES - 4;

  /** The kind tag of a class, by its simple name (what {@link #create} is given); never 0. */
  private static int kind(String simpleName) {
    return simpleName.hashCode() | 1;
  }

  static SyncCell create(Object owner, String what) {
    try {
      SyncCell c = SyncCell.create();
      c.setInt(KIND, kind(what));
      return c;
    } catch (IOException e) {
      throw new MultiprocessingException("cannot create the shared memory of a " + what + ": " + e, e);
    }
  }

  static void register(SyncCell cell, Object instance) {
    INSTANCES.put(cell.name(), instance);
  }

  /**
   * Keeps an object that is being serialized, and so its shared memory, until this JVM exits: the
   * reader may attach it long after the writer dropped it. Called by every {@code writeReplace}.
   */
  static void pin(SyncCell cell, Object instance) {
    PINNED.putIfAbsent(cell.name(), instance);
  }

  /** The object of this JVM for a cell, made from its serialized form on first use. */
  static <T> T resolve(String name, Class<T> type, Function<SyncCell, T> make) throws InvalidObjectException {
    if (name == null) {
      throw new InvalidObjectException("not a reference to a " + type.getSimpleName());
    }
    Object known = INSTANCES.get(name);
    if (known == null) {
      SyncCell cell;
      try {
        cell = SyncCell.attach(name);
      } catch (IOException | IllegalArgumentException e) {
        InvalidObjectException x = new InvalidObjectException("cannot attach the shared memory of a "
            + type.getSimpleName() + " (" + e + "): every process that used it has ended");
        x.initCause(e);
        throw x;
      }
      if (cell.getInt(KIND) != kind(type.getSimpleName())) {
        throw new InvalidObjectException(name + " is the shared memory of something else, not a "
            + type.getSimpleName());
      }
      synchronized (INSTANCES) {
        known = INSTANCES.get(name);
        if (known == null) {
          known = make.apply(cell);
          INSTANCES.put(name, known);
        }
      }
    }
    if (!type.isInstance(known)) {
      throw new InvalidObjectException(name + " is a " + known.getClass().getSimpleName() + ", not a "
          + type.getSimpleName());
    }
    return type.cast(known);
  }
}
