package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.RLock;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * An array of numbers (or characters) in shared memory with a lock that several processes share:
 * CPython's {@code multiprocessing.Array(typecode, size_or_initializer)} (its
 * {@code SynchronizedArray} wrapper). The memory is a {@link RawArray} ({@link #getObj()}); the
 * lock is a new cross-process {@link RLock} unless one is given ({@link #getLock()}).
 *
 * <pre>{@code
 * Array a = Array.create('d', 3);                 // [0.0, 0.0, 0.0]
 * // in a child, given a as an argument:
 * try (Held held = a.hold()) {                    // CPython's `with a.get_lock():`
 *   a.set(0, a.getDouble(0) + 1.5);
 * }
 * }</pre>
 *
 * <p><b>Locking, as CPython.</b> Each method that reads or writes takes the lock for itself: one
 * item, or one slice as a whole. A read-modify-write needs the lock held around it
 * ({@link #hold()}); the lock-free atomic operations of {@link RawArray} ({@code getObj().getAndAdd(i,
 * 1)}, beyond CPython) need none.
 *
 * <p><b>Byte and character strings.</b> With typecode {@code 'c'} this is CPython's
 * {@code SynchronizedString}: {@link #value()}, {@link #setValue(byte[])}, {@link #raw()} and
 * {@link #setRaw(byte[])} are its {@code value} and {@code raw}, each under the lock; with
 * {@code 'u'}, {@link #stringValue()} and {@link #setValue(String)} give the {@code value} of
 * CPython's {@code c_wchar_Array} under the lock (see {@link RawArray}).
 *
 * <p><b>Sharing.</b> Pass it to a child as a {@link io.github.multiprocessing4j.Process} argument
 * (or through a queue or pipe): the memory and the lock travel by name. See {@link RawValue} for
 * how long the memory lives.
 *
 * <p><b>Thread-safety.</b> Thread-safe, across threads and processes.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class Array implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The memory. */
  private final RawArray obj;
  /** A {@link Lock} or an {@link RLock}. */
  private final java.util.concurrent.locks.Lock lock;

  private Array(RawArray obj, java.util.concurrent.locks.Lock lock) {
    this.obj = obj;
    this.lock = lock;
  }

  /**
   * Creates an array of {@code length} zeros with a new {@link RLock}: CPython's
   * {@code Array(typecode, length)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u} (see {@link TypeCode})
   * @param length the number of items
   * @return the array
   * @throws IllegalArgumentException for an unknown typecode or a negative length
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static Array create(char typecode, int length) {
    return new Array(RawArray.create(typecode, length), new RLock());
  }

  /**
   * Creates an array holding {@code values} with a new {@link RLock}: CPython's
   * {@code Array(typecode, sequence)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u} (see {@link TypeCode})
   * @param values the initial items, as {@link RawArray#of(char, List)} takes them
   * @return the array
   * @throws IllegalArgumentException for an unknown typecode or a value of the wrong kind
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static Array of(char typecode, List<?> values) {
    return new Array(RawArray.of(typecode, values), new RLock());
  }

  /**
   * Wraps an array with a given lock: CPython's {@code Array(typecode, ..., lock=lock)}, e.g. to
   * guard several arrays with one {@link RLock}. A {@link Lock} is not reentrant: a read while
   * holding it through {@link #hold()} waits for ever, as in CPython.
   *
   * @param obj the memory, from {@link RawArray#create} or {@link RawArray#of}
   * @param lock a {@link Lock} or an {@link RLock}
   * @return the array
   * @throws IllegalArgumentException if the lock is another kind of lock (it must work across
   *     processes)
   */
  public static Array of(RawArray obj, java.util.concurrent.locks.Lock lock) {
    Objects.requireNonNull(obj, "obj");
    return new Array(obj, checkLock(lock));
  }

  static java.util.concurrent.locks.Lock checkLock(java.util.concurrent.locks.Lock lock) {
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new IllegalArgumentException("the lock must be an io.github.multiprocessing4j.sync.Lock or RLock,"
          + " which work across processes, not a " + lock.getClass().getName());
    }
    return lock;
  }

  /**
   * Returns the memory without its lock: CPython's {@code get_obj()}.
   *
   * @return the raw array
   */
  public RawArray getObj() {
    return obj;
  }

  /**
   * Returns the lock: CPython's {@code get_lock()}, an {@link RLock} unless another was given.
   *
   * @return the lock, a {@link Lock} or an {@link RLock}
   */
  public java.util.concurrent.locks.Lock getLock() {
    return lock;
  }

  /**
   * Takes the lock for try-with-resources: CPython's {@code with a.get_lock():}. The {@link Held}
   * tells whether the previous owner died holding it.
   *
   * @return the held lock; closing it releases the lock
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold() throws InterruptedException {
    return lock instanceof RLock ? ((RLock) lock).hold() : ((Lock) lock).hold();
  }

  /**
   * Returns the number of items: CPython's {@code len(a)}. Needs no lock (it never changes).
   *
   * @return the length
   */
  public int length() {
    return obj.length();
  }

  /**
   * Returns the type.
   *
   * @return the type
   */
  public TypeCode typeCode() {
    return obj.typeCode();
  }

  /**
   * Returns the item at {@code index} under the lock: CPython's {@code a[i]}.
   *
   * @param index the index; negative counts from the end
   * @return the item as its Java type (see {@link TypeCode})
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   */
  public Object get(int index) {
    lock.lock();
    try {
      return obj.get(index);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets the item at {@code index} under the lock: CPython's {@code a[i] = x}, wrapping around as C.
   *
   * @param index the index; negative counts from the end
   * @param value the value, as {@link RawArray#set(int, Object)} takes it
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException for a value of the wrong kind, with CPython's message
   */
  public void set(int index, Object value) {
    lock.lock();
    try {
      obj.set(index, value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets an integer item under the lock, as {@link RawArray#set(int, long)}.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException as {@link RawArray#set(int, long)}
   */
  public void set(int index, long value) {
    lock.lock();
    try {
      obj.set(index, value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets a floating-point item under the lock, as {@link RawArray#set(int, double)}.
   *
   * @param index the index; negative counts from the end
   * @param value the value
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws IllegalArgumentException as {@link RawArray#set(int, double)}
   */
  public void set(int index, double value) {
    lock.lock();
    try {
      obj.set(index, value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an item under the lock, as {@link RawArray#getInt(int)}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException as {@link RawArray#getInt(int)}
   */
  public int getInt(int index) {
    lock.lock();
    try {
      return obj.getInt(index);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an item under the lock, as {@link RawArray#getLong(int)}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException as {@link RawArray#getLong(int)}
   */
  public long getLong(int index) {
    lock.lock();
    try {
      return obj.getLong(index);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an item under the lock, as {@link RawArray#getDouble(int)}.
   *
   * @param index the index; negative counts from the end
   * @return the item
   * @throws IndexOutOfBoundsException {@code "invalid index ..."} if out of range
   * @throws UnsupportedOperationException as {@link RawArray#getDouble(int)}
   */
  public double getDouble(int index) {
    lock.lock();
    try {
      return obj.getDouble(index);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns items under the lock (one hold for all of them): CPython's {@code a[start:stop]}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @return the items
   */
  public List<Object> slice(int start, int stop) {
    lock.lock();
    try {
      return obj.slice(start, stop);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns every item under the lock (one hold): CPython's {@code a[:]}.
   *
   * @return the items
   */
  public List<Object> toList() {
    lock.lock();
    try {
      return obj.toList();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets items under the lock (one hold for all of them): CPython's {@code a[start:stop] = values}.
   *
   * @param start the first index, negative from the end, clamped
   * @param stop the index after the last, negative from the end, clamped
   * @param values as many values as the slice has items
   * @throws IllegalArgumentException {@code "Can only assign sequence of same size"}, or for a value of the wrong kind
   */
  public void setSlice(int start, int stop, List<?> values) {
    lock.lock();
    try {
      obj.setSlice(start, stop, values);
    } finally {
      lock.unlock();
    }
  }

  // ---- 'c' arrays as byte strings (CPython's SynchronizedString) and 'u' arrays as strings

  /**
   * Returns the bytes of a {@code 'c'} array up to the first NUL, read under the lock: CPython's
   * {@code value} of a {@code SynchronizedString}. See {@link RawArray#value()}.
   *
   * @return a new array of the bytes before the first NUL
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'}
   */
  public byte[] value() {
    lock.lock();
    try {
      return obj.value();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores a byte string, followed by one NUL if it is shorter than the array, under the lock:
   * CPython's {@code value = b'...'} of a {@code SynchronizedString}. See
   * {@link RawArray#setValue(byte[])}.
   *
   * @param bytes at most {@link #length()} bytes
   * @throws IllegalArgumentException {@code "byte string too long ..."} (CPython's
   *     {@code ValueError}) if there are more bytes than items; for a {@code 'u'} array,
   *     {@code "unicode string expected instead of byte[] instance ..."}
   * @throws UnsupportedOperationException if the typecode is neither {@code 'c'} nor {@code 'u'}
   */
  public void setValue(byte[] bytes) {
    lock.lock();
    try {
      obj.setValue(bytes);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns every byte of a {@code 'c'} array, read under the lock: CPython's {@code raw} of a
   * {@code SynchronizedString}. See {@link RawArray#raw()}.
   *
   * @return a new array of {@link #length()} bytes
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'}
   */
  public byte[] raw() {
    lock.lock();
    try {
      return obj.raw();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores bytes as they are (no NUL added) under the lock: CPython's {@code raw = b'...'} of a
   * {@code SynchronizedString}. See {@link RawArray#setRaw(byte[])}.
   *
   * @param bytes at most {@link #length()} bytes
   * @throws IllegalArgumentException {@code "byte string too long ..."} (CPython's
   *     {@code ValueError}) if there are more bytes than items
   * @throws UnsupportedOperationException if the typecode is not {@code 'c'}
   */
  public void setRaw(byte[] bytes) {
    lock.lock();
    try {
      obj.setRaw(bytes);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the characters of a {@code 'u'} array up to the first NUL, read under the lock: the
   * {@code value} of CPython's {@code c_wchar_Array} (CPython's locked {@code 'u'} array has no
   * {@code value}; there it is {@code a.get_obj().value}, without the lock). See
   * {@link RawArray#stringValue()}.
   *
   * @return the string
   * @throws UnsupportedOperationException if the typecode is not {@code 'u'}
   */
  public String stringValue() {
    lock.lock();
    try {
      return obj.stringValue();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores a string, followed by one NUL if it is shorter than the array, under the lock: the
   * {@code value = '...'} of CPython's {@code c_wchar_Array} (see {@link #stringValue()}). See
   * {@link RawArray#setValue(String)}.
   *
   * @param text at most {@link #length()} code points
   * @throws IllegalArgumentException {@code "string too long ..."} (CPython's {@code ValueError});
   *     for a {@code 'c'} array, {@code "bytes expected instead of String instance ..."}
   * @throws UnsupportedOperationException if the typecode is neither {@code 'c'} nor {@code 'u'}
   */
  public void setValue(String text) {
    lock.lock();
    try {
      obj.setValue(text);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an independent copy with a new {@link RLock}, its items read under this array's lock
   * (so no holder of the lock changes them meanwhile). Beyond CPython, whose
   * {@code sharedctypes.copy(obj)} takes only raw arrays ({@link RawArray#copy()}); the copy's lock
   * is a new {@link RLock} even if this array has another lock, since sharing the lock would make
   * the copy less independent.
   *
   * @return the copy, of the same type and length
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public Array copy() {
    RawArray copied;
    lock.lock();
    try {
      copied = obj.copy();
    } finally {
      lock.unlock();
    }
    return new Array(copied, new RLock());
  }

  /**
   * Returns CPython's repr: {@code <SynchronizedArray wrapper for c_int_Array_3([1, 2, 3])>}, and
   * for {@code 'c'} {@code <SynchronizedString wrapper for c_char_Array_2([b'a', b'b'])>} (CPython's
   * class for them).
   *
   * @return the description
   */
  @Override
  public String toString() {
    String wrapper = obj.typeCode() == TypeCode.CHAR ? "SynchronizedString" : "SynchronizedArray";
    return "<" + wrapper + " wrapper for " + obj + ">";
  }
}
