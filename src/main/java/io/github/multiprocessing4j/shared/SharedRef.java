package io.github.multiprocessing4j.shared;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.util.Objects;

/**
 * The serialized form of every shared-memory object: its kind, the name of its memory, and its
 * size or its typecode and length. The process that reads it attaches the memory by name. One
 * proxy type for all of them, as each class's own copy differed only in what it resolved to.
 */
final class SharedRef implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What a reference resolves to. */
  enum Kind {
    SHARED_MEMORY, SHAREABLE_LIST, RAW_VALUE, RAW_ARRAY
  }

  /** The kind of object. */
  private final Kind kind;
  /** The name of the block or segment. */
  private final String name;
  /** A block's size (for the record: attaching takes the block's own), or the number of items. */
  private final int length;
  /** The typecode character of a value or an array. */
  private final char code;

  private SharedRef(Kind kind, String name, int length, char code) {
    this.kind = kind;
    this.name = name;
    this.length = length;
    this.code = code;
  }

  /** A {@link SharedMemory}'s: CPython pickles {@code (name, False, size)}. */
  static SharedRef sharedMemory(String name, int size) {
    return new SharedRef(Kind.SHARED_MEMORY, Objects.requireNonNull(name), size, '\0');
  }

  /** A {@link ShareableList}'s: its block's name, as CPython's pickling. */
  static SharedRef shareableList(String name) {
    return new SharedRef(Kind.SHAREABLE_LIST, name, 0, '\0');
  }

  /** A {@link RawValue}'s or {@link RawArray}'s: its segment's name, typecode and length. */
  static SharedRef items(boolean array, String segment, char code, int length) {
    return new SharedRef(array ? Kind.RAW_ARRAY : Kind.RAW_VALUE, segment, length, code);
  }

  /**
   * Resolves to an object of this process over the same memory, attaching it.
   *
   * @return the object
   * @throws InvalidObjectException if the reference is not one this class wrote
   */
  private Object readResolve() throws InvalidObjectException {
    if (kind == null) {
      throw new InvalidObjectException("not a reference to shared memory");
    }
    switch (kind) {
      case SHARED_MEMORY:
        if (name == null || length < 1) {
          throw new InvalidObjectException("not a SharedMemory reference");
        }
        return SharedMemory.attach(name);
      case SHAREABLE_LIST:
        if (name == null) {
          throw new InvalidObjectException("not a ShareableList reference");
        }
        return ShareableList.attach(name);
      case RAW_VALUE:
        return TypedSegment.resolve(name, code, length, false);
      case RAW_ARRAY:
        return TypedSegment.resolve(name, code, length, true);
      default:
        throw new InvalidObjectException("not a reference to shared memory");
    }
  }
}
