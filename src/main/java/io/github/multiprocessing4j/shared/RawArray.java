package io.github.multiprocessing4j.shared;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fixed-length array of numbers (or characters) in shared memory, read and written by several
 * processes without a lock: CPython's {@code multiprocessing.RawArray}
 * ({@code Array(typecode, size_or_initializer, lock=False)}), plus atomic operations on its items.
 *
 * <pre>{@code
 * RawArray a = RawArray.of('d', 1.0, 2.0, 3.0);
 * Process p = Process.builder().target(args -> {
 *   RawArray same = args.get(0, RawArray.class);       // the same memory in the child
 *   for (int i = 0; i < same.length(); i++) same.set(i, -same.getDouble(i));
 * }).args(a).build();
 * p.start();
 * p.join();
 * System.out.println(a.toList());                      // [-1.0, -2.0, -3.0]
 * }</pre>
 *
 * <p><b>Types and values</b> are those of {@link RawValue} (see {@link TypeCode}): C wrap-around
 * for integer types, CPython's messages for a value of the wrong kind.
 *
 * <p><b>Indexes</b> are Python's: {@code -1} is the last item; an index outside
 * {@code -length() .. length()-1} throws {@link IndexOutOfBoundsException} with CPython's message
 * ({@code "invalid index 5 (length 3)"}). Ranges ({@link #slice}, {@link #setSlice}) are Python
 * slices {@code a[start:stop]}: negative bounds count from the end and bounds outside the array
 * are clamped; assigning a sequence of another length than the range throws
 * {@link IllegalArgumentException} {@code "Can only assign sequence of same size"}.
 *
 * <p><b>Atomicity.</b> Each item's read, write and atomic operation ({@link #getAndAdd(int, long)},
 * {@link #compareAndSet(int, long, long)}, ...) is atomic across threads and processes, as for
 * {@link RawValue}; a range read or write is not atomic as a whole (items are read or written one
 * after the other): guard it with a lock when other processes write meanwhile.
 *
 * <p><b>Byte and character strings.</b> A {@code 'c'} array is CPython's {@code c_char_Array}:
 * {@link #value()}/{@link #setValue(byte[])} are its {@code value} (the bytes up to the first NUL;
 * storing adds one NUL if there is room), {@link #raw()}/{@link #setRaw(byte[])} its {@code raw}
 * (every byte). A {@code 'u'} array is CPython's {@code c_wchar_Array}: {@link #stringValue()}/
 * {@link #setValue(String)} are its {@code value}, a string. {@link #copy()} is CPython's
 * {@code sharedctypes.copy(obj)}.
 *
 * <p><b>Sharing</b> works as for {@link RawValue}: pass the array as a
 * {@link io.github.multiprocessing4j.Process} argument (to children or grandchildren, or through a
 * queue or pipe); see {@link RawValue} for how long the memory lives.
 *
 * <p><b>Thread-safety.</b> Thread-safe, with the atomicity above.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class RawArray implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int REPR_ITEMS = 20;

  private final transient TypedSegment cells;

  RawArray(TypedSegment cells) {
    this.cells = cells;
  }

  /**
   * Creates a zero-filled array: CPython's {@code RawArray(typecode, length)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param length its length, 0 or more
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode ({@code "this type has no size: ..."})
   *     or a negative length
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray create(char typecode, int length) {
    return create(TypeCode.of(typecode), length);
  }

  /**
   * Creates a zero-filled array of the given type.
   *
   * @param type the type
   * @param length its length, 0 or more
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for a negative length
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray create(TypeCode type, int length) {
    return new RawArray(TypedSegment.create(type, length, true));
  }

  /**
   * Creates an array holding {@code values}: CPython's {@code RawArray(typecode, [1, 2, 3])}.
   * Integer types wrap around as C; {@code 'f'} and {@code 'd'} convert.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param values the items
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, or an item {@code 'c'} or {@code 'u'}
   *     cannot hold
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, int... values) {
    long[] ls = new long[values.length];
    for (int i = 0; i < ls.length; i++) {
      ls[i] = values[i];
    }
    return of(typecode, ls);
  }

  /**
   * Creates an array holding {@code values}. Integer types wrap around as C; {@code 'f'} and
   * {@code 'd'} convert.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param values the items
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, or an item {@code 'c'} or {@code 'u'}
   *     cannot hold
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, long... values) {
    TypeCode t = TypeCode.of(typecode);
    TypedSegment probe = TypedSegment.probe(t, values.length);
    long[] bits = new long[values.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = probe.bitsOf(values[i], at(t, values.length, i));
    }
    return filled(t, bits);
  }

  /**
   * Creates an array of {@code 'f'} or {@code 'd'} holding {@code values}.
   *
   * @param typecode {@code 'f'} or {@code 'd'}
   * @param values the items
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, or an integer typecode
   *     ({@code "'Double' object cannot be interpreted as an integer ..."}, as CPython)
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, double... values) {
    TypeCode t = TypeCode.of(typecode);
    TypedSegment probe = TypedSegment.probe(t, values.length);
    long[] bits = new long[values.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = probe.bitsOf(values[i], at(t, values.length, i));
    }
    return filled(t, bits);
  }

  /**
   * Creates an array of {@code 'c'} holding {@code bytes}: CPython's {@code RawArray('c', b'abc')}.
   *
   * @param typecode {@code 'c'}, or an integer typecode (each byte taken as a signed value)
   * @param bytes the items
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, {@code 'f'}, {@code 'd'} or {@code 'u'}
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, byte[] bytes) {
    List<Object> items = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      items.add(b);
    }
    return of(typecode, items);
  }

  /**
   * Creates an array of {@code 'u'} holding the code points of {@code text}: CPython's
   * {@code RawArray('u', 'hello')}.
   *
   * @param typecode {@code 'u'}
   * @param text the characters
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for another typecode
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, String text) {
    List<Object> items = new ArrayList<>();
    text.codePoints().forEach(cp -> items.add(new String(Character.toChars(cp))));
    return of(typecode, items);
  }

  /**
   * Creates an array holding {@code values}, each as {@link RawValue#set(Object)} takes it.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param values the items
   * @return the array, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, or an item of the wrong kind, naming
   *     its index
   * @throws NullPointerException if an item is null, naming its index
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawArray of(char typecode, List<?> values) {
    TypeCode t = TypeCode.of(typecode);
    TypedSegment probe = TypedSegment.probe(t, values.size());
    long[] bits = new long[values.size()];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = probe.bitsOfObject(values.get(i), at(t, bits.length, i));
    }
    return filled(t, bits);
  }

  private static RawArray filled(TypeCode t, long[] bits) {
    TypedSegment c = TypedSegment.create(t, bits.length, true);
    for (int i = 0; i < bits.length; i++) {
      c.setBits(i, bits[i]);
    }
    return new RawArray(c);
  }

  private static String at(TypeCode t, int length, int i) {
    return " at index " + i + " of RawArray('" + t.code() + "', " + length + ")";
  }

  private String at(int i) {
    return at(cells.type, cells.length, i);
  }

  /**
   * Returns the number of items: CPython's {@code len(a)}.
   *
   * @return the length
   */
  public int length() {
    return cells.length;
  }

  /**
   * Returns the type of the items.
   *
   * @return the type
   */
  public TypeCode typeCode() {
    return cells.type;
  }

  // ---- one item

  /**
   * Returns an item as its Java type (see {@link TypeCode}): CPython's {@code a[index]}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   */
  public Object get(int index) {
    return cells.box(cells.bits(cells.index(index)));
  }

  /**
   * Sets an item: CPython's {@code a[index] = value}, taking what {@link RawValue#set(Object)}
   * takes.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException for a value of the wrong kind, with CPython's message
   */
  public void set(int index, Object value) {
    int i = cells.index(index);
    if (value == null) {
      throw new NullPointerException("value" + at(i) + " is null");
    }
    long bits;
    try {
      bits = cells.bitsOfObject(value, "");
    } catch (IllegalArgumentException e) {
      throw located(e, i);
    }
    cells.setBits(i, bits);
  }

  /**
   * Sets an item from a {@code long}, as {@link RawValue#set(long)}.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException for {@code 'c'} outside 0..255, or {@code 'u'} not a code point
   */
  public void set(int index, long value) {
    int i = cells.index(index);
    long bits;
    try {
      bits = cells.bitsOf(value, "");
    } catch (IllegalArgumentException e) {
      throw located(e, i);
    }
    cells.setBits(i, bits);
  }

  /**
   * Sets an item of {@code 'f'} or {@code 'd'} from a {@code double}.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException for another type, with CPython's message
   */
  public void set(int index, double value) {
    int i = cells.index(index);
    long bits;
    try {
      bits = cells.bitsOf(value, "");
    } catch (IllegalArgumentException e) {
      throw located(e, i);
    }
    cells.setBits(i, bits);
  }

  /**
   * The error of a single-item set, with the item's place appended, as the codec's messages end
   * with it. Built only on failure: a set that built its message every time cost 20 ns.
   */
  private IllegalArgumentException located(IllegalArgumentException e, int i) {
    return new IllegalArgumentException(e.getMessage() + at(i), e.getCause());
  }

  /**
   * Returns an item of the types {@code b B h H i} as an {@code int}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException for other types
   */
  public int getInt(int index) {
    return cells.getInt(cells.index(index), "getInt(int)");
  }

  /**
   * Returns an item of an integer type as a {@code long} (the unsigned 64-bit types as their bits).
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException for {@code 'f'}, {@code 'd'}, {@code 'c'} and {@code 'u'}
   */
  public long getLong(int index) {
    return cells.asLong(cells.bits(cells.index(index)), "getLong(int)");
  }

  /**
   * Returns an item of a numeric type as a {@code double}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException for {@code 'c'} and {@code 'u'}
   */
  public double getDouble(int index) {
    return cells.asDouble(cells.bits(cells.index(index)), "getDouble(int)");
  }

  // ---- ranges

  /**
   * Returns the items of a range, as their Java types: CPython's {@code a[start:stop]}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @return the items (empty if {@code stop <= start} after clamping)
   */
  public List<Object> slice(int start, int stop) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    List<Object> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(cells.box(cells.bits(i)));
    }
    return out;
  }

  /**
   * Returns every item: CPython's {@code a[:]} / {@code list(a)}.
   *
   * @return the items
   */
  public List<Object> toList() {
    return slice(0, cells.length);
  }

  /**
   * Returns the items of a range of an integer type, as {@link #getLong(int)} reads them.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @return the items
   * @throws UnsupportedOperationException for {@code 'f'}, {@code 'd'}, {@code 'c'} and {@code 'u'}
   */
  public long[] getLongs(int start, int stop) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    if (!cells.type.isInteger()) {
      cells.asLong(0, "getLongs(int, int)"); // throws
    }
    long[] out = new long[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = cells.asLong(cells.bits(i), "getLongs(int, int)");
    }
    return out;
  }

  /**
   * Returns the items of a range of a numeric type, as {@link #getDouble(int)} reads them.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @return the items
   * @throws UnsupportedOperationException for {@code 'c'} and {@code 'u'}
   */
  public double[] getDoubles(int start, int stop) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    if (!cells.type.isInteger() && !cells.type.isFloatingPoint()) {
      cells.asDouble(0, "getDoubles(int, int)"); // throws
    }
    double[] out = new double[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = cells.asDouble(cells.bits(i), "getDoubles(int, int)");
    }
    return out;
  }

  /**
   * Replaces the items of a range: CPython's {@code a[start:stop] = values}. Every value is checked
   * before any item changes.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @param values as many values as the range has items, as {@link #set(int, Object)} takes them
   * @throws IllegalArgumentException {@code "Can only assign sequence of same size"} if there are
   *     more or fewer values than items, or a value of the wrong kind
   * @throws NullPointerException if a value is null
   */
  public void setSlice(int start, int stop, List<?> values) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    checkSameSize(to - from, values.size());
    long[] bits = new long[values.size()];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = cells.bitsOfObject(values.get(i), at(from + i));
    }
    store(from, bits);
  }

  /**
   * Replaces the items of a range from {@code long}s, as {@link #set(int, long)}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @param values as many values as the range has items
   * @throws IllegalArgumentException {@code "Can only assign sequence of same size"} if there are
   *     more or fewer values than items, or a value {@code 'c'} or {@code 'u'} cannot hold
   */
  public void setSlice(int start, int stop, long... values) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    checkSameSize(to - from, values.length);
    long[] bits = new long[values.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = cells.bitsOf(values[i], at(from + i));
    }
    store(from, bits);
  }

  /**
   * Replaces the items of a range of {@code 'f'} or {@code 'd'} from {@code double}s.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @param values as many values as the range has items
   * @throws IllegalArgumentException {@code "Can only assign sequence of same size"} if there are
   *     more or fewer values than items, or for another type
   */
  public void setSlice(int start, int stop, double... values) {
    int from = clamp(start);
    int to = Math.max(from, clamp(stop));
    checkSameSize(to - from, values.length);
    long[] bits = new long[values.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = cells.bitsOf(values[i], at(from + i));
    }
    store(from, bits);
  }

  private static void checkSameSize(int items, int values) {
    if (items != values) {
      throw new IllegalArgumentException("Can only assign sequence of same size: the range has " + items
          + " items, " + values + " values given");
    }
  }

  private void store(int from, long[] bits) {
    for (int i = 0; i < bits.length; i++) {
      cells.setBits(from + i, bits[i]);
    }
  }

  /** Python's slice bound: negative from the end, clamped to 0..length. */
  private int clamp(int bound) {
    int b = bound < 0 ? bound + cells.length : bound;
    return Math.max(0, Math.min(cells.length, b));
  }

  // ---- atomic operations on integer types

  /**
   * Atomically adds {@code delta} to an item (wrapping around as C) and returns its previous value.
   *
   * @param index the index; negative counts from the end
   * @param delta what to add
   * @return the item before
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long getAndAdd(int index, long delta) {
    return cells.getAndAdd(cells.index(index), delta, "getAndAdd(int, long)");
  }

  /**
   * Atomically adds {@code delta} to an item (wrapping around as C) and returns its new value.
   *
   * @param index the index; negative counts from the end
   * @param delta what to add
   * @return the item after
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long addAndGet(int index, long delta) {
    return cells.addAndGet(cells.index(index), delta, "addAndGet(int, long)");
  }

  /**
   * Atomically adds 1 to an item and returns its new value.
   *
   * @param index the index; negative counts from the end
   * @return the item after
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long incrementAndGet(int index) {
    return cells.addAndGet(cells.index(index), 1, "incrementAndGet(int)");
  }

  /**
   * Atomically subtracts 1 from an item and returns its new value.
   *
   * @param index the index; negative counts from the end
   * @return the item after
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long decrementAndGet(int index) {
    return cells.addAndGet(cells.index(index), -1, "decrementAndGet(int)");
  }

  /**
   * Atomically sets an item (wrapping around as C) and returns its previous value.
   *
   * @param index the index; negative counts from the end
   * @param value the new value
   * @return the item before
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long getAndSet(int index, long value) {
    return cells.getAndSet(cells.index(index), value, "getAndSet(int, long)");
  }

  /**
   * Atomically sets an item to {@code value} if it is {@code expected}; both wrap around as C first.
   *
   * @param index the index; negative counts from the end
   * @param expected the value expected
   * @param value the new value
   * @return whether the item was {@code expected} and is now {@code value}
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public boolean compareAndSet(int index, long expected, long value) {
    return cells.compareAndSet(cells.index(index), expected, value, "compareAndSet(int, long, long)");
  }

  // ---- atomic operations on 'f' and 'd'

  /**
   * Atomically adds {@code delta} to an item of {@code 'f'} or {@code 'd'} and returns its previous
   * value.
   *
   * @param index the index; negative counts from the end
   * @param delta what to add
   * @return the item before
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double getAndAdd(int index, double delta) {
    return cells.getAndAdd(cells.index(index), delta, "getAndAdd(int, double)");
  }

  /**
   * Atomically adds {@code delta} to an item of {@code 'f'} or {@code 'd'} and returns its new value.
   *
   * @param index the index; negative counts from the end
   * @param delta what to add
   * @return the item after
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double addAndGet(int index, double delta) {
    return cells.addAndGet(cells.index(index), delta, "addAndGet(int, double)");
  }

  /**
   * Atomically sets an item of {@code 'f'} or {@code 'd'} and returns its previous value.
   *
   * @param index the index; negative counts from the end
   * @param value the new value
   * @return the item before
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double getAndSet(int index, double value) {
    return cells.getAndSet(cells.index(index), value, "getAndSet(int, double)");
  }

  /**
   * Atomically sets an item of {@code 'f'} or {@code 'd'} if it is {@code expected}, comparing bits
   * as {@link RawValue#compareAndSet(double, double)}.
   *
   * @param index the index; negative counts from the end
   * @param expected the value expected
   * @param value the new value
   * @return whether the item was {@code expected} and is now {@code value}
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public boolean compareAndSet(int index, double expected, double value) {
    return cells.compareAndSet(cells.index(index), expected, value, "compareAndSet(int, double, double)");
  }

  // ---- 'c' arrays as byte strings and 'u' arrays as strings: CPython's c_char_Array and c_wchar_Array

  /**
   * Returns the bytes of a {@code 'c'} array up to the first NUL (all of them if there is none):
   * CPython's {@code value} of a {@code c_char_Array} ({@code RawArray('c', b'ab\0cd').value == b'ab'}).
   * Not atomic as a whole: the bytes are read one after the other (the locked {@link Array#value()}
   * reads them under its lock).
   *
   * @return a new array of the bytes before the first NUL
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'} (for {@code 'u'}:
   *     use {@link #stringValue()})
   */
  public byte[] value() {
    requireChar("value()");
    byte[] out = new byte[cells.length];
    int n = 0;
    while (n < out.length) { // each byte read once: another process may be writing
      byte b = (byte) cells.bits(n);
      if (b == 0) {
        break;
      }
      out[n++] = b;
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Stores a byte string at the start of a {@code 'c'} array, followed by one NUL if it is shorter
   * than the array: CPython's {@code value = b'...'} of a {@code c_char_Array}. The bytes after that
   * NUL keep their values ({@link #raw()} still shows them), as in CPython. Not atomic as a whole
   * (see {@link #value()}).
   *
   * @param bytes at most {@link #length()} bytes (NULs inside are stored too, and end
   *     {@link #value()} there)
   * @throws IllegalArgumentException {@code "byte string too long: 4 bytes for RawArray('c', 3)"}
   *     (CPython's {@code ValueError}) if there are more bytes than items; nothing is stored then.
   *     For a {@code 'u'} array, {@code "unicode string expected instead of byte[] instance ..."}
   *     (CPython's {@code TypeError})
   * @throws UnsupportedOperationException if the typecode is neither {@code 'c'} nor {@code 'u'}
   */
  public void setValue(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (cells.type == TypeCode.WCHAR) {
      throw new IllegalArgumentException("unicode string expected instead of byte[] instance" + where()
          + ": use setValue(String)");
    }
    requireChar("setValue(byte[])");
    checkBytesFit(bytes);
    storeBytes(bytes);
    if (bytes.length < cells.length) {
      cells.setBits(bytes.length, 0);
    }
  }

  /**
   * Returns every byte of a {@code 'c'} array, NULs included: CPython's {@code raw} of a
   * {@code c_char_Array}. Not atomic as a whole (see {@link #value()}).
   *
   * @return a new array of {@link #length()} bytes
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'} (CPython's
   *     {@code c_wchar_Array} has no {@code raw} either)
   */
  public byte[] raw() {
    requireChar("raw()");
    byte[] out = new byte[cells.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) cells.bits(i);
    }
    return out;
  }

  /**
   * Stores bytes at the start of a {@code 'c'} array, as they are (no NUL is added; the bytes after
   * them keep their values): CPython's {@code raw = b'...'} of a {@code c_char_Array}. Not atomic
   * as a whole (see {@link #value()}).
   *
   * @param bytes at most {@link #length()} bytes
   * @throws IllegalArgumentException {@code "byte string too long: 4 bytes for RawArray('c', 3)"}
   *     (CPython's {@code ValueError}) if there are more bytes than items; nothing is stored then
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'}
   */
  public void setRaw(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    requireChar("setRaw(byte[])");
    checkBytesFit(bytes);
    storeBytes(bytes);
  }

  /**
   * Returns the characters of a {@code 'u'} array up to the first NUL (all of them if there is
   * none): CPython's {@code value} of a {@code c_wchar_Array}, a {@code str}. Not atomic as a whole
   * (see {@link #value()}).
   *
   * @return the string; each item is one code point (a supplementary character is one item and two
   *     Java {@code char}s)
   * @throws UnsupportedOperationException if the typecode is not {@code 'u'} (for {@code 'c'}: use
   *     {@link #value()})
   */
  public String stringValue() {
    if (cells.type != TypeCode.WCHAR) {
      throw wrongType("stringValue()", "'u' arrays (CPython's c_wchar_Array)",
          cells.type == TypeCode.CHAR ? "use value(), which returns the bytes" : null, "value");
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      int cp = (int) cells.bits(i);
      if (cp == 0) {
        break;
      }
      b.appendCodePoint(Character.isValidCodePoint(cp) ? cp : 0xFFFD);
    }
    return b.toString();
  }

  /**
   * Stores a string at the start of a {@code 'u'} array, one code point per item, followed by one
   * NUL if it is shorter than the array: CPython's {@code value = '...'} of a {@code c_wchar_Array}.
   * The items after that NUL keep their values. Not atomic as a whole (see {@link #value()}).
   *
   * @param text at most {@link #length()} code points
   * @throws IllegalArgumentException {@code "string too long: 4 characters for RawArray('u', 3)"}
   *     (CPython's {@code ValueError}) if it has more code points than the array has items, or an
   *     unpaired surrogate ({@code 'u'} items are code points); nothing is stored then. For a
   *     {@code 'c'} array, {@code "bytes expected instead of String instance ..."} (CPython's
   *     {@code TypeError})
   * @throws UnsupportedOperationException if the typecode is neither {@code 'c'} nor {@code 'u'}
   */
  public void setValue(String text) {
    Objects.requireNonNull(text, "text");
    if (cells.type == TypeCode.CHAR) {
      throw new IllegalArgumentException("bytes expected instead of String instance" + where()
          + ": use setValue(byte[])");
    }
    if (cells.type != TypeCode.WCHAR) {
      throw wrongType("setValue(String)", "'u' arrays (CPython's c_wchar_Array)", null, "value");
    }
    int[] cps = text.codePoints().toArray();
    if (cps.length > cells.length) {
      throw new IllegalArgumentException("string too long: " + cps.length + " characters" + where());
    }
    long[] bits = new long[cps.length];
    for (int i = 0; i < cps.length; i++) {
      bits[i] = cells.bitsOf(cps[i], at(i)); // refuses an unpaired surrogate before anything is stored
    }
    store(0, bits);
    if (cps.length < cells.length) {
      cells.setBits(cps.length, 0);
    }
  }

  private void requireChar(String method) {
    if (cells.type != TypeCode.CHAR) {
      String property = method.startsWith("raw") || method.startsWith("setRaw") ? "raw" : "value";
      throw wrongType(method, "'c' arrays (CPython's c_char_Array)",
          cells.type == TypeCode.WCHAR && property.equals("value")
              ? "use stringValue() and setValue(String), which take a String" : null, property);
    }
  }

  /**
   * The error of a byte- or character-string method on an array of another type, with CPython's
   * AttributeError text when CPython has no such property at all.
   */
  private UnsupportedOperationException wrongType(String method, String forWhat, String hint, String property) {
    String tail = hint != null ? hint
        : "'" + cells.type.ctypeName() + "_Array_" + cells.length + "' object has no attribute '" + property + "'";
    return new UnsupportedOperationException(method + " is for " + forWhat + ", not '" + cells.type.code() + "': "
        + tail);
  }

  private void checkBytesFit(byte[] bytes) {
    if (bytes.length > cells.length) {
      throw new IllegalArgumentException("byte string too long: " + bytes.length + " bytes" + where());
    }
  }

  private void storeBytes(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      cells.setBits(i, bytes[i] & 0xFFL);
    }
  }

  private String where() {
    return " for RawArray('" + cells.type.code() + "', " + cells.length + ")";
  }

  // ---- copies

  /**
   * Returns an independent copy in new shared memory: CPython's
   * {@code multiprocessing.sharedctypes.copy(obj)}. Later changes to either array do not show in
   * the other. The items are read one after the other, not atomically as a whole: copy a locked
   * {@link Array} ({@link Array#copy()}) to copy under its lock.
   *
   * @return the copy, of the same type and length
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public RawArray copy() {
    TypedSegment c = TypedSegment.create(cells.type, cells.length, true);
    for (int i = 0; i < cells.length; i++) {
      c.setBits(i, cells.bits(i));
    }
    return new RawArray(c);
  }

  /**
   * Returns a description in the spirit of CPython's ctypes array type name, with the items (the
   * first 20): {@code c_int_Array_3([1, 2, 3])}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(cells.type.ctypeName()).append("_Array_").append(cells.length).append("([");
    int n = Math.min(cells.length, REPR_ITEMS);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(cells.repr(cells.bits(i)));
    }
    if (n < cells.length) {
      b.append(", ...");
    }
    return b.append("])").toString();
  }

  /**
   * Serializes as the name of the memory: the receiving process attaches to it.
   *
   * @return the serialized form
   */
  private Object writeReplace() {
    return cells.ref(true);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a RawArray is deserialized through its reference only");
  }
}
