package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.access.ObjectRef.Kind;
import java.io.InvalidObjectException;

/**
 * Writes and resolves the serialized form of the shared-memory objects, an {@link ObjectRef}: the
 * kind, the name of the memory, and its size or its typecode and length. The process that reads it
 * attaches the memory by name. This class is the {@link ObjectRef.Owner#SHARED} resolver,
 * registered when it initialises.
 */
final class SharedRefs implements ObjectRef.Resolver {

  static {
    // An instance, not a method reference: a child that only reads a reference should not pay for
    // bootstrapping lambdas.
    ObjectRef.register(ObjectRef.Owner.SHARED, SharedRefs.class, new SharedRefs());
  }

  private SharedRefs() {}

  /** A {@link SharedMemory}'s: CPython pickles {@code (name, False, size)}. */
  static ObjectRef sharedMemory(String name, int size) {
    return ObjectRef.of(Kind.SHARED_MEMORY, name, size);
  }

  /** A {@link ShareableList}'s: its block's name, as CPython's pickling. */
  static ObjectRef shareableList(String name) {
    return ObjectRef.of(Kind.SHAREABLE_LIST, name);
  }

  /** A {@link RawValue}'s or {@link RawArray}'s: its segment's name, typecode and length. */
  static ObjectRef items(boolean array, String segment, char code, int length) {
    return ObjectRef.of(array ? Kind.RAW_ARRAY : Kind.RAW_VALUE, segment, code, length);
  }

  /**
   * Resolves to an object of this process over the same memory, attaching it.
   *
   * @throws InvalidObjectException if the reference is not one this package wrote
   */
  @Override
  public Object resolve(ObjectRef ref) throws InvalidObjectException {
    switch (ref.kind()) {
      case SHARED_MEMORY:
        ref.number(0, 1, Integer.MAX_VALUE); // the size, for the record: attaching takes the block's own
        return SharedMemory.attach(ref.name());
      case SHAREABLE_LIST:
        return ShareableList.attach(ref.name());
      case RAW_VALUE:
      case RAW_ARRAY:
        char code = (char) ref.number(0, Character.MIN_VALUE, Character.MAX_VALUE);
        int length = ref.number(1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return TypedSegment.resolve(ref.name(), code, length, ref.kind() == Kind.RAW_ARRAY);
      default:
        throw ref.refused();
    }
  }
}
