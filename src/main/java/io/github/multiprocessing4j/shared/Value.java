package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.RLock;
import java.io.Serializable;
import java.util.Objects;

/**
 * One number (or character) in shared memory with a lock that several processes share:
 * CPython's {@code multiprocessing.Value(typecode, value)} (its {@code Synchronized} wrapper). The
 * memory is a {@link RawValue} ({@link #getObj()}); the lock is a new cross-process
 * {@link RLock} unless one is given ({@link #getLock()}).
 *
 * <pre>{@code
 * Value counter = Value.create('i', 0);
 * // in each of several processes, given counter as an argument:
 * try (Held held = counter.hold()) {       // CPython's `with counter.get_lock():`
 *   counter.set(counter.getInt() + 1);      // a read-modify-write no other holder interleaves
 * }
 * }</pre>
 *
 * <p><b>Locking, as CPython.</b> {@link #get()}, {@link #set(Object)} and the typed getters and
 * setters each take the lock for themselves, so {@code v.set(v.getInt() + 1)} alone is not atomic:
 * hold the lock around both ({@link #hold()}), or use an atomic operation. The atomic operations
 * ({@link #getAndAdd(long)}, {@link #incrementAndGet()}, {@link #compareAndSet(long, long)}, ...;
 * beyond CPython) take no lock at all: they are single atomic instructions on the shared memory,
 * never lost whatever other processes do, and much faster than a locked read-modify-write.
 *
 * <p><b>Sharing.</b> Pass it to a child as a {@link io.github.multiprocessing4j.Process} argument
 * (or through a queue or pipe): the memory and the lock travel by name, and the child uses the
 * same ones. See {@link RawValue} for how long the memory lives.
 *
 * <p><b>Thread-safety.</b> Thread-safe, across threads and processes.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class Value implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The memory. */
  private final RawValue obj;
  /** A {@link Lock} or an {@link RLock}. */
  private final java.util.concurrent.locks.Lock lock;

  private Value(RawValue obj, java.util.concurrent.locks.Lock lock) {
    this.obj = obj;
    this.lock = lock;
  }

  /**
   * Creates a value of the type {@code typecode}, zero, with a new {@link RLock}: CPython's
   * {@code Value(typecode)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u} (see {@link TypeCode})
   * @return the value
   * @throws IllegalArgumentException for an unknown typecode
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static Value create(char typecode) {
    return new Value(RawValue.create(typecode), new RLock());
  }

  /**
   * Creates a value of the type {@code typecode}, set to {@code value} (wrapping around as C),
   * with a new {@link RLock}: CPython's {@code Value(typecode, value)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u} (see {@link TypeCode})
   * @param value the initial value, as {@link RawValue#set(Object)} takes it
   * @return the value
   * @throws IllegalArgumentException for an unknown typecode or a value of the wrong kind
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static Value create(char typecode, Object value) {
    return new Value(RawValue.create(typecode, value), new RLock());
  }

  /**
   * Wraps a value with a given lock: CPython's {@code Value(typecode, value, lock=lock)} and
   * {@code sharedctypes.synchronized(obj, lock)}, e.g. to guard several values with one
   * {@link RLock}. A {@link Lock} is not reentrant: {@link #get()} while holding it through
   * {@link #hold()} waits for ever, as in CPython.
   *
   * @param obj the memory, from {@link RawValue#create}
   * @param lock a {@link Lock} or an {@link RLock}
   * @return the value
   * @throws IllegalArgumentException if the lock is another kind of lock (it must work across
   *     processes)
   */
  public static Value of(RawValue obj, java.util.concurrent.locks.Lock lock) {
    Objects.requireNonNull(obj, "obj");
    return new Value(obj, Array.checkLock(lock));
  }

  /**
   * Returns the memory without its lock: CPython's {@code get_obj()}.
   *
   * @return the raw value
   */
  public RawValue getObj() {
    return obj;
  }

  /**
   * Returns the lock: CPython's {@code get_lock()}, an {@link RLock} unless another lock was given.
   *
   * @return the lock, a {@link Lock} or an {@link RLock}
   */
  public java.util.concurrent.locks.Lock getLock() {
    return lock;
  }

  /**
   * Takes the lock for try-with-resources: CPython's {@code with v.get_lock():} (or
   * {@code with v:}). The {@link Held} tells whether the previous owner died holding it.
   *
   * @return the held lock; closing it releases the lock
   * @throws InterruptedException if interrupted while waiting
   */
  public Held hold() throws InterruptedException {
    return lock instanceof RLock ? ((RLock) lock).hold() : ((Lock) lock).hold();
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
   * Returns the value under the lock: CPython's {@code v.value}.
   *
   * @return the value as its Java type (see {@link TypeCode})
   */
  public Object get() {
    lock.lock();
    try {
      return obj.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets the value under the lock: CPython's {@code v.value = x}, wrapping around as C.
   *
   * @param value the value, as {@link RawValue#set(Object)} takes it
   * @throws IllegalArgumentException for a value of the wrong kind
   */
  public void set(Object value) {
    lock.lock();
    try {
      obj.set(value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an integer value under the lock, as {@link RawValue#getInt()}.
   *
   * @return the value
   * @throws UnsupportedOperationException as {@link RawValue#getInt()}
   */
  public int getInt() {
    lock.lock();
    try {
      return obj.getInt();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns an integer value under the lock, as {@link RawValue#getLong()}.
   *
   * @return the value
   * @throws UnsupportedOperationException as {@link RawValue#getLong()}
   */
  public long getLong() {
    lock.lock();
    try {
      return obj.getLong();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a floating-point value under the lock, as {@link RawValue#getDouble()}.
   *
   * @return the value
   * @throws UnsupportedOperationException as {@link RawValue#getDouble()}
   */
  public double getDouble() {
    lock.lock();
    try {
      return obj.getDouble();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets an integer value under the lock, as {@link RawValue#set(long)}.
   *
   * @param value the value
   * @throws IllegalArgumentException as {@link RawValue#set(long)}
   */
  public void set(long value) {
    lock.lock();
    try {
      obj.set(value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets a floating-point value under the lock, as {@link RawValue#set(double)}.
   *
   * @param value the value
   * @throws IllegalArgumentException as {@link RawValue#set(double)}
   */
  public void set(double value) {
    lock.lock();
    try {
      obj.set(value);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds atomically, without the lock (beyond CPython): {@link RawValue#getAndAdd(long)}.
   *
   * @param delta what to add
   * @return the value before
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long getAndAdd(long delta) {
    return obj.getAndAdd(delta);
  }

  /**
   * Adds atomically, without the lock (beyond CPython): {@link RawValue#addAndGet(long)}.
   *
   * @param delta what to add
   * @return the value after
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long addAndGet(long delta) {
    return obj.addAndGet(delta);
  }

  /**
   * Adds one atomically, without the lock (beyond CPython): {@link RawValue#incrementAndGet()}.
   *
   * @return the value after
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long incrementAndGet() {
    return obj.incrementAndGet();
  }

  /**
   * Sets atomically if the value is {@code expected}, without the lock (beyond CPython):
   * {@link RawValue#compareAndSet(long, long)}.
   *
   * @param expected the value expected
   * @param value the new value
   * @return whether it was set
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public boolean compareAndSet(long expected, long value) {
    return obj.compareAndSet(expected, value);
  }

  /**
   * Returns CPython's repr: {@code <Synchronized wrapper for c_int(5)>}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "<Synchronized wrapper for " + obj + ">";
  }
}
