package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.shm.Segment;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

/**
 * The storage of a {@link RawValue} or {@link RawArray}: {@code length} items of one
 * {@link TypeCode} at the start of a segment of their own, item {@code i} at byte {@code i * size}
 * (so every item is aligned to its size), the segment rounded up to whole longs.
 *
 * <p>Every access is atomic and volatile across processes: ints and longs through the segment's
 * int and long accessors, floats and doubles through their bits, and 1- and 2-byte items through
 * the aligned int that contains them (a read is a volatile read of that int; a write or an update
 * is a compare-and-set loop on it, which leaves the neighbours' bytes as they are, even when other
 * processes change them meanwhile).
 *
 * <p>Values are passed around as "bits": the item's bytes zero-extended into a long.
 *
 * <p><b>Lifetime.</b> Each object ({@link RawValue}, {@link RawArray}, and so {@link Value} and
 * {@link Array}) holds its own {@link Segment} object; the segments of one name share this JVM's
 * mapping, which this JVM gives up once none of them is reachable (the file is then deleted if no
 * other process uses it). Serializing an object {@linkplain Segment#pin() pins} its segment in
 * this JVM until exit: the reader attaches it by name, maybe long after the writer dropped it.
 */
final class TypedSegment {

  private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
  private static final String VALUE_PREFIX = "mp4j_val_";
  private static final String ARRAY_PREFIX = "mp4j_arr_";

  final Segment segment;
  final TypeCode type;
  final int length;
  private final int size;
  private final long mask;

  private TypedSegment(Segment segment, TypeCode type, int length) {
    this.segment = segment;
    this.type = type;
    this.length = length;
    this.size = type.size();
    this.mask = size == 8 ? -1L : (1L << (size * 8)) - 1;
  }

  /** Storage-less cells of a type: for checking and converting values before creating any memory. */
  static TypedSegment probe(TypeCode type, int length) {
    return new TypedSegment(null, Objects.requireNonNull(type, "typecode"), length);
  }

  /** Creates zero-filled storage in a new segment. */
  static TypedSegment create(TypeCode type, int length, boolean array) {
    Objects.requireNonNull(type, "typecode");
    if (length < 0) {
      throw new IllegalArgumentException("negative array length: " + length);
    }
    long bytes = Math.max(8, ((long) length * type.size() + 7) & ~7L);
    if (bytes > Segment.MAX_SIZE) {
      throw new IllegalArgumentException("too many items for one shared array: " + length + " of " + type.size()
          + " bytes (at most " + Segment.MAX_SIZE + " bytes)");
    }
    try {
      return new TypedSegment(Segment.create(null, array ? ARRAY_PREFIX : VALUE_PREFIX, bytes), type, length);
    } catch (IOException e) {
      throw new SharedMemoryException("cannot create the shared memory of " + length + " '" + type.code()
          + "' items: " + e, e);
    }
  }

  // ---- raw access by item index (checked by the callers)

  /** The item's bits, zero-extended. */
  long bits(int i) {
    int off = i * size;
    switch (size) {
      case 8:
        return segment.getLongVolatile(off);
      case 4:
        return segment.getIntVolatile(off) & 0xFFFF_FFFFL;
      default:
        int word = off & ~3;
        return (segment.getIntVolatile(word) >>> shift(off - word)) & mask;
    }
  }

  /** Stores the item's bits (truncated to its size). */
  void setBits(int i, long bits) {
    int off = i * size;
    switch (size) {
      case 8:
        segment.setLongVolatile(off, bits);
        return;
      case 4:
        segment.setIntVolatile(off, (int) bits);
        return;
      default:
        subWordGetAndSet(off, bits);
    }
  }

  /** Atomically replaces the item's bits; returns the old ones. */
  long getAndSetBits(int i, long bits) {
    int off = i * size;
    switch (size) {
      case 8:
        return segment.getAndSetLong(off, bits);
      case 4:
        return segment.getAndSetInt(off, (int) bits) & 0xFFFF_FFFFL;
      default:
        return subWordGetAndSet(off, bits);
    }
  }

