package io.github.multiprocessing4j.internal.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tagged value format: every tag, and what follows it. {@link ObjectCodec} writes and reads the
 * whole of it (one message, one value); {@link ValueCodec} writes and reads its scalars and
 * {@link #BYTES} (the arguments of a bootstrap frame), and any other value with a compact form as
 * a whole message inside {@link #COMPACT}. The format is for two JVMs running the same
 * version of the library, not for storage.
 *
 * <p>A value is a one-byte tag, then what that tag's constant below says. Lengths and counts are
 * unsigned varints, signed numbers zigzag varints (both {@link Varints}); fixed-width numbers are
 * big-endian. A container's elements are values, each with its own tag, but in a packed list.
 * Decoding gives back an equal object of the same class.
 *
 * <p>The collection tags stand for exactly (by {@code getClass()}, not {@code instanceof}) the
 * classes they name: a subclass of {@code HashMap}, say, has no compact form. {@code Integer}s from
 * {@value #SMALL_INT_MIN} to {@value #SMALL_INT_MAX} are the tag byte alone. Floats and doubles are
 * their raw bits, so every NaN keeps its payload.
 *
 * <p>Besides the JDK's values, two kinds of object have compact forms: the library's own objects
 * that travel by name ({@link #REF}: pipe ends, queues, locks and the others whose
 * {@code writeReplace()} gives an {@code ObjectRef}; never a user's class), and serializable
 * lambdas and method references ({@link #LAMBDA}) whose capturing class's package is open to the
 * library (always so on the class path). Either has a compact form only if everything it holds
 * (a reference's parts, a lambda's captured arguments) has one.
 *
 * <p>Not kept by the compact forms: the capacity and load factor of hash-based collections, the
 * access order of a {@code LinkedHashMap} built with {@code accessOrder = true} (its current
 * iteration order is kept), and the null-tolerance of a null-free list from
 * {@code Stream.toList()}, which comes back as a {@code List.of} list of the same class.
 *
 * <p>The constants are compile-time constants on purpose: a class that uses only them (the child's
 * {@link ValueCodec}) does not load this one, nor the class constants it initializes.
 */
final class Tags {

  /** {@code null}; nothing follows. */
  static final int NULL = 0;
  /** {@code Boolean.FALSE}; nothing follows. */
  static final int FALSE = 1;
  /** {@code Boolean.TRUE}; nothing follows. */
  static final int TRUE = 2;
  /** A {@code Byte}: one byte. */
  static final int BYTE = 3;
  /** A {@code Short}: two bytes. */
  static final int SHORT = 4;
  /** A {@code Character}: two bytes, its UTF-16 code unit. */
  static final int CHAR = 5;
  /** An {@code Integer} outside the small ints: a zigzag varint. */
  static final int INT = 6;
  /** A {@code Long}: a zigzag varint. */
  static final int LONG = 7;
  /** A {@code Float}: four bytes, {@link Float#floatToRawIntBits}. */
  static final int FLOAT = 8;
  /** A {@code Double}: eight bytes, {@link Double#doubleToRawLongBits}. */
  static final int DOUBLE = 9;
  /** A {@code String} of Latin-1 chars only: a length, then one byte a char. */
  static final int STRING_LATIN1 = 10;
  /** A {@code String} with a char above Latin-1 and no unpaired surrogate: a length, then UTF-8. */
  static final int STRING_UTF8 = 11;
  /**
   * A {@code String} with an unpaired surrogate, which UTF-8 would lose: a length in chars, then
   * two bytes a char.
   */
  static final int STRING_UTF16 = 12;
  /** A {@code byte[]}: a length, then the bytes. */
  static final int BYTES = 13;
  /** An {@code int[]}: a length, then four bytes an element. */
  static final int INTS = 14;
  /** A {@code long[]}: a length, then eight bytes an element. */
  static final int LONGS = 15;
  /** A {@code double[]}: a length, then eight bytes an element, raw bits. */
  static final int DOUBLES = 16;
  /** An {@code Object[]} (exactly): a length, then the elements. */
  static final int OBJECTS = 17;
  /** An {@link ArrayList}: a count, then the elements. */
  static final int ARRAY_LIST = 18;
  /** A {@link HashMap}: a count, then key and value for each entry, in iteration order. */
  static final int HASH_MAP = 19;
  /** A {@link LinkedHashMap}: as {@link #HASH_MAP}. */
  static final int LINKED_HASH_MAP = 20;
  /** A {@link HashSet}: a count, then the elements in iteration order. */
  static final int HASH_SET = 21;
  /** A {@link LinkedHashSet}: as {@link #HASH_SET}. */
  static final int LINKED_HASH_SET = 22;
  /** A list of {@link List#of} (no null in it): a count, then the elements. */
  static final int LIST_OF = 23;
  /** A set of {@link Set#of}: a count, then the elements. */
  static final int SET_OF = 24;
  /** A map of {@link Map#of}: a count, then key and value for each entry. */
  static final int MAP_OF = 25;
  /** An {@link ArrayList} of {@code Integer}s only, not empty: a count, then zigzag varints. */
  static final int INT_LIST = 26;
  /** An {@link ArrayList} of {@code Long}s only, not empty: a count, then zigzag varints. */
  static final int LONG_LIST = 27;
  /**
   * An object of the library that travels by name, whose {@code writeReplace()} gives an
   * {@code internal.access.ObjectRef} (a pipe end, a queue, a lock...): the reference's kind name,
   * name and detail, each a string value or {@link #NULL}; then its numbers, a count plus one (0
   * for none), then eight bytes a number; then its parts, a count plus one (0 for none), then the
   * parts, values one level deeper. Read back, the reference is resolved as Java serialization
   * resolves it, with the same checks.
   */
  static final int REF = 28;
  /**
   * A serializable lambda or method reference, as its {@code java.lang.invoke.SerializedLambda}:
   * seven string values (capturing class, functional interface class, its method's name and
   * signature, implementation class, its method's name and signature; class names with slashes),
   * the implementation method kind as an unsigned varint, the instantiated method type (a string
   * value), then a count and the captured arguments, values one level deeper. Read back, the
   * capturing class's {@code $deserializeLambda$} makes the lambda, as
   * {@code SerializedLambda.readResolve} does under Java serialization.
   */
  static final int LAMBDA = 29;
  /**
   * In a bootstrap frame only ({@link ValueCodec}): a value other than a scalar or a
   * {@code byte[]} that has a compact form, as a length, then an {@link ObjectCodec} message that
   * is not {@link #SERIALIZED}.
   */
  static final int COMPACT = 30;
  /**
   * A value that has no compact form, written with Java serialization. In a message, only ever the
   * first tag, and the rest of the message is an {@code ObjectOutputStream}'s output: the compact
   * forms never mix with it. In a bootstrap frame, which holds several values, a length comes
   * first.
   */
  static final int SERIALIZED = 127;
  /** Tags from here to 255 are the ints from {@link #SMALL_INT_MIN} on; nothing follows. */
  static final int SMALL_INT_TAG = 128;
  /** The smallest int that is a tag alone. */
  static final int SMALL_INT_MIN = -16;
  /** The largest int that is a tag alone. */
  static final int SMALL_INT_MAX = SMALL_INT_MIN + 127;

  /**
   * The classes of List.of, Set.of and Map.of that {@link #LIST_OF}, {@link #SET_OF} and
   * {@link #MAP_OF} stand for: one for 1 or 2 elements (1 entry), one otherwise.
   */
  static final Class<?> LIST_12 = List.of(0).getClass();
  static final Class<?> LIST_N = List.of().getClass();
  static final Class<?> SET_12 = Set.of(0).getClass();
  static final Class<?> SET_N = Set.of().getClass();
  static final Class<?> MAP_1 = Map.of(0, 0).getClass();
  static final Class<?> MAP_N = Map.of().getClass();

  private Tags() {}

  /** The class {@link List#of} gives for {@code size} elements: what {@link #LIST_OF} reads. */
  static Class<?> listOfClass(int size) {
    return size == 1 || size == 2 ? LIST_12 : LIST_N;
  }

  /** The class {@link Set#of} gives for {@code size} elements. */
  static Class<?> setOfClass(int size) {
    return size == 1 || size == 2 ? SET_12 : SET_N;
  }

  /** The class {@link Map#of} gives for {@code size} entries. */
  static Class<?> mapOfClass(int size) {
    return size == 1 ? MAP_1 : MAP_N;
  }
}
