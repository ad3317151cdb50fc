package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.access.ObjectRef;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the compact forms of {@link Tags} into a {@link ByteSink}. The scalars are static, shared
 * with the bootstrap frame's {@link ValueCodec}; an instance encodes one message's containers and
 * remembers every container and array it enters, so that one met twice (a cycle, or shared) sends
 * the whole value to Java serialization, whose identity-keeping it then needs. A method answers
 * {@code false} for something with no compact form, and {@link ObjectCodec} falls back.
 *
 * <p>Not thread-safe: one instance per message.
 */
final class Encoder {

  /** The library's packages: only their classes' {@code writeReplace()} is ever called here. */
  private static final String LIBRARY = "io.github.multiprocessing4j.";

  /**
   * The {@code writeReplace()} that {@link java.io.ObjectOutputStream} calls on an instance of a
   * class of the library, made accessible, or null (none, or not a class of the library).
   */
  private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      return libraryWriteReplace(type);
    }
  };

  /** The {@code writeReplace()} of a serializable lambda's class, made accessible, or null. */
  private static final ClassValue<Method> LAMBDA_WRITE_REPLACE = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      return lambdaWriteReplace(type);
    }
  };

  private final ByteSink out;
  private Object first;
  private Object[] seen;
  private int seenCount;
  private IdentityHashMap<Object, Boolean> seenMap;

  Encoder(ByteSink out) {
    this.out = out;
  }

  /** Writes a null, a boxed primitive or a string; {@code false} (and nothing written) otherwise. */
  static boolean writeScalar(Object v, ByteSink out) {
    if (v == null) {
      out.writeByte(Tags.NULL);
      return true;
    }
    Class<?> c = v.getClass();
    if (c == Integer.class) {
      writeInt(out, (Integer) v);
    } else if (c == String.class) {
      writeString(out, (String) v);
    } else if (c == Long.class) {
      out.writeByte(Tags.LONG);
      long l = (Long) v;
      out.writeVarLong(Varints.zigzag(l));
    } else if (c == Double.class) {
      out.writeByte(Tags.DOUBLE);
      out.writeLong(Double.doubleToRawLongBits((Double) v));
    } else if (c == Boolean.class) {
      out.writeByte((Boolean) v ? Tags.TRUE : Tags.FALSE);
    } else if (c == Float.class) {
      out.writeByte(Tags.FLOAT);
      out.writeInt(Float.floatToRawIntBits((Float) v));
    } else if (c == Short.class) {
      out.writeByte(Tags.SHORT);
      out.writeShort((Short) v);
    } else if (c == Byte.class) {
      out.ensure(2);
      out.writeByte(Tags.BYTE);
      out.writeByte((Byte) v);
    } else if (c == Character.class) {
      out.writeByte(Tags.CHAR);
      out.writeShort((Character) v);
    } else {
      return false;
    }
    return true;
  }

  private static void writeInt(ByteSink out, int v) {
    if (v >= Tags.SMALL_INT_MIN && v <= Tags.SMALL_INT_MAX) {
      out.writeByte(Tags.SMALL_INT_TAG + v - Tags.SMALL_INT_MIN);
    } else {
      out.ensure(6);
      out.writeByte(Tags.INT);
      out.writeVarInt(Varints.zigzag(v));
    }
  }

  private static void writeString(ByteSink out, String s) {
    int n = s.length();
    ensure(out, 6L + n);
    byte[] b = out.array();
    int p = out.size();
    b[p++] = Tags.STRING_LATIN1;
    p = Varints.putVarInt(b, p, n);
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
    if (wellFormed(s)) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      ensure(out, 6L + utf8.length);
      out.writeByte(Tags.STRING_UTF8);
      out.writeVarInt(utf8.length);
      out.write(utf8, 0, utf8.length);
    } else {
      int n = s.length();
      ensure(out, 6L + 2L * n);
      out.writeByte(Tags.STRING_UTF16);
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

  /**
   * Tells whether UTF-8 can carry a string: an unpaired surrogate would arrive as {@code '?'}, so
   * such a string takes another form.
   */
  static boolean wellFormed(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@link ByteSink#ensure} for a length computed in {@code long}. */
  private static void ensure(ByteSink out, long n) {
    if (n > Integer.MAX_VALUE) {
      throw new OutOfMemoryError("a value of " + n + " bytes exceeds the largest array");
    }
    out.ensure((int) n);
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
    if (depth > ObjectCodec.MAX_DEPTH) {
      return false;
    }
    if (c == ArrayList.class) {
      return enter(v)
          && (writePacked((List<?>) v) || writeList(Tags.ARRAY_LIST, (List<?>) v, depth));
    } else if (c == HashMap.class) {
      return enter(v) && writeMap(Tags.HASH_MAP, (Map<?, ?>) v, depth);
    } else if (c == LinkedHashMap.class) {
      return enter(v) && writeMap(Tags.LINKED_HASH_MAP, (Map<?, ?>) v, depth);
    } else if (c == HashSet.class) {
      return enter(v) && writeCollection(Tags.HASH_SET, (Collection<?>) v, depth);
    } else if (c == LinkedHashSet.class) {
      return enter(v) && writeCollection(Tags.LINKED_HASH_SET, (Collection<?>) v, depth);
    } else if (c == Tags.LIST_12 || c == Tags.LIST_N) {
      // Stream.toList() makes a ListN of any size, nulls allowed: only what List.of makes here.
      List<?> l = (List<?>) v;
      return c == Tags.listOfClass(l.size()) && enter(v) && writeList(Tags.LIST_OF, l, depth);
    } else if (c == Tags.SET_12 || c == Tags.SET_N) {
      Set<?> s = (Set<?>) v;
      return c == Tags.setOfClass(s.size()) && enter(v) && writeCollection(Tags.SET_OF, s, depth);
    } else if (c == Tags.MAP_1 || c == Tags.MAP_N) {
      Map<?, ?> m = (Map<?, ?>) v;
      return c == Tags.mapOfClass(m.size()) && enter(v) && writeMap(Tags.MAP_OF, m, depth);
    }
    Method lambda = LAMBDA_WRITE_REPLACE.get(c);
    if (lambda != null) {
      // Entered: a lambda met twice must come back as one object, as Java serialization keeps it.
      return enter(v) && writeLambda(v, lambda, depth);
    }
    Method replace = WRITE_REPLACE.get(c);
    return replace != null && enter(v) && writeRef(v, replace, depth);
  }

  /**
   * Finds {@code writeReplace()} as {@code ObjectStreamClass} does (declared in the class or the
   * nearest superclass that declares one, no parameters, returning {@code Object}, not static nor
   * abstract, and accessible from the class: a private one only in the class itself, a
   * package-private one only in its package), for a serializable class of the library only: a
   * user's class's {@code writeReplace()} is never called by the codec. Dynamic proxies (the
   * managers' proxies) are left to Java serialization, as are enums, whose
   * {@code writeReplace()} serialization ignores.
   */
  private static Method libraryWriteReplace(Class<?> type) {
    if (!type.getName().startsWith(LIBRARY) || !Serializable.class.isAssignableFrom(type)
        || type.isEnum() || Proxy.isProxyClass(type)) {
      return null;
    }
    Method m = null;
    Class<?> declaring = type;
    while (declaring != null) {
      try {
        m = declaring.getDeclaredMethod("writeReplace");
        break;
      } catch (NoSuchMethodException e) {
        declaring = declaring.getSuperclass();
      }
    }
    if (m == null || m.getReturnType() != Object.class) {
      return null;
    }
    int mods = m.getModifiers();
    if (Modifier.isStatic(mods) || Modifier.isAbstract(mods)) {
      return null;
    }
    if (Modifier.isPrivate(mods) ? declaring != type
        : !Modifier.isPublic(mods) && !Modifier.isProtected(mods) && !samePackage(type, declaring)) {
      return null;
    }
    try {
      m.setAccessible(true);
    } catch (RuntimeException e) {
      return null;
    }
    return m;
  }

  private static boolean samePackage(Class<?> a, Class<?> b) {
    return a.getClassLoader() == b.getClassLoader() && a.getPackageName().equals(b.getPackageName());
  }

  /**
   * Finds the private {@code writeReplace()} of a serializable lambda's class (a hidden, synthetic
   * class the lambda metafactory spun), if the library may reflect into its package: a module that
   * does not open it keeps its lambdas to Java serialization, which needs no such access.
   */
  private static Method lambdaWriteReplace(Class<?> type) {
    if (!type.isHidden() || !type.isSynthetic() || !Serializable.class.isAssignableFrom(type)
        || !type.getModule().isOpen(type.getPackageName(), Encoder.class.getModule())) {
      return null;
    }
    try {
      Method m = type.getDeclaredMethod("writeReplace");
      if (Modifier.isStatic(m.getModifiers())) {
        return null;
      }
      m.setAccessible(true);
      return m;
    } catch (NoSuchMethodException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Calls a {@code writeReplace()}; null if it throws, and then Java serialization, which calls it
   * again, reports the failure as it always has.
   */
  private static Object replace(Method m, Object v) {
    try {
      return m.invoke(v);
    } catch (InvocationTargetException | IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  /** Writes a {@link Tags#REF}, if {@code v}'s {@code writeReplace()} gives an {@link ObjectRef}. */
  private boolean writeRef(Object v, Method replace, int depth) {
    Object r = replace(replace, v);
    if (!(r instanceof ObjectRef)) {
      return false;
    }
    ObjectRef ref = (ObjectRef) r;
    out.writeByte(Tags.REF);
    writeNullableString(ref.kindName());
    writeNullableString(ref.name());
    writeNullableString(ref.detailOrNull());
    long[] numbers = ref.numbersOrNull();
    if (numbers == null) {
      out.writeByte(0);
    } else {
      ensure(out, 5L + 8L * numbers.length);
      out.writeVarInt(numbers.length + 1);
      for (long n : numbers) {
        out.writeLong(n);
      }
    }
    Object[] parts = ref.partsOrNull();
    if (parts == null) {
      out.writeByte(0);
      return true;
    }
    out.writeVarInt(parts.length + 1);
    for (Object part : parts) {
      if (!write(part, depth + 1)) {
        return false;
      }
    }
    return true;
  }

  private void writeNullableString(String s) {
    if (s == null) {
      out.writeByte(Tags.NULL);
    } else {
      writeString(out, s);
    }
  }

  /** Writes a {@link Tags#LAMBDA}, if the lambda's {@code writeReplace()} gives its form. */
  private boolean writeLambda(Object v, Method replace, int depth) {
    Object r = replace(replace, v);
    if (!(r instanceof SerializedLambda)) {
      return false;
    }
    SerializedLambda l = (SerializedLambda) r;
    out.writeByte(Tags.LAMBDA);
    writeString(out, l.getCapturingClass());
    writeString(out, l.getFunctionalInterfaceClass());
    writeString(out, l.getFunctionalInterfaceMethodName());
    writeString(out, l.getFunctionalInterfaceMethodSignature());
    writeString(out, l.getImplClass());
    writeString(out, l.getImplMethodName());
    writeString(out, l.getImplMethodSignature());
    out.writeVarInt(l.getImplMethodKind());
    writeString(out, l.getInstantiatedMethodType());
    int n = l.getCapturedArgCount();
    out.writeVarInt(n);
    for (int i = 0; i < n; i++) {
      if (!write(l.getCapturedArg(i), depth + 1)) {
        return false;
      }
    }
    return true;
  }

  private boolean writeArray(Object v, Class<?> c, int depth) {
    if (c == byte[].class) {
      byte[] a = (byte[]) v;
      if (!enter(v)) {
        return false;
      }
      ensure(out, 6L + a.length);
      out.writeByte(Tags.BYTES);
      out.writeVarInt(a.length);
      out.write(a, 0, a.length);
    } else if (c == int[].class) {
      int[] a = (int[]) v;
      if (!enter(v)) {
        return false;
      }
      int p = header(Tags.INTS, a.length, 4);
      ByteBuffer.wrap(out.array(), p, 4 * a.length).asIntBuffer().put(a);
      out.setSize(p + 4 * a.length);
    } else if (c == long[].class) {
      long[] a = (long[]) v;
      if (!enter(v)) {
        return false;
      }
      int p = header(Tags.LONGS, a.length, 8);
      ByteBuffer.wrap(out.array(), p, 8 * a.length).asLongBuffer().put(a);
      out.setSize(p + 8 * a.length);
    } else if (c == double[].class) {
      double[] a = (double[]) v;
      if (!enter(v)) {
        return false;
      }
      int p = header(Tags.DOUBLES, a.length, 8);
      // A DoubleBuffer view copies the raw bits: NaN payloads survive.
      ByteBuffer.wrap(out.array(), p, 8 * a.length).asDoubleBuffer().put(a);
      out.setSize(p + 8 * a.length);
    } else if (c == Object[].class) {
      if (depth > ObjectCodec.MAX_DEPTH || !enter(v)) {
        return false;
      }
      Object[] a = (Object[]) v;
      out.ensure(6);
      out.writeByte(Tags.OBJECTS);
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
    b[p++] = (byte) (type == Integer.class ? Tags.INT_LIST : Tags.LONG_LIST);
    p = Varints.putVarInt(b, p, n);
    for (int i = 0; i < n; i++) {
      Object e = l.get(i);
      if (e == null || e.getClass() != type) {
        out.setSize(start);
        return false;
      }
      if (type == Integer.class) {
        int v = (Integer) e;
        p = Varints.putVarInt(b, p, Varints.zigzag(v));
      } else {
        long v = (Long) e;
        p = Varints.putVarLong(b, p, Varints.zigzag(v));
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
      if ((e == null && tag == Tags.LIST_OF) || !write(e, depth + 1)) {
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
