package io.github.multiprocessing4j.shared;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * One number (or character) in shared memory, read and written by several processes without a
 * lock: CPython's {@code multiprocessing.RawValue} ({@code Value(typecode, lock=False)}), plus
 * atomic operations CPython does not have.
 *
 * <pre>{@code
 * RawValue counter = RawValue.create('i');              // 0
 * Process p = Process.builder().target(args -> {
 *   RawValue c = args.get(0, RawValue.class);           // the same memory in the child
 *   for (int i = 0; i < 1000; i++) c.incrementAndGet();
 * }).args(counter).build();
 * p.start();
 * for (int i = 0; i < 1000; i++) counter.incrementAndGet();
 * p.join();
 * System.out.println(counter.getInt());                 // 2000: no increment is lost
 * }</pre>
 *
 * <p><b>Types.</b> The typecode is one of CPython's ({@code 'b'}, {@code 'B'}, {@code 'h'},
 * {@code 'H'}, {@code 'i'}, {@code 'I'}, {@code 'l'}, {@code 'L'}, {@code 'q'}, {@code 'Q'},
 * {@code 'f'}, {@code 'd'}, {@code 'c'}, {@code 'u'}); {@link TypeCode} gives the Java type each
 * surfaces as. Setting an integer type wraps around as in C ({@code 200} in a {@code 'b'} reads
 * {@code -56}); a value of the wrong kind (a {@code double} for an integer type, a string for a
 * number) throws {@link IllegalArgumentException} with CPython's message.
 *
 * <p><b>Reading and writing.</b> {@link #get()} and {@link #set(Object)} are CPython's
 * {@code value} property, with boxed values; {@link #getInt()}, {@link #getLong()},
 * {@link #getDouble()}, {@link #set(long)} and {@link #set(double)} avoid the boxing. Every read
 * and write is atomic and has volatile semantics, across processes.
 *
 * <p><b>Atomic operations (beyond CPython).</b> {@link #getAndAdd(long)}, {@link #addAndGet(long)},
 * {@link #incrementAndGet()}, {@link #decrementAndGet()}, {@link #getAndSet(long)} and
 * {@link #compareAndSet(long, long)} for the integer types (8- and 16-bit ones through a
 * compare-and-set of the aligned int that holds them), and the {@code double} overloads for
 * {@code 'f'} and {@code 'd'} (a compare-and-set loop on the bits; {@link #compareAndSet(double,
 * double)} compares bits, so {@code NaN} matches {@code NaN} and {@code 0.0} does not match
 * {@code -0.0}). They need no lock and are never lost, whatever other processes do at the same
 * time. Note that CPython's {@code v.value += 1} is a get and a set, not atomic, in CPython (even
 * with the locked {@code Value}, unless the lock is held around both) and here: use
 * {@link #incrementAndGet()}.
 *
 * <p><b>Sharing.</b> Pass the object to a child as a {@link io.github.multiprocessing4j.Process}
 * argument (or to a grandchild, or through a queue or pipe): it travels as the name of its memory
 * and attaches to the same memory on the other side.
 *
 * <p><b>Lifetime.</b> A process uses the memory while it has a reachable object for it (a
 * {@code RawValue}, {@code RawArray}, {@code Value} or {@code Array}); once none is reachable, it
 * gives the memory up after a garbage collection: it closes its file descriptor, unmaps the memory,
 * and deletes the file if no other process uses it. So a loop that makes short-lived values stays
 * bounded. The exception: <em>serializing an object pins its memory in the serializing process
 * until that process exits</em>, since the reader (of a {@code Process} argument, a queue item, a
 * pipe message) attaches it by name, maybe minutes later, after the writer dropped its object.
 * A value made per message and sent away therefore stays until the sender exits: share long-lived
 * values instead. Memory whose users all exited (or were killed) is deleted; a reference read after
 * that throws {@link SharedMemoryNotFoundException}.
 *
 * <p><b>Thread-safety.</b> Thread-safe: every method is atomic across threads and processes.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class RawValue implements Serializable {

  private static final long serialVersionUID = 1L;

  private final transient TypedSegment cells;
  /** What an error message names this value by; made once, since a set must not build strings. */
  private final transient String where;

  RawValue(TypedSegment cells) {
    this.cells = cells;
    this.where = " for RawValue('" + cells.type.code() + "')";
  }

  /**
   * Creates a value of the type {@code typecode}, zero: CPython's {@code RawValue(typecode)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @return the value, in new shared memory
   * @throws IllegalArgumentException {@code "this type has no size: unknown typecode 'x' ..."} for
   *     an unknown typecode
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawValue create(char typecode) {
    return create(TypeCode.of(typecode));
  }

  /**
   * Creates a value of the given type, zero.
   *
   * @param type the type
   * @return the value, in new shared memory
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawValue create(TypeCode type) {
    return new RawValue(TypedSegment.create(type, 1, false));
  }

  /**
   * Creates a value of the type {@code typecode} and sets it: CPython's
   * {@code RawValue(typecode, value)}, wrapping around as C.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param value the initial value, as {@link #set(Object)} takes it
   * @return the value, in new shared memory
   * @throws IllegalArgumentException for an unknown typecode, or a value of the wrong kind
   *     ({@code "'Double' object cannot be interpreted as an integer (2.5) ..."})
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static RawValue create(char typecode, Object value) {
    TypeCode t = TypeCode.of(typecode);
    long bits = TypedSegment.probe(t, 1).bitsOfObject(value, " for RawValue('" + typecode + "')"); // before any memory
    RawValue v = new RawValue(TypedSegment.create(t, 1, false));
    v.cells.setBits(0, bits);
    return v;
  }

  /**
   * Returns the type.
   *
   * @return the type
   */
  public TypeCode typeCode() {
    return cells.type;
  }

  /**
   * Returns the value as its Java type (see {@link TypeCode}): CPython's {@code value}.
   *
   * @return a {@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code Float},
   *     {@code Double} or {@code String}
   */
  public Object get() {
    return cells.box(cells.bits(0));
  }

  /**
   * Sets the value: CPython's {@code value = v}. Integer types take {@code Byte}, {@code Short},
   * {@code Integer}, {@code Long}, {@code BigInteger} or {@code Boolean} (1 or 0), wrapping around as
   * C; {@code 'f'} and {@code 'd'} any {@code Number} or {@code Boolean}; {@code 'c'} a
   * {@code Byte}, a {@code byte[]} of length 1 or an integer 0..255; {@code 'u'} a {@code Character}
   * or a {@code String} of one code point.
   *
   * @param value the value
   * @throws IllegalArgumentException for a value of the wrong kind, with CPython's message
   *     ({@code "'Double' object cannot be interpreted as an integer (2.5) ..."},
   *     {@code "must be real number, not String ..."})
   */
  public void set(Object value) {
    cells.setBits(0, cells.bitsOfObject(value, where));
  }

  /**
   * Returns the value of an integer type as an {@code int}.
   *
   * @return the value
   * @throws UnsupportedOperationException if the type is not {@code 'b'}, {@code 'B'}, {@code 'h'},
   *     {@code 'H'} or {@code 'i'} (its values do not all fit an {@code int}: use {@link #getLong()})
   */
  public int getInt() {
    return cells.getInt(0, "getInt()");
  }

  /**
   * Returns the value of an integer type as a {@code long}; the unsigned 64-bit types as their
   * bits.
   *
   * @return the value
   * @throws UnsupportedOperationException for {@code 'f'}, {@code 'd'}, {@code 'c'} and {@code 'u'}
   */
  public long getLong() {
    return cells.asLong(cells.bits(0), "getLong()");
  }

  /**
   * Returns the value of a numeric type as a {@code double}.
   *
   * @return the value
   * @throws UnsupportedOperationException for {@code 'c'} and {@code 'u'}
   */
  public double getDouble() {
    return cells.asDouble(cells.bits(0), "getDouble()");
  }

  /**
   * Sets the value from a {@code long}: integer types wrap around as C, {@code 'f'} and {@code 'd'}
   * convert, {@code 'c'} takes 0..255 and {@code 'u'} a code point (so {@code set('x')} works).
   *
   * @param value the value
   * @throws IllegalArgumentException for {@code 'c'} outside 0..255, or {@code 'u'} not a code point
   */
  public void set(long value) {
    cells.setBits(0, cells.bitsOf(value, where));
  }

  /**
   * Sets the value of {@code 'f'} or {@code 'd'} from a {@code double}.
   *
   * @param value the value
   * @throws IllegalArgumentException {@code "'Double' object cannot be interpreted as an integer"}
   *     for an integer type, as CPython
   */
  public void set(double value) {
    cells.setBits(0, cells.bitsOf(value, where));
  }

  // ---- atomic operations on integer types

  /**
   * Atomically adds {@code delta} (wrapping around as C) and returns the previous value.
   *
   * @param delta what to add
   * @return the value before
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long getAndAdd(long delta) {
    return cells.getAndAdd(0, delta, "getAndAdd(long)");
  }

  /**
   * Atomically adds {@code delta} (wrapping around as C) and returns the new value.
   *
   * @param delta what to add
   * @return the value after
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long addAndGet(long delta) {
    return cells.addAndGet(0, delta, "addAndGet(long)");
  }

  /**
   * Atomically adds 1 and returns the new value.
   *
   * @return the value after
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long incrementAndGet() {
    return cells.addAndGet(0, 1, "incrementAndGet()");
  }

  /**
   * Atomically subtracts 1 and returns the new value.
   *
   * @return the value after
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long decrementAndGet() {
    return cells.addAndGet(0, -1, "decrementAndGet()");
  }

  /**
   * Atomically sets the value (wrapping around as C) and returns the previous one.
   *
   * @param value the new value
   * @return the value before
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public long getAndSet(long value) {
    return cells.getAndSet(0, value, "getAndSet(long)");
  }

  /**
   * Atomically sets the value to {@code value} if it is {@code expected}; both wrap around as C
   * first (so for {@code 'B'}, {@code expected} -1 means 255).
   *
   * @param expected the value expected
   * @param value the new value
   * @return whether the value was {@code expected} and is now {@code value}
   * @throws UnsupportedOperationException if the type is not an integer type
   */
  public boolean compareAndSet(long expected, long value) {
    return cells.compareAndSet(0, expected, value, "compareAndSet(long, long)");
  }

  // ---- atomic operations on 'f' and 'd'

  /**
   * Atomically adds {@code delta} to a {@code 'f'} or {@code 'd'} value and returns the previous
   * value.
   *
   * @param delta what to add
   * @return the value before
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double getAndAdd(double delta) {
    return cells.getAndAdd(0, delta, "getAndAdd(double)");
  }

  /**
   * Atomically adds {@code delta} to a {@code 'f'} or {@code 'd'} value and returns the new value.
   *
   * @param delta what to add
   * @return the value after (for {@code 'f'}, rounded to a float)
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double addAndGet(double delta) {
    return cells.addAndGet(0, delta, "addAndGet(double)");
  }

  /**
   * Atomically sets a {@code 'f'} or {@code 'd'} value and returns the previous one.
   *
   * @param value the new value
   * @return the value before
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public double getAndSet(double value) {
    return cells.getAndSet(0, value, "getAndSet(double)");
  }

  /**
   * Atomically sets a {@code 'f'} or {@code 'd'} value if it is {@code expected}, comparing bits
   * (as {@link Double#doubleToRawLongBits}; for {@code 'f'}, of both rounded to floats).
   *
   * @param expected the value expected
   * @param value the new value
   * @return whether the value was {@code expected} and is now {@code value}
   * @throws UnsupportedOperationException if the type is not {@code 'f'} or {@code 'd'}
   */
  public boolean compareAndSet(double expected, double value) {
    return cells.compareAndSet(0, expected, value, "compareAndSet(double, double)");
  }

  /**
   * Returns an independent copy in new shared memory: CPython's
   * {@code multiprocessing.sharedctypes.copy(obj)}. Later changes to either value do not show in
   * the other. For a locked {@link Value}, copy its memory and give the copy a lock of its own:
   * {@code Value.of(v.getObj().copy(), new RLock())} (CPython's {@code copy} takes no
   * {@code Synchronized} wrapper either).
   *
   * @return the copy, of the same type, holding the value read now
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public RawValue copy() {
    RawValue v = new RawValue(TypedSegment.create(cells.type, 1, false));
    v.cells.setBits(0, cells.bits(0));
    return v;
  }

  /**
   * Returns CPython's {@code repr} of the ctypes object: {@code c_int(5)}, {@code c_double(2.5)},
   * {@code c_char(b'a')}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return cells.type.ctypeName() + "(" + cells.repr(cells.bits(0)) + ")";
  }

  /**
   * Serializes as the name of the memory: the receiving process attaches to it.
   *
   * @return the serialized form
   */
  private Object writeReplace() {
    return cells.ref(false);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a RawValue is deserialized through its reference only");
  }
}