  /** Atomically sets the item's bits if they are {@code expected} (both truncated to its size). */
  boolean compareAndSetBits(int i, long expected, long bits) {
    int off = i * size;
    switch (size) {
      case 8:
        return segment.compareAndSetLong(off, expected, bits);
      case 4:
        return segment.compareAndSetInt(off, (int) expected, (int) bits);
      default:
        int word = off & ~3;
        int shift = shift(off - word);
        int m = (int) (mask << shift);
        int e = (int) ((expected & mask) << shift);
        int n = (int) ((bits & mask) << shift);
        while (true) {
          int w = segment.getIntVolatile(word);
          if ((w & m) != e) {
            return false;
          }
          if (segment.compareAndSetInt(word, w, (w & ~m) | n)) {
            return true;
          }
          // a neighbour changed meanwhile: try again
        }
    }
  }

  /** Atomically adds to an integer item (wrapping around); returns the old bits. */
  long getAndAddBits(int i, long delta) {
    int off = i * size;
    switch (size) {
      case 8:
        return segment.getAndAddLong(off, delta);
      case 4:
        return segment.getAndAddInt(off, (int) delta) & 0xFFFF_FFFFL;
      default:
        int word = off & ~3;
        int shift = shift(off - word);
        int m = (int) (mask << shift);
        while (true) {
          int w = segment.getIntVolatile(word);
          long old = (w >>> shift) & mask;
          int n = (int) (((old + delta) & mask) << shift);
          if (segment.compareAndSetInt(word, w, (w & ~m) | n)) {
            return old;
          }
        }
    }
  }

  private long subWordGetAndSet(int off, long bits) {
    int word = off & ~3;
    int shift = shift(off - word);
    int m = (int) (mask << shift);
    int n = (int) ((bits & mask) << shift);
    while (true) {
      int w = segment.getIntVolatile(word);
      if (segment.compareAndSetInt(word, w, (w & ~m) | n)) {
        return (w >>> shift) & mask;
      }
    }
  }

  /** The bit position of an item at {@code byteInWord} (0 to 3) of its int, in native order. */
  private int shift(int byteInWord) {
    return (LITTLE ? byteInWord : 4 - size - byteInWord) * 8;
  }

  // ---- typed operations on item i (an index into the items, already checked)

  long getAndAdd(int i, long delta, String method) {
    checkInteger(method);
    return asLong(getAndAddBits(i, delta), method);
  }

  long addAndGet(int i, long delta, String method) {
    checkInteger(method);
    return asLong(bitsOf(getAndAddBits(i, delta) + delta, ""), method);
  }

  long getAndSet(int i, long value, String method) {
    checkInteger(method);
    return asLong(getAndSetBits(i, bitsOf(value, "")), method);
  }

  boolean compareAndSet(int i, long expected, long value, String method) {
    checkInteger(method);
    return compareAndSetBits(i, bitsOf(expected, ""), bitsOf(value, ""));
  }

  double getAndAdd(int i, double delta, String method) {
    checkFloating(method);
    while (true) {
      long bits = bits(i);
      double old = asDouble(bits, method);
      if (compareAndSetBits(i, bits, bitsOf(old + delta, ""))) {
        return old;
      }
    }
  }

  double addAndGet(int i, double delta, String method) {
    checkFloating(method);
    while (true) {
      long bits = bits(i);
      long next = bitsOf(asDouble(bits, method) + delta, "");
      if (compareAndSetBits(i, bits, next)) {
        return asDouble(next, method);
      }
    }
  }

  double getAndSet(int i, double value, String method) {
    checkFloating(method);
    return asDouble(getAndSetBits(i, bitsOf(value, "")), method);
  }

  boolean compareAndSet(int i, double expected, double value, String method) {
    checkFloating(method);
    return compareAndSetBits(i, bitsOf(expected, ""), bitsOf(value, ""));
  }

  int getInt(int i, String method) {
    switch (type) {
      case BYTE:
      case UNSIGNED_BYTE:
      case SHORT:
      case UNSIGNED_SHORT:
      case INT:
        return (int) asLong(bits(i), method);
      default:
        throw new UnsupportedOperationException(method + " is for the typecodes b B h H i, not '" + type.code()
            + "'" + (type.isInteger() ? ": its values do not all fit an int, use getLong" : ""));
    }
  }

  private void checkInteger(String method) {
    if (!type.isInteger()) {
      throw new UnsupportedOperationException(method + " is for integer typecodes, not '" + type.code() + "'"
          + (type.isFloatingPoint() ? ": use the double overload" : ""));
    }
  }

