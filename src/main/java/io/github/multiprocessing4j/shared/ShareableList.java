package io.github.multiprocessing4j.shared;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A fixed-length list of small values stored in a {@link SharedMemory} block, so that several
 * processes read and write the same items: CPython's
 * {@code multiprocessing.shared_memory.ShareableList}, with its storage layout.
 *
 * <pre>{@code
 * try (ShareableList list = ShareableList.create(List.of(1, 2.5, "hello", true))) {
 *   Process p = Process.builder().target(args -> {
 *     ShareableList same = args.get(0, ShareableList.class);   // attached by name in the child
 *     same.set(0, (Long) same.get(0) + 41);
 *   }).args(list).build();
 *   p.start();
 *   p.join();
 *   System.out.println(list);   // ShareableList([42, 2.5, hello, true], name='psm_1a2b3c4d')
 *   list.shm().unlink();
 * }
 * }</pre>
 *
 * <p><b>Items</b> are CPython's kinds: integers ({@code Byte}, {@code Short}, {@code Integer},
 * {@code Long}, a {@code BigInteger} that fits a long; read back as {@code Long}), floating-point
 * numbers ({@code Float}, {@code Double}; read back as {@code Double}), {@code Boolean}, strings
 * (any {@code CharSequence}, stored as UTF-8; read back as {@code String}), {@code byte[]}, and
 * {@code null} (CPython's {@code None}). Anything else throws {@link IllegalArgumentException}.
 *
 * <p><b>Storage, as CPython's.</b> The length is fixed: {@code add} and {@code remove} throw
 * {@link UnsupportedOperationException} (CPython has no {@code append}). Each item has a slot of
 * 8 bytes, a string's or byte array's rounded up to a multiple of 8 with at least one byte to
 * spare ({@code "abc"} gets 8 bytes, an 8-byte string 16). An item may be replaced by one of
 * another kind (a number slot can take a short string), but a string or byte array longer than
 * its slot throws {@link IllegalArgumentException} {@code "bytes/str item exceeds available
 * storage"}. Trailing NUL bytes of strings and byte arrays are lost, as in CPython. A string's
 * slot is sized by its UTF-8 bytes (CPython sizes it by characters, so that a non-ASCII string may
 * not fit the slot made for it there); a number slot holds up to 8 bytes of string.
 *
 * <p><b>Indexes</b> are Python's (negative from the end); out of range throws
 * {@link IndexOutOfBoundsException} with CPython's message ({@code "index out of range"},
 * {@code "assignment index out of range"}).
 *
 * <p><b>Sharing.</b> Pass it to a child as a {@link io.github.multiprocessing4j.Process} argument
 * (it travels as its block's name), or attach with {@link #attach(String)}. The block's lifetime
 * is {@link SharedMemory}'s: unlink it through {@link #shm()} when done.
 *
 * <p><b>Thread-safety.</b> This object is thread-safe as far as Java goes, but an item's read or
 * write is not atomic (several bytes and the slot's format): coordinate writers with readers, in
 * this process and others, with a lock.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}; {@code null} items are allowed.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, AutoCloseable,
    Serializable {

  private static final long serialVersionUID = 1L;
  private static final int ALIGN = 8;
  /** The recreation codes of CPython's {@code _back_transforms_mapping}. */
  private static final byte PLAIN = 0;
  private static final byte STR = 1;
  private static final byte BYTES = 2;
  private static final byte NONE = 3;
  private static final String FORMAT_BOOL = "xxxxxxx?";
  private static final String FORMAT_NONE = "xxxxxx?x";

  private final transient SharedMemory shm;
  private final transient int length;
  /** Where each slot starts, relative to the data, and where the data ends: length + 1 values. */
  private final transient long[] offsets;

  private ShareableList(SharedMemory shm, int length, long[] offsets) {
    this.shm = shm;
    this.length = length;
    this.offsets = offsets;
  }

  /**
   * Creates a list holding the items of {@code sequence} in a new block with a random name:
   * CPython's {@code ShareableList(sequence)}.
   *
   * @param sequence the items (see the class comment for the kinds allowed)
   * @return the list
   * @throws IllegalArgumentException for an item of another kind, or an integer beyond a long,
   *     naming its index
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static ShareableList create(List<?> sequence) {
    return create(sequence, null);
  }

  /**
   * Creates a list holding the items of {@code sequence} in a new block named {@code name}:
   * CPython's {@code ShareableList(sequence, name=name)}.
   *
   * @param sequence the items (see the class comment for the kinds allowed)
   * @param name the block's name; null for a random one
   * @return the list
   * @throws IllegalArgumentException for an item of another kind, or an integer beyond a long,
   *     naming its index; or a name that is not allowed
   * @throws SharedMemoryExistsException if a block of that name exists
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public static ShareableList create(List<?> sequence, String name) {
    int n = sequence.size();
    Object[] items = new Object[n];
    String[] formats = new String[n];
    byte[] codes = new byte[n];
    long[] offsets = new long[n + 1];
    for (int i = 0; i < n; i++) {
      Object v = normalize(sequence.get(i), "item " + i);
      items[i] = v;
      codes[i] = codeOf(v);
      byte[] raw = v instanceof Str ? ((Str) v).utf8 : v instanceof byte[] ? (byte[]) v : null;
      if (raw != null) {
        int slot = ALIGN * (raw.length / ALIGN + 1);
        formats[i] = slot + "s";
        offsets[i + 1] = offsets[i] + slot;
      } else {
        formats[i] = formatOf(v);
        offsets[i + 1] = offsets[i] + ALIGN;
      }
    }
    long size = 8L + 8L * (n + 1) + offsets[n] + 8L * n + n;
    SharedMemory shm = SharedMemory.open(name, true, size);
    ByteBuffer b = shm.buf();
    b.putLong(0, n);
    for (int i = 0; i <= n; i++) {
      b.putLong(8 + 8 * i, offsets[i]);
    }
    ShareableList list = new ShareableList(shm, n, offsets);
    for (int i = 0; i < n; i++) {
      list.write(b, i, formats[i], codes[i], items[i]);
    }
    return list;
  }

  /**
   * Attaches to the list stored in the block {@code name}: CPython's
   * {@code ShareableList(name=name)}.
   *
   * @param name the block's name
   * @return the list
   * @throws SharedMemoryNotFoundException if there is no block of that name
   * @throws IllegalArgumentException if the name is not allowed, or the block does not hold a
   *     list
   * @throws SharedMemoryException if the operating system refuses
   */
  public static ShareableList attach(String name) {
    Objects.requireNonNull(name, "name");
    SharedMemory shm = SharedMemory.attach(name);
    ByteBuffer b = shm.buf();
    long n = shm.size() >= 16 ? b.getLong(0) : -1;
    if (n < 0 || 8 + 8 * (n + 1) > shm.size()) {
      shm.close();
      throw new IllegalArgumentException("shared memory '" + name + "' does not hold a ShareableList");
    }
    long[] offsets = new long[(int) n + 1];
    for (int i = 0; i <= n; i++) {
      offsets[i] = b.getLong(8 + 8 * i);
    }
    if (8L + 8L * (n + 1) + offsets[(int) n] + 9L * n > shm.size()) {
      shm.close();
      throw new IllegalArgumentException("shared memory '" + name + "' does not hold a ShareableList");
    }
    return new ShareableList(shm, (int) n, offsets);
  }

  /** The item as stored: Long, Double, Boolean, byte[] (for str, with code STR), or null. */
  private static Object normalize(Object v, String what) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof byte[]) {
      return v instanceof byte[] ? ((byte[]) v).clone() : v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger) {
      BigInteger big = (BigInteger) v;
      if (big.bitLength() > 63) {
        throw new IllegalArgumentException("'q' format requires -9223372036854775808 <= number <= "
            + "9223372036854775807: " + what + " is " + big);
      }
      return big.longValue();
    }
    if (v instanceof Float) {
      return ((Float) v).doubleValue();
    }
    if (v instanceof CharSequence) {
      return new Str(v.toString().getBytes(StandardCharsets.UTF_8));
    }
    throw new IllegalArgumentException("a ShareableList holds integers, floating-point numbers, booleans, "
        + "strings, byte arrays and nulls, not a " + v.getClass().getName() + ": " + what);
  }

  /** A string's UTF-8 bytes (distinguished from a {@code byte[]} item). */
  private static final class Str {
    final byte[] utf8;

    Str(byte[] utf8) {
      this.utf8 = utf8;
    }
  }

  private static byte codeOf(Object v) {
    return v == null ? NONE : v instanceof Str ? STR : v instanceof byte[] ? BYTES : PLAIN;
  }

  /** The format of a fixed-size item. */
  private static String formatOf(Object v) {
    if (v == null) {
      return FORMAT_NONE;
    }
    if (v instanceof Long) {
      return "q";
    }
    if (v instanceof Double) {
      return "d";
    }
    return FORMAT_BOOL;
  }

  private int dataStart() {
    return (length + 2) * 8;
  }

  private int formatsStart() {
    return dataStart() + (int) offsets[length];
  }

  private int codesStart() {
    return formatsStart() + 8 * length;
  }

  private void write(ByteBuffer b, int i, String format, byte code, Object v) {
    int off = dataStart() + (int) offsets[i];
    if (format.endsWith("s")) {
      int slot = Integer.parseInt(format.substring(0, format.length() - 1));
      byte[] bytes = v instanceof Str ? ((Str) v).utf8 : (byte[]) v;
      for (int k = 0; k < slot; k++) {
        b.put(off + k, k < bytes.length ? bytes[k] : 0);
      }
    } else if (v instanceof Long) {
      b.putLong(off, (Long) v);
    } else if (v instanceof Double) {
      b.putDouble(off, (Double) v);
    } else if (v instanceof Boolean) {
      b.put(off + 7, (byte) ((Boolean) v ? 1 : 0));
    } else {
      b.put(off + 6, (byte) 0); // None: CPython packs False
    }
    byte[] f = format.getBytes(StandardCharsets.US_ASCII);
    int fo = formatsStart() + 8 * i;
    for (int k = 0; k < 8; k++) {
      b.put(fo + k, k < f.length ? f[k] : 0);
    }
    b.put(codesStart() + i, code);
  }

  private String formatAt(ByteBuffer b, int i) {
    int fo = formatsStart() + 8 * i;
    int len = 0;
    while (len < 8 && b.get(fo + len) != 0) {
      len++;
    }
    byte[] f = new byte[len];
    b.get(fo, f);
    return new String(f, StandardCharsets.US_ASCII);
  }

  private int position(int index, String message) {
    int j = index < 0 ? index + length : index;
    if (j < 0 || j >= length) {
      throw new IndexOutOfBoundsException(message + ": " + index + " (length " + length + ")");
    }
    return j;
  }

  /**
   * Returns an item: CPython's {@code sl[index]}.
   *
   * @param index the index; negative counts from the end
   * @return a {@code Long}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]} (a
   *     copy) or null
   * @throws IndexOutOfBoundsException {@code "index out of range: ..."} if out of range
   * @throws IllegalStateException if the list was closed
   */
  @Override
  public Object get(int index) {
    int i = position(index, "index out of range");
    ByteBuffer b = shm.buf();
    String format = formatAt(b, i);
    int off = dataStart() + (int) offsets[i];
    byte code = b.get(codesStart() + i);
    if (code == NONE) {
      return null;
    }
    if (format.endsWith("s")) {
      int slot = Integer.parseInt(format.substring(0, format.length() - 1));
      int end = slot;
      while (end > 0 && b.get(off + end - 1) == 0) {
        end--;
      }
      byte[] bytes = new byte[end];
      b.get(off, bytes);
      return code == STR ? new String(bytes, StandardCharsets.UTF_8) : bytes;
    }
    switch (format) {
      case "q":
        return b.getLong(off);
      case "d":
        return b.getDouble(off);
      default:
        return b.get(off + 7) != 0;
    }
  }

  /**
   * Replaces an item: CPython's {@code sl[index] = value}. The kind may change; a string or byte
   * array must fit the slot.
   *
   * @param index the index; negative counts from the end
   * @param value the new item (see the class comment for the kinds allowed); may be null
   * @return the previous item
   * @throws IndexOutOfBoundsException {@code "assignment index out of range: ..."} if out of range
   * @throws IllegalArgumentException {@code "bytes/str item exceeds available storage"} for a
   *     string or byte array longer than the slot, or an item of another kind
   * @throws IllegalStateException if the list was closed
   */
  @Override
  public Object set(int index, Object value) {
    int i = position(index, "assignment index out of range");
    Object v = normalize(value, "the item for index " + index);
    ByteBuffer b = shm.buf();
    Object old = get(i);
    String format;
    if (v instanceof byte[] || v instanceof Str) {
      long slot = offsets[i + 1] - offsets[i];
      int len = v instanceof Str ? ((Str) v).utf8.length : ((byte[]) v).length;
      if (len > slot) {
        throw new IllegalArgumentException("bytes/str item exceeds available storage: " + len + " bytes, the slot "
            + "of index " + index + " has " + slot);
      }
      format = slot + "s";
    } else {
      format = formatOf(v);
    }
    write(b, i, format, codeOf(v), v);
    return old;
  }

  /**
   * Returns the number of items: CPython's {@code len(sl)}, fixed.
   *
   * @return the length
   */
  @Override
  public int size() {
    return length;
  }

  /**
   * Counts the items equal to {@code value} (byte arrays by content): CPython's {@code count}.
   *
   * @param value the value; may be null
   * @return how many items equal it
   */
  public int count(Object value) {
    int c = 0;
    for (int i = 0; i < length; i++) {
      if (same(get(i), value)) {
        c++;
      }
    }
    return c;
  }

  /**
   * Returns the index of the first item equal to {@code value} (byte arrays by content): CPython's
   * {@code index}.
   *
   * @param value the value; may be null
   * @return its index
   * @throws IllegalArgumentException {@code "'x' not in this container"} if there is none, as
   *     CPython's {@code ValueError}
   */
  public int index(Object value) {
    for (int i = 0; i < length; i++) {
      if (same(get(i), value)) {
        return i;
      }
    }
    throw new IllegalArgumentException((value instanceof CharSequence ? "'" + value + "'" : String.valueOf(value))
        + " not in this container");
  }

  /**
   * As {@link #index(Object)}, but -1 if there is none: {@link List#indexOf}.
   *
   * @param value the value; may be null
   * @return its index, or -1
   */
  @Override
  public int indexOf(Object value) {
    for (int i = 0; i < length; i++) {
      if (same(get(i), value)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean same(Object item, Object value) {
    if (item instanceof byte[] && value instanceof byte[]) {
      return Arrays.equals((byte[]) item, (byte[]) value);
    }
    if (item instanceof Long && (value instanceof Integer || value instanceof Short || value instanceof Byte)) {
      return (Long) item == ((Number) value).longValue();
    }
    if (item instanceof String && value instanceof CharSequence) {
      return item.equals(value.toString());
    }
    return Objects.equals(item, value);
  }

  /**
   * Returns CPython's {@code format}: the struct formats of the items, concatenated
   * ({@code "qd8sxxxxxxx?"}).
   *
   * @return the format
   */
  public String format() {
    ByteBuffer b = shm.buf();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(formatAt(b, i));
    }
    return s.toString();
  }

  /**
   * Returns the block the items live in: CPython's {@code shm}. Unlink it when done.
   *
   * @return the block
   */
  public SharedMemory shm() {
    return shm;
  }

  /** Closes this process's view: {@code shm().close()}. Idempotent. */
  @Override
  public void close() {
    shm.close();
  }

  /**
   * Returns CPython's {@code repr}: {@code ShareableList([1, 2.5, hello], name='psm_1a2b3c4d')}
   * (the items as Java prints them).
   *
   * @return the description
   */
  @Override
  public String toString() {
    List<Object> items = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      Object o = get(i);
      items.add(o instanceof byte[] ? Arrays.toString((byte[]) o) : o);
    }
    return "ShareableList(" + items + ", name='" + shm.name() + "')";
  }

  /**
   * Serializes as the block's name, as CPython's pickling: the receiving process attaches.
   *
   * @return the serialized form
   */
  private Object writeReplace() {
    return SharedRefs.shareableList(shm.name());
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a ShareableList is deserialized through its reference only");
  }
}
