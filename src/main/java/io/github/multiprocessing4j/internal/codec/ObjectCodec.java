package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.runtime.Limits;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes the objects that pipes and queues send between JVMs: one message, one value. Common
 * values get a compact tagged form, much cheaper to write and read than an
 * {@link java.io.ObjectOutputStream} per message, which repeats every class descriptor each time;
 * anything else goes through Java serialization whole.
 *
 * <h2>Format</h2>
 *
 * <p>A value starts with a one-byte tag. Compact forms exist for {@code null}, the boxed primitives
 * ({@code Integer} from -16 to 111 in the tag byte alone, other ints and longs as zigzag varints,
 * floats and doubles as their raw bits, so every NaN keeps its payload), {@code String} (Latin-1
 * one byte a char, else UTF-8, else, for a string with an unpaired surrogate, UTF-16 chars),
 * {@code byte[]}, {@code int[]}, {@code long[]}, {@code double[]}, {@code Object[]}, and for
 * exactly (by {@code getClass()}, not {@code instanceof}) {@link ArrayList}, {@link HashMap},
 * {@link LinkedHashMap}, {@link HashSet}, {@link LinkedHashSet} and the unmodifiable collections of
 * {@link List#of}, {@link Set#of} and {@link Map#of}; an {@code ArrayList} of {@code Integer}s
 * only, or of {@code Long}s only, is packed (a count, then zigzag varints, no tags). Lengths and
 * counts are unsigned varints;
 * fixed-width numbers are big-endian. Decoding gives back an equal object of the same class.
 *
 * <p>A value with anything else in it (a subclass of {@code HashMap} included), with more than
 * {@value #MAX_DEPTH} levels of nested containers, or in which a container or array occurs twice
 * (a cycle, or a shared reference whose identity Java serialization would keep) is written whole
 * with Java serialization instead, after a tag of its own: the compact forms never mix with it.
 *
 * <p>Not kept by the compact forms: the capacity and load factor of hash-based collections, the
 * access order of a {@code LinkedHashMap} built with {@code accessOrder = true} (its current
 * iteration order is kept), and the null-tolerance of a null-free list from
 * {@code Stream.toList()}, which comes back as a {@code List.of} list of the same class. The format
 * is for two JVMs running the same version of the library, not for storage.
 *
 * <h2>Filtering</h2>
 *
 * <p>Decoding passes every class, compact or not, through an {@link ObjectInputFilter}. For a
 * compact value the filter sees the value's class with {@code arrayLength} -1 (the array's length
 * for an array), the nesting depth (1 for the message's value), the number of non-null values
 * decoded so far, this one included, as {@code references}, and the bytes consumed so far. A collection's
 * element count is announced as the JDK's own collections announce it when deserialized: as an
 * array, {@code Object[]} for lists, {@code Set.of}, {@code Map.of} and {@code Object[]},
 * {@code Map.Entry[]} for the hash-based ones, with the count as {@code arrayLength}, so a
 * {@code maxarray} limit bounds them too. Unlike {@link java.io.ObjectInputStream}, which does not
 * filter strings, a compact {@code String} is filtered as well. The numbers of a packed list are
 * announced once, as one {@code Integer} (or {@code Long}) whose {@code references} already count
 * them all, and whose {@code streamBytes} already include them.
 */
public final class ObjectCodec {

  /** The deepest nesting of containers in a compact value: a deeper one is Java-serialized. */
  public static final int MAX_DEPTH = 64;

  private static final int NULL = 0;
  private static final int FALSE = 1;
  private static final int TRUE = 2;
  private static final int BYTE = 3;
  private static final int SHORT = 4;
  private static final int CHAR = 5;
  private static final int INT = 6;
  private static final int LONG = 7;
  private static final int FLOAT = 8;
  private static final int DOUBLE = 9;
  private static final int STRING_LATIN1 = 10;
  private static final int STRING_UTF8 = 11;
  private static final int STRING_UTF16 = 12;
  private static final int BYTES = 13;
  private static final int INTS = 14;
  private static final int LONGS = 15;
  private static final int DOUBLES = 16;
  private static final int OBJECTS = 17;
  private static final int ARRAY_LIST = 18;
  private static final int HASH_MAP = 19;
  private static final int LINKED_HASH_MAP = 20;
  private static final int HASH_SET = 21;
  private static final int LINKED_HASH_SET = 22;
  private static final int LIST_OF = 23;
  private static final int SET_OF = 24;
  private static final int MAP_OF = 25;
  /** An ArrayList of Integers only: a count, then the ints as zigzag varints. */
  private static final int INT_LIST = 26;
  /** An ArrayList of Longs only: a count, then the longs as zigzag varints. */
  private static final int LONG_LIST = 27;
  /** The whole message is an ObjectOutputStream's output; only ever the first tag. */
  private static final int SERIALIZED = 127;
  /** Tags from here to 255 are the ints from {@link #SMALL_INT_MIN} on. */
  private static final int SMALL_INT_TAG = 128;
  private static final int SMALL_INT_MIN = -16;
  private static final int SMALL_INT_MAX = SMALL_INT_MIN + 127;

  /** The most elements a decoded collection is sized for before they have arrived. */
  private static final int PRESIZE = 1024;

  /** The classes of List.of, Set.of and Map.of: one for 1 or 2 elements (1 entry), one otherwise. */
  private static final Class<?> LIST_12 = List.of(0).getClass();
  private static final Class<?> LIST_N = List.of().getClass();
  private static final Class<?> SET_12 = Set.of(0).getClass();
  private static final Class<?> SET_N = Set.of().getClass();
  private static final Class<?> MAP_1 = Map.of(0, 0).getClass();
  private static final Class<?> MAP_N = Map.of().getClass();

  private ObjectCodec() {}

  // ---------------------------------------------------------------------------------- encoding

  /**
   * Appends the encoding of a value to a sink. If it cannot be encoded, the sink is left as it was.
   *
   * @param value the value, {@code null} included
   * @param out the sink
   * @throws IllegalArgumentException if the value, or something in it, is not serializable: the
   *     message names the class and, for a value inside a compact collection, where it sits, e.g.
   *     {@code value of key "x" in a java.util.HashMap}; or if its encoding is longer than
   *     {@link Limits#maxMessageBytes()} (the message names the limit and its property)
   * @throws java.util.ConcurrentModificationException if a collection in it changes meanwhile
   */
  public static void encode(Object value, ByteSink out) {
    int start = out.size();
    boolean done = false;
    try {
      if (!writeScalar(value, out) && !new Encoder(out).writeContainer(value, 1)) {
        out.truncate(start);
        out.writeByte(SERIALIZED);
        int at = out.size();
        try {
          JavaSerialization.writeDeep(value, out.asOutputStream(), () -> out.truncate(at),
              Limits.maxDepth(), "-D" + Limits.MAX_DEPTH_PROPERTY);
        } catch (IOException | RuntimeException e) {
          throw notSendable(value, e);
        }
      }
      // Checked here, in the sender's thread, so that no receiver ever refuses what was sent.
      if (out.size() - start > Limits.maxMessageBytes()) {
        throw Limits.tooLong(out.size() - start);
      }
      done = true;
    } finally {
      if (!done) {
        out.truncate(start);
      }
    }
  }

  /**
   * Encodes a value into a new array.
   *
   * @param value the value, {@code null} included
   * @return its encoding
   * @throws IllegalArgumentException as {@link #encode(Object, ByteSink)} does
   */
  public static byte[] encode(Object value) {
    ByteSink out = new ByteSink(64);
    encode(value, out);
    return out.toByteArray();
  }

  /** Writes a null, a boxed primitive or a string; {@code false} (and nothing written) otherwise. */
  private static boolean writeScalar(Object v, ByteSink out) {
    if (v == null) {
      out.writeByte(NULL);
      return true;
    }
    Class<?> c = v.getClass();
    if (c == Integer.class) {
      writeInt(out, (Integer) v);
    } else if (c == String.class) {
      writeString(out, (String) v);
    } else if (c == Long.class) {
      out.writeByte(LONG);
      long l = (Long) v;
      out.writeVarLong((l << 1) ^ (l >> 63));
    } else if (c == Double.class) {
      out.writeByte(DOUBLE);
      out.writeLong(Double.doubleToRawLongBits((Double) v));
    } else if (c == Boolean.class) {
      out.writeByte((Boolean) v ? TRUE : FALSE);
    } else if (c == Float.class) {
      out.writeByte(FLOAT);
      out.writeInt(Float.floatToRawIntBits((Float) v));
    } else if (c == Short.class) {
      out.writeByte(SHORT);
      out.writeShort((Short) v);
    } else if (c == Byte.class) {
      out.ensure(2);
      out.writeByte(BYTE);
      out.writeByte((Byte) v);
    } else if (c == Character.class) {
      out.writeByte(CHAR);
      out.writeShort((Character) v);
    } else {
      return false;
    }
    return true;
  }

  private static void writeInt(ByteSink out, int v) {
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX) {
      out.writeByte(SMALL_INT_TAG + v - SMALL_INT_MIN);
    } else {
      out.ensure(6);
      out.writeByte(INT);
      out.writeVarInt((v << 1) ^ (v >> 31));
    }
  }

  private static void writeString(ByteSink out, String s) {
    int n = s.length();
    ensure(out, 6L + n);
    byte[] b = out.array();
    int p = out.size();
    b[p++] = STRING_LATIN1;
    p = putVarInt(b, p, n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        writeWideString(out, s);
        return;
      }
      b[p++] = (byte) c;
    }
    out.setSize(p);
  }

  /** A string with a char above Latin-1: UTF-8 if that carries it, else its UTF-16 chars. */
  private static void writeWideString(ByteSink out, String s) {
    if (ValueCodec.wellFormed(s)) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      ensure(out, 6L + utf8.length);
      out.writeByte(STRING_UTF8);
      out.writeVarInt(utf8.length);
      out.write(utf8, 0, utf8.length);
    } else {
      int n = s.length();
      ensure(out, 6L + 2L * n);
      out.writeByte(STRING_UTF16);
      out.writeVarInt(n);
      byte[] b = out.array();
      int p = out.size();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        b[p++] = (byte) (c >>> 8);
        b[p++] = (byte) c;
      }
      out.setSize(p);
    }
  }

  private static int putVarLong(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  private static int putVarInt(byte[] b, int p, int v) {
    while ((v & ~0x7F) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  /** {@link ByteSink#ensure} for a length computed in {@code long}. */
  private static void ensure(ByteSink out, long n) {
    if (n > Integer.MAX_VALUE) {
      throw new OutOfMemoryError("a value of " + n + " bytes exceeds the largest array");
    }
    out.ensure((int) n);
  }

  /**
   * The compact encoding of containers: remembers every container and array it enters, so that
   * one met twice (a cycle, or shared) sends the whole value to Java serialization.
   */
  private static final class Encoder {
    private final ByteSink out;
    private Object first;
    private Object[] seen;
    private int seenCount;
    private IdentityHashMap<Object, Boolean> seenMap;

    Encoder(ByteSink out) {
      this.out = out;
    }

    /** Records a container or array; {@code false} if it was met before. */
    private boolean enter(Object o) {
      if (first == null) {
        first = o;
        return true;
      }
      if (first == o) {
        return false;
      }
      if (seenMap != null) {
        return seenMap.put(o, Boolean.TRUE) == null;
      }
      for (int i = 0; i < seenCount; i++) {
        if (seen[i] == o) {
          return false;
        }
      }
      if (seen == null) {
        seen = new Object[8];
      } else if (seenCount == seen.length) {
        if (seenCount >= 32) {
          seenMap = new IdentityHashMap<>(128);
          for (int i = 0; i < seenCount; i++) {
            seenMap.put(seen[i], Boolean.TRUE);
          }
          seen = null;
          seenMap.put(o, Boolean.TRUE);
          return true;
        }
        seen = Arrays.copyOf(seen, 2 * seenCount);
      }
      seen[seenCount++] = o;
      return true;
    }

    /** Writes a value compactly; {@code false} if it (or something in it) has no compact form. */
    private boolean write(Object v, int depth) {
      return writeScalar(v, out) || writeContainer(v, depth);
    }

    /** {@link #write} for a value that is not a scalar. */
    boolean writeContainer(Object v, int depth) {
      Class<?> c = v.getClass();
      if (c.isArray()) {
        return writeArray(v, c, depth);
      }
      if (depth > MAX_DEPTH) {
        return false;
      }
      if (c == ArrayList.class) {
        return enter(v) && (writePacked((List<?>) v) || writeList(ARRAY_LIST, (List<?>) v, depth));
      } else if (c == HashMap.class) {
        return enter(v) && writeMap(HASH_MAP, (Map<?, ?>) v, depth);
      } else if (c == LinkedHashMap.class) {
        return enter(v) && writeMap(LINKED_HASH_MAP, (Map<?, ?>) v, depth);
      } else if (c == HashSet.class) {
        return enter(v) && writeCollection(HASH_SET, (Collection<?>) v, depth);
      } else if (c == LinkedHashSet.class) {
        return enter(v) && writeCollection(LINKED_HASH_SET, (Collection<?>) v, depth);
      } else if (c == LIST_12 || c == LIST_N) {
        // Stream.toList() makes a ListN of any size, nulls allowed: only what List.of makes here.
        List<?> l = (List<?>) v;
        return c == listOfClass(l.size()) && enter(v) && writeList(LIST_OF, l, depth);
      } else if (c == SET_12 || c == SET_N) {
        Set<?> s = (Set<?>) v;
        return c == setOfClass(s.size()) && enter(v) && writeCollection(SET_OF, s, depth);
      } else if (c == MAP_1 || c == MAP_N) {
        Map<?, ?> m = (Map<?, ?>) v;
        return c == mapOfClass(m.size()) && enter(v) && writeMap(MAP_OF, m, depth);
      }
      return false;
    }

    private boolean writeArray(Object v, Class<?> c, int depth) {
      if (c == byte[].class) {
        byte[] a = (byte[]) v;
        if (!enter(v)) {
          return false;
        }
        ensure(out, 6L + a.length);
        out.writeByte(BYTES);
        out.writeVarInt(a.length);
        out.write(a, 0, a.length);
      } else if (c == int[].class) {
        int[] a = (int[]) v;
        if (!enter(v)) {
          return false;
        }
        int p = header(INTS, a.length, 4);
        ByteBuffer.wrap(out.array(), p, 4 * a.length).asIntBuffer().put(a);
        out.setSize(p + 4 * a.length);
      } else if (c == long[].class) {
        long[] a = (long[]) v;
        if (!enter(v)) {
          return false;
        }
        int p = header(LONGS, a.length, 8);
        ByteBuffer.wrap(out.array(), p, 8 * a.length).asLongBuffer().put(a);
        out.setSize(p + 8 * a.length);
      } else if (c == double[].class) {
        double[] a = (double[]) v;
        if (!enter(v)) {
          return false;
        }
        int p = header(DOUBLES, a.length, 8);
        // A DoubleBuffer view copies the raw bits: NaN payloads survive.
        ByteBuffer.wrap(out.array(), p, 8 * a.length).asDoubleBuffer().put(a);
        out.setSize(p + 8 * a.length);
      } else if (c == Object[].class) {
        if (depth > MAX_DEPTH || !enter(v)) {
          return false;
        }
        Object[] a = (Object[]) v;
        out.ensure(6);
        out.writeByte(OBJECTS);
        out.writeVarInt(a.length);
        for (Object e : a) {
          if (!write(e, depth + 1)) {
            return false;
          }
        }
      } else {
        return false;
      }
      return true;
    }

    /** Writes tag and length, makes room for the elements; returns where they go. */
    private int header(int tag, int length, int width) {
      ensure(out, 6L + (long) width * length);
      out.writeByte(tag);
      out.writeVarInt(length);
      return out.size();
    }

    /**
     * Writes a non-empty list of Integers only, or of Longs only, packed; {@code false}, with
     * nothing written, for any other list. A map over numbers sends and returns such lists, and
     * packing them makes encoding and decoding several times cheaper than a tag per element.
     */
    private boolean writePacked(List<?> l) {
      int n = l.size();
      if (n == 0) {
        return false;
      }
      Class<?> type = l.get(0) == null ? null : l.get(0).getClass();
      if (type != Integer.class && type != Long.class) {
        return false;
      }
      int width = type == Integer.class ? 5 : 10;
      int start = out.size();
      ensure(out, 6L + (long) width * n);
      byte[] b = out.array();
      int p = start;
      b[p++] = (byte) (type == Integer.class ? INT_LIST : LONG_LIST);
      p = putVarInt(b, p, n);
      for (int i = 0; i < n; i++) {
        Object e = l.get(i);
        if (e == null || e.getClass() != type) {
          out.setSize(start);
          return false;
        }
        if (type == Integer.class) {
          int v = (Integer) e;
          p = putVarInt(b, p, (v << 1) ^ (v >> 31));
        } else {
          long v = (Long) e;
          p = putVarLong(b, p, (v << 1) ^ (v >> 63));
        }
      }
      if (l.size() != n) {
        throw new ConcurrentModificationException("the list changed while it was encoded");
      }
      out.setSize(p);
      return true;
    }

    private boolean writeList(int tag, List<?> l, int depth) {
      int n = l.size();
      out.ensure(6);
      out.writeByte(tag);
      out.writeVarInt(n);
      for (int i = 0; i < n; i++) {
        Object e = l.get(i);
        if ((e == null && tag == LIST_OF) || !write(e, depth + 1)) {
          return false;
        }
      }
      if (l.size() != n) {
        throw new ConcurrentModificationException("the list changed while it was encoded");
      }
      return true;
    }

    private boolean writeCollection(int tag, Collection<?> c, int depth) {
      int n = c.size();
      out.ensure(6);
      out.writeByte(tag);
      out.writeVarInt(n);
      int count = 0;
      for (Object e : c) {
        if (!write(e, depth + 1)) {
          return false;
        }
        count++;
      }
      if (count != n) {
        throw new ConcurrentModificationException("the set changed while it was encoded");
      }
      return true;
    }

    private boolean writeMap(int tag, Map<?, ?> m, int depth) {
      int n = m.size();
      out.ensure(6);
      out.writeByte(tag);
      out.writeVarInt(n);
      int count = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!write(e.getKey(), depth + 1) || !write(e.getValue(), depth + 1)) {
          return false;
        }
        count++;
      }
      if (count != n) {
        throw new ConcurrentModificationException("the map changed while it was encoded");
      }
      return true;
    }
  }

  private static Class<?> listOfClass(int size) {
    return size == 1 || size == 2 ? LIST_12 : LIST_N;
  }

  private static Class<?> setOfClass(int size) {
    return size == 1 || size == 2 ? SET_12 : SET_N;
  }

  private static Class<?> mapOfClass(int size) {
    return size == 1 ? MAP_1 : MAP_N;
  }

  // ---------------------------------------------------------------------- encoding: the errors

  /** The error for a value that Java serialization refused, saying where the culprit sits. */
  private static IllegalArgumentException notSendable(Object value, Exception e) {
    StringBuilder msg = new StringBuilder("the value (a ").append(value.getClass().getTypeName())
        .append(") cannot be sent: ");
    Culprit culprit = null;
    if (e instanceof NotSerializableException || value instanceof Collection
        || value instanceof Map || value instanceof Object[]) {
      try {
        culprit = findCulprit(value, null, 1, new IdentityHashMap<>());
      } catch (StackOverflowError tooDeep) {
        culprit = null; // a graph too deep to walk here: the message names the class only
      }
    }
    boolean notSerializable = e instanceof NotSerializableException;
    if (notSerializable) {
      msg.append(e.getMessage()).append(" is not serializable");
    } else {
      msg.append(e);
    }
    if (culprit != null && culprit.location != null) {
      msg.append(" (");
      if (!culprit.value.getClass().getName().equals(notSerializable ? e.getMessage() : null)) {
        msg.append("in the ").append(culprit.value.getClass().getTypeName()).append(" that is ");
      }
      msg.append(culprit.location).append(')');
    }
    if (notSerializable) {
      msg.append("; make it implement java.io.Serializable or send something that does");
    }
    return new IllegalArgumentException(msg.toString(), e);
  }

  /** A value that does not serialize, and where it sits in the message. */
  private static final class Culprit {
    final Object value;
    final String location;

    Culprit(Object value, String location) {
      this.value = value;
      this.location = location;
    }
  }

  /**
   * Looks through the compact containers of a value for the first thing in them that does not
   * serialize on its own. Only on the error path: it serializes every leaf it tries.
   */
  private static Culprit findCulprit(Object v, String location, int depth,
      IdentityHashMap<Object, Boolean> seen) {
    if (v == null) {
      return null;
    }
    Class<?> c = v.getClass();
    boolean container = c == ArrayList.class || c == HashMap.class || c == LinkedHashMap.class
        || c == HashSet.class || c == LinkedHashSet.class || c == LIST_12 || c == LIST_N
        || c == SET_12 || c == SET_N || c == MAP_1 || c == MAP_N || c == Object[].class;
    if (c == String.class || c == Integer.class || c == Long.class || c == Double.class
        || c == Boolean.class || c == Float.class || c == Short.class || c == Byte.class
        || c == Character.class || c == byte[].class || c == int[].class || c == long[].class
        || c == double[].class) {
      return null;
    }
    if (!container || depth > 1000) {
      return JavaSerialization.serializationFailure(v) == null ? null : new Culprit(v, location);
    }
    if (seen.put(v, Boolean.TRUE) != null) {
      return null;
    }
    String in = c.getTypeName();
    String where = location == null ? "" : ", which is " + location;
    if (v instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        String key = describeKey(e.getKey());
        Culprit found = findCulprit(e.getKey(), "key " + key + " of a " + in + where, depth + 1, seen);
        if (found == null) {
          found = findCulprit(e.getValue(), "value of key " + key + " in a " + in + where, depth + 1,
              seen);
        }
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    Iterator<?> it = v instanceof Object[] ? Arrays.asList((Object[]) v).iterator()
        : ((Collection<?>) v).iterator();
    for (int i = 0; it.hasNext(); i++) {
      Culprit found = findCulprit(it.next(), "element #" + i + " of a " + in + where, depth + 1, seen);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static String describeKey(Object key) {
    if (key instanceof String) {
      String s = (String) key;
      return '"' + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + '"';
    }
    if (key instanceof Character) {
      return "'" + key + "'";
    }
    if (key == null || key instanceof Number || key instanceof Boolean) {
      return String.valueOf(key);
    }
    return "(a " + key.getClass().getTypeName() + ")";
  }

  /** Tells whether a message holds a Java-serialized value rather than a compact one. */
  static boolean javaSerialized(byte[] buf, int off, int len) {
    return len > 0 && (buf[off] & 0xFF) == SERIALIZED;
  }

  // ---------------------------------------------------------------------------------- decoding

  /**
   * Decodes the one value that {@code buf[off, off + len)} holds.
   *
   * @param buf the message's bytes
   * @param off where the message starts
   * @param len the message's length
   * @param filter asked about every class, compact or Java-serialized, before it is instantiated
   *     (see the class comment); a class it rejects (or for which it returns {@code null} or
   *     throws) fails the message
   * @return the value
   * @throws InvalidClassException naming the class if {@code filter} rejects it, or if a
   *     Java-serialized class is not found
   * @throws StreamCorruptedException if the message is truncated, corrupt, or has bytes after the
   *     value; a length is checked against the bytes left before anything is allocated for it
   * @throws IOException if a Java-serialized value cannot be read
   * @throws IndexOutOfBoundsException if the range is outside {@code buf}
   */
  public static Object decode(byte[] buf, int off, int len, ObjectInputFilter filter)
      throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    Objects.requireNonNull(filter, "filter");
    if (len == 0) {
      throw new StreamCorruptedException("empty message: no value tag");
    }
    if (len > Limits.maxMessageBytes()) {
      throw new StreamCorruptedException("a message of " + len + " bytes, more than the limit of "
          + Limits.maxMessageBytes() + " (-D" + Limits.MAX_MESSAGE_BYTES_PROPERTY + ")");
    }
    if ((buf[off] & 0xFF) == SERIALIZED) {
      return JavaSerialization.read(buf, off + 1, len - 1, filter);
    }
    Decoder d = new Decoder(buf, off, len, filter);
    Object value = d.read(1);
    if (d.pos != d.end) {
      throw new StreamCorruptedException(
          (d.end - d.pos) + " bytes after the value, which ends at byte " + (d.pos - off));
    }
    return value;
  }

  /** Reads one message; it is the {@link ObjectInputFilter.FilterInfo} its filter is given. */
  private static final class Decoder implements ObjectInputFilter.FilterInfo {
    private final byte[] buf;
    private final int start;
    private final int end;
    private final ObjectInputFilter filter;
    private int pos;
    private long references;
    private Class<?> serialClass;
    private long arrayLength;
    private long depth;

    Decoder(byte[] buf, int off, int len, ObjectInputFilter filter) {
      this.buf = buf;
      this.start = off;
      this.end = off + len;
      this.filter = filter;
      this.pos = off;
    }

    @Override
    public Class<?> serialClass() {
      return serialClass;
    }

    @Override
    public long arrayLength() {
      return arrayLength;
    }

    @Override
    public long depth() {
      return depth;
    }

    @Override
    public long references() {
      return references;
    }

    @Override
    public long streamBytes() {
      return pos - start;
    }

    /** Counts a value and asks the filter about its class. */
    private void value(Class<?> c, int d) throws InvalidClassException {
      references++;
      check(c, -1, d, null);
    }

    private void check(Class<?> c, long length, int d, String what) throws InvalidClassException {
      serialClass = c;
      arrayLength = length;
      depth = d;
      ObjectInputFilter.Status status;
      RuntimeException thrown = null;
      try {
        status = filter.checkInput(this);
      } catch (RuntimeException e) {
        status = null;
        thrown = e;
      }
      if (status == null || status == ObjectInputFilter.Status.REJECTED) {
        InvalidClassException e = new InvalidClassException(c.getTypeName(),
            "rejected by the deserialization filter ("
                + (what == null ? "" : what + ": ") + SerialFilters.describe(this)
                + (thrown == null ? "" : ", the filter threw " + thrown) + ")");
        e.initCause(thrown);
        throw e;
      }
    }

    Object read(int d) throws IOException {
      if (pos == end) {
        throw truncated(1);
      }
      int tag = buf[pos++] & 0xFF;
      if (tag >= SMALL_INT_TAG) {
        value(Integer.class, d);
        return tag - SMALL_INT_TAG + SMALL_INT_MIN;
      }
      switch (tag) {
        case NULL:
          return null;
        case FALSE:
          value(Boolean.class, d);
          return Boolean.FALSE;
        case TRUE:
          value(Boolean.class, d);
          return Boolean.TRUE;
        case BYTE:
          value(Byte.class, d);
          need(1);
          return buf[pos++];
        case SHORT:
          value(Short.class, d);
          return (short) readShort();
        case CHAR:
          value(Character.class, d);
          return (char) readShort();
        case INT: {
          value(Integer.class, d);
          int z = readVarInt();
          return (z >>> 1) ^ -(z & 1);
        }
        case LONG: {
          value(Long.class, d);
          long z = readVarLong();
          return (z >>> 1) ^ -(z & 1);
        }
        case FLOAT:
          value(Float.class, d);
          return Float.intBitsToFloat(readInt());
        case DOUBLE:
          value(Double.class, d);
          return Double.longBitsToDouble(readLong());
        case STRING_LATIN1:
        case STRING_UTF8:
        case STRING_UTF16:
          return readString(tag, d);
        case BYTES: {
          int n = arrayLength(byte[].class, 1, d);
          byte[] a = Arrays.copyOfRange(buf, pos, pos + n);
          pos += n;
          return a;
        }
        case INTS: {
          int n = arrayLength(int[].class, 4, d);
          int[] a = new int[n];
          ByteBuffer.wrap(buf, pos, 4 * n).asIntBuffer().get(a);
          pos += 4 * n;
          return a;
        }
        case LONGS: {
          int n = arrayLength(long[].class, 8, d);
          long[] a = new long[n];
          ByteBuffer.wrap(buf, pos, 8 * n).asLongBuffer().get(a);
          pos += 8 * n;
          return a;
        }
        case DOUBLES: {
          int n = arrayLength(double[].class, 8, d);
          double[] a = new double[n];
          ByteBuffer.wrap(buf, pos, 8 * n).asDoubleBuffer().get(a);
          pos += 8 * n;
          return a;
        }
        case OBJECTS: {
          int n = arrayLength(Object[].class, 1, d);
          nested(d);
          return readElements(n, d);
        }
        case INT_LIST: {
          int n = count(ArrayList.class, Object[].class, 1, d);
          // One filter call for the n Integers, with the references they bring: the same verdict
          // as n calls from any filter that looks at classes and limits, at a fraction of the cost.
          // It sees the stream bytes as the last of the n calls would, after the last number.
          int numbers = pos;
          pos = packedEnd(n);
          references += n - 1;
          value(Integer.class, d + 1);
          pos = numbers;
          ArrayList<Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            int z = readVarInt();
            l.add((z >>> 1) ^ -(z & 1));
          }
          return l;
        }
        case LONG_LIST: {
          int n = count(ArrayList.class, Object[].class, 1, d);
          int numbers = pos;
          pos = packedEnd(n);
          references += n - 1;
          value(Long.class, d + 1);
          pos = numbers;
          ArrayList<Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            long z = readVarLong();
            l.add((z >>> 1) ^ -(z & 1));
          }
          return l;
        }
        case ARRAY_LIST: {
          int n = count(ArrayList.class, Object[].class, 1, d);
          ArrayList<Object> l = new ArrayList<>(Math.min(n, PRESIZE));
          for (int i = 0; i < n; i++) {
            l.add(read(d + 1));
          }
          return l;
        }
        case HASH_MAP: {
          int n = count(HashMap.class, Map.Entry[].class, 2, d);
          return readMap(new HashMap<>(capacity(n)), n, d);
        }
        case LINKED_HASH_MAP: {
          int n = count(LinkedHashMap.class, Map.Entry[].class, 2, d);
          return readMap(new LinkedHashMap<>(capacity(n)), n, d);
        }
        case HASH_SET: {
          int n = count(HashSet.class, Map.Entry[].class, 1, d);
          return readSet(new HashSet<>(capacity(n)), n, d);
        }
        case LINKED_HASH_SET: {
          int n = count(LinkedHashSet.class, Map.Entry[].class, 1, d);
          return readSet(new LinkedHashSet<>(capacity(n)), n, d);
        }
        case LIST_OF:
          return readListOf(d);
        case SET_OF:
          return readSetOf(d);
        case MAP_OF:
          return readMapOf(d);
        case SERIALIZED:
          throw corrupt("a Java-serialized value inside a compact one");
        default:
          throw corrupt("unknown value tag " + tag);
      }
    }

    private Object readString(int tag, int d) throws IOException {
      value(String.class, d);
      int n = readLength();
      bound(n, tag == STRING_UTF16 ? 2 : 1);
      int at = pos;
      if (tag == STRING_LATIN1) {
        pos += n;
        return new String(buf, at, n, StandardCharsets.ISO_8859_1);
      } else if (tag == STRING_UTF8) {
        pos += n;
        return new String(buf, at, n, StandardCharsets.UTF_8);
      }
      char[] chars = new char[n];
      for (int i = 0; i < n; i++) {
        chars[i] = (char) (((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF));
        at += 2;
      }
      pos = at;
      return new String(chars);
    }

    private Map<Object, Object> readMap(Map<Object, Object> m, int n, int d) throws IOException {
      for (int i = 0; i < n; i++) {
        m.put(read(d + 1), read(d + 1));
      }
      return m;
    }

    private Set<Object> readSet(Set<Object> s, int n, int d) throws IOException {
      for (int i = 0; i < n; i++) {
        s.add(read(d + 1));
      }
      return s;
    }

    /**
     * Reads {@code n} values into an array of length {@code n}, grown as they arrive: a length is
     * only bounded by the bytes left, and each of 64 nested containers could claim nearly all of
     * them, so memory is committed to what is there rather than to what is announced.
     */
    private Object[] readElements(int n, int d) throws IOException {
      Object[] a = new Object[Math.min(n, PRESIZE)];
      for (int i = 0; i < n; i++) {
        if (i == a.length) {
          a = Arrays.copyOf(a, (int) Math.min(n, 2L * i));
        }
        a[i] = read(d + 1);
      }
      return a;
    }

    private Object readListOf(int d) throws IOException {
      int n = readLength();
      bound(n, 1);
      Object[] a = readImmutableElements(listOfClass(n), n, d);
      try {
        return List.of(a);
      } catch (NullPointerException e) {
        throw corrupt("a null in a List.of list");
      }
    }

    private Object readSetOf(int d) throws IOException {
      int n = readLength();
      bound(n, 1);
      Object[] a = readImmutableElements(setOfClass(n), n, d);
      try {
        return Set.of(a);
      } catch (NullPointerException | IllegalArgumentException e) {
        throw corrupt("a null or a duplicate in a Set.of set");
      }
    }

    private Object[] readImmutableElements(Class<?> c, int n, int d) throws IOException {
      nested(d);
      value(c, d);
      check(Object[].class, n, d, "the elements of a " + c.getTypeName());
      return readElements(n, d);
    }

    private Object readMapOf(int d) throws IOException {
      int n = readLength();
      bound(n, 2);
      Class<?> c = mapOfClass(n);
      nested(d);
      value(c, d);
      check(Object[].class, 2L * n, d, "the keys and values of a " + c.getTypeName());
      Object[] keysAndValues = readElements(2 * n, d);
      @SuppressWarnings({"unchecked", "rawtypes"})
      Map.Entry<Object, Object>[] entries = new Map.Entry[n];
      try {
        for (int i = 0; i < n; i++) {
          entries[i] = Map.entry(keysAndValues[2 * i], keysAndValues[2 * i + 1]);
        }
        return Map.ofEntries(entries);
      } catch (NullPointerException | IllegalArgumentException e) {
        throw corrupt("a null or a duplicate key in a Map.of map");
      }
    }

    /**
     * Reads a collection's element count, bounds it by the bytes left ({@code minBytes} each at
     * least), and asks the filter about the class and the count.
     */
    private int count(Class<?> c, Class<?> arrayClass, int minBytes, int d) throws IOException {
      int n = readLength();
      bound(n, minBytes);
      nested(d);
      value(c, d);
      check(arrayClass, n, d, "the elements of a " + c.getTypeName());
      return n;
    }

    /** Reads an array's length, bounds it by the bytes left, and asks the filter. */
    private int arrayLength(Class<?> c, int width, int d) throws IOException {
      int n = readLength();
      bound(n, width);
      references++;
      check(c, n, d, null);
      return n;
    }

    private void bound(int n, int minBytes) throws StreamCorruptedException {
      if (n > (end - pos) / minBytes) {
        throw new StreamCorruptedException("truncated or corrupt message: a length of " + n
            + " at byte " + (pos - start) + " needs at least " + (long) n * minBytes + " more bytes, "
            + (end - pos) + " left");
      }
    }

    private void nested(int d) throws StreamCorruptedException {
      if (d > MAX_DEPTH) {
        throw corrupt("containers nested deeper than " + MAX_DEPTH);
      }
    }

    private void need(int n) throws StreamCorruptedException {
      if (n > end - pos) {
        throw truncated(n);
      }
    }

    private int readShort() throws StreamCorruptedException {
      need(2);
      int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    private int readInt() throws StreamCorruptedException {
      need(4);
      byte[] b = buf;
      int p = pos;
      pos = p + 4;
      return (b[p] << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    private long readLong() throws StreamCorruptedException {
      need(8);
      long hi = readInt();
      return (hi << 32) | (readInt() & 0xFFFFFFFFL);
    }

    /** Where the {@code n} varints from {@link #pos} end, without reading them. */
    private int packedEnd(int n) throws StreamCorruptedException {
      int p = pos;
      for (int i = 0; i < n; i++) {
        do {
          if (p == end) {
            throw new StreamCorruptedException("truncated message: a packed list of " + n
                + " numbers ends after byte " + (p - start));
          }
        } while (buf[p++] < 0);
      }
      return p;
    }

    private int readVarInt() throws StreamCorruptedException {
      int v = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos == end) {
          throw truncated(1);
        }
        int b = buf[pos++];
        if (shift == 28 && (b & 0xF0) != 0) {
          throw corrupt("a varint longer than 32 bits");
        }
        v |= (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }

    private long readVarLong() throws StreamCorruptedException {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos == end) {
          throw truncated(1);
        }
        int b = buf[pos++];
        if (shift == 63 && (b & 0xFE) != 0) {
          throw corrupt("a varint longer than 64 bits");
        }
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }

    private int readLength() throws StreamCorruptedException {
      int n = readVarInt();
      if (n < 0) {
        throw corrupt("a length of " + (n & 0xFFFFFFFFL));
      }
      return n;
    }

    private StreamCorruptedException truncated(long needed) {
      return new StreamCorruptedException("truncated message: " + needed + " more bytes needed at byte "
          + (pos - start) + ", " + (end - pos) + " left");
    }

    private StreamCorruptedException corrupt(String what) {
      return new StreamCorruptedException("corrupt message: " + what + " at byte " + (pos - start));
    }
  }

  /**
   * The initial capacity of a hash-based collection that is to hold {@code n} elements, at most
   * that of {@link #PRESIZE} (see {@code Decoder.readElements}).
   */
  private static int capacity(int n) {
    int m = Math.min(n, PRESIZE);
    return m + m / 3 + 1;
  }
}
