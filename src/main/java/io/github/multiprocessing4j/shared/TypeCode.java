package io.github.multiprocessing4j.shared;

/**
 * The C types of {@link RawValue} and {@link RawArray} items: CPython's typecodes (those of the
 * {@code array} module and {@code multiprocessing.sharedctypes}), with the Java type each surfaces
 * as. Sizes are those of 64-bit Linux and macOS (LP64), on every platform.
 *
 * <table>
 *   <caption>Typecodes</caption>
 *   <tr><th>code</th><th>C type</th><th>bytes</th><th>{@code get()} returns</th><th>range</th></tr>
 *   <tr><td>{@code 'b'}</td><td>signed char</td><td>1</td><td>{@code Byte}</td><td>-128..127</td></tr>
 *   <tr><td>{@code 'B'}</td><td>unsigned char</td><td>1</td><td>{@code Integer}</td><td>0..255</td></tr>
 *   <tr><td>{@code 'h'}</td><td>short</td><td>2</td><td>{@code Short}</td><td>-32768..32767</td></tr>
 *   <tr><td>{@code 'H'}</td><td>unsigned short</td><td>2</td><td>{@code Integer}</td><td>0..65535</td></tr>
 *   <tr><td>{@code 'i'}</td><td>int</td><td>4</td><td>{@code Integer}</td><td>int</td></tr>
 *   <tr><td>{@code 'I'}</td><td>unsigned int</td><td>4</td><td>{@code Long}</td><td>0..2<sup>32</sup>-1</td></tr>
 *   <tr><td>{@code 'l'}</td><td>long</td><td>8</td><td>{@code Long}</td><td>long</td></tr>
 *   <tr><td>{@code 'L'}</td><td>unsigned long</td><td>8</td><td>{@code Long}, unsigned bits</td><td>0..2<sup>64</sup>-1</td></tr>
 *   <tr><td>{@code 'q'}</td><td>long long</td><td>8</td><td>{@code Long}</td><td>long</td></tr>
 *   <tr><td>{@code 'Q'}</td><td>unsigned long long</td><td>8</td><td>{@code Long}, unsigned bits</td><td>0..2<sup>64</sup>-1</td></tr>
 *   <tr><td>{@code 'f'}</td><td>float</td><td>4</td><td>{@code Float}</td><td>float</td></tr>
 *   <tr><td>{@code 'd'}</td><td>double</td><td>8</td><td>{@code Double}</td><td>double</td></tr>
 *   <tr><td>{@code 'c'}</td><td>char</td><td>1</td><td>{@code Byte}</td><td>one byte</td></tr>
 *   <tr><td>{@code 'u'}</td><td>wchar_t</td><td>4</td><td>{@code String} of one code point</td><td>Unicode</td></tr>
 * </table>
 *
 * <p>The unsigned 64-bit types hold their value in a Java {@code long}'s bits: read them with
 * {@link Long#toUnsignedString(long)}, {@link Long#compareUnsigned} and
 * {@link Long#divideUnsigned}; 2<sup>64</sup>-1 reads as {@code -1L}. Setting an integer type
 * wraps around as C (and CPython) do: the value is taken modulo 2<sup>bits</sup>, so {@code 200}
 * stored as {@code 'b'} reads {@code -56} and {@code -1} stored as {@code 'B'} reads {@code 255}.
 */
public enum TypeCode {
  /** {@code 'b'}: signed char. */
  BYTE('b', 1, "c_byte"),
  /** {@code 'B'}: unsigned char. */
  UNSIGNED_BYTE('B', 1, "c_ubyte"),
  /** {@code 'h'}: short. */
  SHORT('h', 2, "c_short"),
  /** {@code 'H'}: unsigned short. */
  UNSIGNED_SHORT('H', 2, "c_ushort"),
  /** {@code 'i'}: int. */
  INT('i', 4, "c_int"),
  /** {@code 'I'}: unsigned int. */
  UNSIGNED_INT('I', 4, "c_uint"),
  /** {@code 'l'}: long (64 bits, as on Linux and macOS). */
  LONG('l', 8, "c_long"),
  /** {@code 'L'}: unsigned long (64 bits). */
  UNSIGNED_LONG('L', 8, "c_ulong"),
  /** {@code 'q'}: long long. */
  LONG_LONG('q', 8, "c_longlong"),
  /** {@code 'Q'}: unsigned long long. */
  UNSIGNED_LONG_LONG('Q', 8, "c_ulonglong"),
  /** {@code 'f'}: float. */
  FLOAT('f', 4, "c_float"),
  /** {@code 'd'}: double. */
  DOUBLE('d', 8, "c_double"),
  /** {@code 'c'}: char, one byte (CPython's {@code bytes} of length 1). */
  CHAR('c', 1, "c_char"),
  /** {@code 'u'}: wchar_t, one Unicode code point in 4 bytes (CPython's {@code str} of length 1). */
  WCHAR('u', 4, "c_wchar");

  private final char code;
  private final int size;
  private final String ctype;

  TypeCode(char code, int size, String ctype) {
    this.code = code;
    this.size = size;
    this.ctype = ctype;
  }

  /**
   * Returns the type of a typecode character.
   *
   * @param code one of {@code b B h H i I l L q Q f d c u}
   * @return its type
   * @throws IllegalArgumentException {@code "this type has no size: 'x'"} (CPython's
   *     {@code TypeError}) for any other character
   */
  public static TypeCode of(char code) {
    for (TypeCode t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("this type has no size: unknown typecode '" + code
        + "' (known: b B h H i I l L q Q f d c u)");
  }

  /**
   * Returns the typecode character, e.g. {@code 'i'}.
   *
   * @return the character
   */
  public char code() {
    return code;
  }

  /**
   * Returns the size of one item in bytes.
   *
   * @return 1, 2, 4 or 8
   */
  public int size() {
    return size;
  }

  /**
   * Returns the name of CPython's ctypes type, e.g. {@code "c_int"}, as its {@code repr} shows it.
   *
   * @return the ctypes name
   */
  public String ctypeName() {
    return ctype;
  }

  /**
   * Tells whether this is an integer type (everything but {@code 'f'}, {@code 'd'}, {@code 'c'} and
   * {@code 'u'}): the types of the {@code long} atomic operations.
   *
   * @return whether it is an integer type
   */
  public boolean isInteger() {
    return this != FLOAT && this != DOUBLE && this != CHAR && this != WCHAR;
  }

  /**
   * Tells whether this is a floating-point type ({@code 'f'} or {@code 'd'}): the types of the
   * {@code double} atomic operations.
   *
   * @return whether it is a floating-point type
   */
  public boolean isFloatingPoint() {
    return this == FLOAT || this == DOUBLE;
  }

  /** Whether an unsigned integer type. */
  boolean isUnsigned() {
    return this == UNSIGNED_BYTE || this == UNSIGNED_SHORT || this == UNSIGNED_INT || this == UNSIGNED_LONG
        || this == UNSIGNED_LONG_LONG;
  }
}