  private void checkFloating(String method) {
    if (!type.isFloatingPoint()) {
      throw new UnsupportedOperationException(method + " is for the typecodes 'f' and 'd', not '" + type.code()
          + "'" + (type.isInteger() ? ": use the long overload" : ""));
    }
  }

  // ---- conversions

  /** The item's value as its Java type (see {@link TypeCode}). */
  Object box(long bits) {
    switch (type) {
      case BYTE:
      case CHAR:
        return (byte) bits;
      case UNSIGNED_BYTE:
      case UNSIGNED_SHORT:
        return (int) bits;
      case SHORT:
        return (short) bits;
      case INT:
        return (int) bits;
      case FLOAT:
        return Float.intBitsToFloat((int) bits);
      case DOUBLE:
        return Double.longBitsToDouble(bits);
      case WCHAR:
        int cp = (int) bits;
        return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : "\uFFFD";
      default: // UNSIGNED_INT, the 64-bit types
        return bits;
    }
  }

  /** An integer item's value, sign-extended for the signed types. */
  long asLong(long bits, String what) {
    switch (type) {
      case BYTE:
        return (byte) bits;
      case SHORT:
        return (short) bits;
      case INT:
        return (int) bits;
      default:
        if (!type.isInteger()) {
          throw new UnsupportedOperationException(what + " is for integer typecodes; '" + type.code()
              + "' holds " + kind() + ": use " + (type.isFloatingPoint() ? "getDouble" : "get"));
        }
        return bits;
    }
  }

  /** A floating-point item's value (or an integer item's, converted). */
  double asDouble(long bits, String what) {
    if (type == TypeCode.FLOAT) {
      return Float.intBitsToFloat((int) bits);
    }
    if (type == TypeCode.DOUBLE) {
      return Double.longBitsToDouble(bits);
    }
    if (!type.isInteger()) {
      throw new UnsupportedOperationException(what + " is for numeric typecodes; '" + type.code() + "' holds "
          + kind() + ": use get");
    }
    long v = asLong(bits, what);
    return type.isUnsigned() && v < 0 ? new BigInteger(Long.toUnsignedString(v)).doubleValue() : v;
  }

  private String kind() {
    switch (type) {
      case FLOAT:
      case DOUBLE:
        return "floating-point numbers";
      case CHAR:
        return "bytes";
      case WCHAR:
        return "characters";
      default:
        return "integers";
    }
  }

  /** The bits of a Java long stored as this type: C wrap-around, conversion for floats. */
  long bitsOf(long v, String where) {
    switch (type) {
      case FLOAT:
        return Float.floatToRawIntBits(v) & 0xFFFF_FFFFL;
      case DOUBLE:
        return Double.doubleToRawLongBits(v);
      case CHAR:
        if (v < 0 || v > 255) {
          throw new IllegalArgumentException("one character bytes, bytearray or integer expected: " + v
              + " is not 0..255" + where);
        }
        return v;
      case WCHAR:
        if (v < 0 || v > Character.MAX_CODE_POINT || (v >= Character.MIN_SURROGATE && v <= Character.MAX_SURROGATE)) {
          throw new IllegalArgumentException("one character unicode string expected: " + v
              + " is not a Unicode code point" + where);
        }
        return v;
      default:
        return v & mask;
    }
  }

  /** The bits of a Java double stored as this type. */
  long bitsOf(double v, String where) {
    if (type == TypeCode.FLOAT) {
      return Float.floatToRawIntBits((float) v) & 0xFFFF_FFFFL;
    }
    if (type == TypeCode.DOUBLE) {
      return Double.doubleToRawLongBits(v);
    }
    throw notFor(Double.valueOf(v), where);
  }

