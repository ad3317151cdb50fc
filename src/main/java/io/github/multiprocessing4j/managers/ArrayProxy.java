package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.shared.TypeCode;
import java.util.List;

/**
 * A managed array: CPython's {@code manager.Array(typecode, sequence)} and its {@code ArrayProxy}
 * ({@code len(a)}, {@code a[i]}, {@code a[i] = x}), with the method names of the library's
 * shared-memory {@link io.github.multiprocessing4j.shared.Array}. The array lives in the manager's
 * process; its length is fixed, its items are of one {@link TypeCode} and take and return what a
 * {@link io.github.multiprocessing4j.shared.RawArray} of that typecode does (an integer type wraps
 * around as C does, a value of the wrong kind is refused with CPython's message).
 *
 * <p>Obtained from {@link SyncManager#array(char, List)} or {@link SyncManager#array(char, int)};
 * thread-safe. Each method is one call, carried out atomically in the manager's process (a slice
 * is read or written as a whole); a read-modify-write of several processes needs a lock, as
 * CPython's does. Results are copies.
 */
public interface ArrayProxy {

  /**
   * Returns the number of items: CPython's {@code len(a)}.
   *
   * @return the length
   */
  int length();

  /**
   * Returns the type of the items.
   *
   * @return the type
   */
  TypeCode typeCode();

  /**
   * Returns the item at {@code index}: CPython's {@code a[i]}.
   *
   * @param index the index; negative counts from the end
   * @return the item as its Java type (see {@link TypeCode})
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range (CPython's
   *     {@code IndexError})
   */
  Object get(int index);

  /**
   * Returns an item of the types {@code b B h H i} as an {@code int}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException if out of range
   * @throws UnsupportedOperationException for other types
   */
  int getInt(int index);

  /**
   * Returns an integer item as a {@code long}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException if out of range
   * @throws UnsupportedOperationException for a floating-point or character type
   */
  long getLong(int index);

  /**
   * Returns a numeric item as a {@code double}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException if out of range
   * @throws UnsupportedOperationException for a character type
   */
  double getDouble(int index);

  /**
   * Sets the item at {@code index}: CPython's {@code a[i] = x}.
   *
   * @param index the index; negative counts from the end
   * @param value the value, boxed, as {@link io.github.multiprocessing4j.shared.RawArray#set(int, Object)} takes it
   * @throws IndexOutOfBoundsException if out of range
   * @throws IllegalArgumentException for a value of the wrong kind, with CPython's message
   */
  void set(int index, Object value);

  /**
   * Sets an item from a {@code long}.
   *
   * @param index the index; negative counts from the end
   * @param value the value; an integer type wraps around as C does
   * @throws IndexOutOfBoundsException if out of range
   * @throws IllegalArgumentException as {@link io.github.multiprocessing4j.shared.RawArray#set(int, long)}
   */
  void set(int index, long value);

  /**
   * Sets an item of {@code 'f'} or {@code 'd'} from a {@code double}.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException if out of range
   * @throws IllegalArgumentException for another type, with CPython's message
   */
  void set(int index, double value);

  /**
   * Returns a copy of the items from {@code start} to before {@code stop}: CPython's
   * {@code a[start:stop]}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @return the items
   */
  List<Object> slice(int start, int stop);

  /**
   * Returns a copy of every item: CPython's {@code a[:]}.
   *
   * @return the items
   */
  List<Object> toList();

  /**
   * Sets the items from {@code start} to before {@code stop}: CPython's
   * {@code a[start:stop] = values}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @param values as many values as the slice has items; serializable
   * @throws IllegalArgumentException {@code "Can only assign sequence of same size"}, or for a
   *     value of the wrong kind
   */
  void setSlice(int start, int stop, List<?> values);
}