  /** The bits of any value stored as this type, or CPython's TypeError as an IllegalArgumentException. */
  long bitsOfObject(Object v, String where) {
    Objects.requireNonNull(v, () -> "value" + where + " is null");
    if (v instanceof Boolean && (type.isInteger() || type.isFloatingPoint())) {
      return bitsOf(((Boolean) v) ? 1L : 0L, where); // True is the int 1, as in Python
    }
    if (type.isInteger()) {
      if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
        return bitsOf(((Number) v).longValue(), where);
      }
      if (v instanceof BigInteger) {
        return bitsOf(((BigInteger) v).longValue(), where); // the low 64 bits: wrap-around
      }
      throw notFor(v, where);
    }
    switch (type) {
      case FLOAT:
      case DOUBLE:
        if (v instanceof Number) {
          return bitsOf(((Number) v).doubleValue(), where);
        }
        throw notFor(v, where);
      case CHAR:
        if (v instanceof Byte) {
          return ((Byte) v) & 0xFFL;
        }
        if (v instanceof byte[] && ((byte[]) v).length == 1) {
          return ((byte[]) v)[0] & 0xFFL;
        }
        if (v instanceof Short || v instanceof Integer || v instanceof Long) {
          return bitsOf(((Number) v).longValue(), where);
        }
        throw notFor(v, where);
      default: // WCHAR
        if (v instanceof Character) {
          return bitsOf((long) (Character) v, where);
        }
        if (v instanceof String) {
          String s = (String) v;
          if (s.isEmpty() || s.codePointCount(0, s.length()) != 1) {
            throw new IllegalArgumentException("one character unicode string expected, got \"" + s + "\"" + where);
          }
          return s.codePointAt(0);
        }
        throw notFor(v, where);
    }
  }

  /** CPython's TypeError for a value of the wrong type, naming the Java type and the value. */
  IllegalArgumentException notFor(Object v, String where) {
    String t = v instanceof byte[] ? "byte[" + ((byte[]) v).length + "]" : v.getClass().getSimpleName();
    String value = v instanceof byte[] ? "" : " (" + v + ")";
    switch (type) {
      case FLOAT:
      case DOUBLE:
        return new IllegalArgumentException("must be real number, not " + t + value + where);
      case CHAR:
        return new IllegalArgumentException("one character bytes, bytearray or integer expected, not " + t + value
            + where);
      case WCHAR:
        return new IllegalArgumentException("unicode string expected instead of " + t + " instance" + value + where);
      default:
        return new IllegalArgumentException("'" + t + "' object cannot be interpreted as an integer" + value + where);
    }
  }

  /** CPython's "invalid index", with Python's negative indexes; returns the index into the items. */
  int index(int i) {
    int j = i < 0 ? i + length : i;
    if (j < 0 || j >= length) {
      throw new IndexOutOfBoundsException("invalid index " + i + " (length " + length + ")");
    }
    return j;
  }

  /** The Python repr of one item: {@code 5}, {@code 2.5}, {@code b'a'}, {@code 'x'}. */
  String repr(long bits) {
    Object o = box(bits);
    switch (type) {
      case CHAR: {
        int b = ((Byte) o) & 0xFF;
        return b >= 0x20 && b < 0x7F && b != '\'' && b != '\\' ? "b'" + (char) b + "'" : String.format("b'\\x%02x'", b);
      }
      case WCHAR:
        return "'" + o + "'";
      case UNSIGNED_LONG:
      case UNSIGNED_LONG_LONG:
        return Long.toUnsignedString(bits);
      default:
        return String.valueOf(o);
    }
  }

  /** The serialized form of the value or array over this storage: pins its segment (see the class comment). */
  ObjectRef ref(boolean array) {
    segment.pin(); // the reader may attach it after this JVM dropped the object
    return SharedRefs.items(array, segment.name(), type.code(), length);
  }

  /** The value or array a {@link SharedRefs} reference names, over the attached segment. */
  static Object resolve(String segment, char code, int length, boolean array) throws InvalidObjectException {
    TypeCode t;
    try {
      t = TypeCode.of(code);
      Segment.checkName(segment);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidObjectException("not a shared value or array reference: " + e.getMessage());
    }
    if (length < 0 || (!array && length != 1)) {
      throw new InvalidObjectException("not a shared value or array reference: length " + length);
    }
    String what = array ? "RawArray('" + code + "', " + length + ")" : "RawValue('" + code + "')";
    Segment s;
    try {
      s = Segment.attach(segment);
    } catch (NoSuchFileException e) {
      throw new SharedMemoryNotFoundException(segment, e);
    } catch (IOException e) {
      throw new MultiprocessingException("cannot attach the shared memory of " + what + ": " + e, e);
    }
    if (s.size() < (long) length * t.size()) {
      throw new MultiprocessingException("cannot attach the shared memory of " + what + ": segment " + segment
          + " has " + s.size() + " bytes, too few for " + length + " items");
    }
    TypedSegment c = new TypedSegment(s, t, length);
    return array ? new RawArray(c) : new RawValue(c);
  }
}
