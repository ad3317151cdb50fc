package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.access.ObjectRef;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one compact message (see {@link Tags}), asking the filter about every class before it is
 * instantiated, as {@link ObjectCodec}'s class comment says; it is the
 * {@link ObjectInputFilter.FilterInfo} its filter is given, so a filter call allocates nothing.
 * Every length is checked against the bytes left before anything is allocated for it.
 *
 * <p>Not thread-safe: one instance per message.
 */
final class Decoder implements ObjectInputFilter.FilterInfo {

  /** The most elements a decoded collection is sized for before they have arrived. */
  private static final int PRESIZE = 1024;

  /**
   * A class's {@code $deserializeLambda$(SerializedLambda)}, made accessible, or a string saying
   * why there is none: what {@code SerializedLambda.readResolve} calls, found once a class.
   */
  private static final ClassValue<Object> DESERIALIZE_LAMBDA = new ClassValue<>() {
    @Override
    protected Object computeValue(Class<?> type) {
      try {
        Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
        if (!Modifier.isStatic(m.getModifiers())) {
          return "its $deserializeLambda$ is not static";
        }
        m.setAccessible(true);
        return m;
      } catch (NoSuchMethodException e) {
        return "it has no $deserializeLambda$ (no serializable lambda or method reference)";
      } catch (RuntimeException | LinkageError e) {
        return "its $deserializeLambda$ cannot be called: " + e;
      }
    }
  };

  private final byte[] buf;
  private final int start;
  private final int end;
  private final ObjectInputFilter filter;
  private int pos;
  private long references;
  private Class<?> serialClass;
  private long arrayLength;
  private long depth;
  private ObjectInputFilter jvmWide;
  private boolean jvmWideRead;

  Decoder(byte[] buf, int off, int len, ObjectInputFilter filter) {
    this.buf = buf;
    this.start = off;
    this.end = off + len;
    this.filter = filter;
    this.pos = off;
  }

  /**
   * Reads the message's value, which must end where the message does.
   *
   * @throws StreamCorruptedException if there are bytes after it, or as {@link #read} does
   */
  Object readMessage() throws IOException {
    Object value = read(1);
    if (pos != end) {
      throw new StreamCorruptedException(
          (end - pos) + " bytes after the value, which ends at byte " + (pos - start));
    }
    return value;
  }

  /** The JVM-wide filter as of this message, for the library's filters ({@link JvmWideFilter}). */
  ObjectInputFilter jvmWide() {
    if (!jvmWideRead) {
      jvmWide = JvmWideFilter.get();
      jvmWideRead = true;
    }
    return jvmWide;
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
    if (tag >= Tags.SMALL_INT_TAG) {
      value(Integer.class, d);
      return tag - Tags.SMALL_INT_TAG + Tags.SMALL_INT_MIN;
    }
    switch (tag) {
      case Tags.NULL:
        return null;
      case Tags.FALSE:
        value(Boolean.class, d);
        return Boolean.FALSE;
      case Tags.TRUE:
        value(Boolean.class, d);
        return Boolean.TRUE;
      case Tags.BYTE:
        value(Byte.class, d);
        need(1);
        return buf[pos++];
      case Tags.SHORT:
        value(Short.class, d);
        return (short) readShort();
      case Tags.CHAR:
        value(Character.class, d);
        return (char) readShort();
      case Tags.INT: {
        value(Integer.class, d);
        return Varints.unzigzag(readVarInt());
      }
      case Tags.LONG: {
        value(Long.class, d);
        return Varints.unzigzag(readVarLong());
      }
      case Tags.FLOAT:
        value(Float.class, d);
        return Float.intBitsToFloat(readInt());
      case Tags.DOUBLE:
        value(Double.class, d);
        return Double.longBitsToDouble(readLong());
      case Tags.STRING_LATIN1:
      case Tags.STRING_UTF8:
      case Tags.STRING_UTF16:
        return readString(tag, d);
      case Tags.BYTES: {
        int n = arrayLength(byte[].class, 1, d);
        byte[] a = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return a;
      }
      case Tags.INTS: {
        int n = arrayLength(int[].class, 4, d);
        int[] a = new int[n];
        ByteBuffer.wrap(buf, pos, 4 * n).asIntBuffer().get(a);
        pos += 4 * n;
        return a;
      }
      case Tags.LONGS: {
        int n = arrayLength(long[].class, 8, d);
        long[] a = new long[n];
        ByteBuffer.wrap(buf, pos, 8 * n).asLongBuffer().get(a);
        pos += 8 * n;
        return a;
      }
      case Tags.DOUBLES: {
        int n = arrayLength(double[].class, 8, d);
        double[] a = new double[n];
        ByteBuffer.wrap(buf, pos, 8 * n).asDoubleBuffer().get(a);
        pos += 8 * n;
        return a;
      }
      case Tags.OBJECTS: {
        int n = arrayLength(Object[].class, 1, d);
        nested(d);
        return readElements(n, d);
      }
      case Tags.INT_LIST: {
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
          l.add(Varints.unzigzag(readVarInt()));
        }
        return l;
      }
      case Tags.LONG_LIST: {
        int n = count(ArrayList.class, Object[].class, 1, d);
        int numbers = pos;
        pos = packedEnd(n);
        references += n - 1;
        value(Long.class, d + 1);
        pos = numbers;
        ArrayList<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(Varints.unzigzag(readVarLong()));
        }
        return l;
      }
      case Tags.ARRAY_LIST: {
        int n = count(ArrayList.class, Object[].class, 1, d);
        ArrayList<Object> l = new ArrayList<>(Math.min(n, PRESIZE));
        for (int i = 0; i < n; i++) {
          l.add(read(d + 1));
        }
        return l;
      }
      case Tags.HASH_MAP: {
        int n = count(HashMap.class, Map.Entry[].class, 2, d);
        return readMap(new HashMap<>(capacity(n)), n, d);
      }
      case Tags.LINKED_HASH_MAP: {
        int n = count(LinkedHashMap.class, Map.Entry[].class, 2, d);
        return readMap(new LinkedHashMap<>(capacity(n)), n, d);
      }
      case Tags.HASH_SET: {
        int n = count(HashSet.class, Map.Entry[].class, 1, d);
        return readSet(new HashSet<>(capacity(n)), n, d);
      }
      case Tags.LINKED_HASH_SET: {
        int n = count(LinkedHashSet.class, Map.Entry[].class, 1, d);
        return readSet(new LinkedHashSet<>(capacity(n)), n, d);
      }
      case Tags.LIST_OF:
        return readListOf(d);
      case Tags.SET_OF:
        return readSetOf(d);
      case Tags.MAP_OF:
        return readMapOf(d);
      case Tags.REF:
        return readRef(d);
      case Tags.LAMBDA:
        return readLambda(d);
      case Tags.SERIALIZED:
        throw corrupt("a Java-serialized value inside a compact one");
      default:
        throw corrupt("unknown value tag " + tag);
    }
  }

  private Object readString(int tag, int d) throws IOException {
    value(String.class, d);
    int n = readLength();
    bound(n, tag == Tags.STRING_UTF16 ? 2 : 1);
    int at = pos;
    if (tag == Tags.STRING_LATIN1) {
      pos += n;
      return new String(buf, at, n, StandardCharsets.ISO_8859_1);
    } else if (tag == Tags.STRING_UTF8) {
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

  /**
   * Reads a string value, or {@link Tags#NULL} if {@code nullable}; anything else is corrupt.
   *
   * @param what names the string in an error message
   */
  private String readText(int d, boolean nullable, String what) throws IOException {
    if (pos == end) {
      throw truncated(1);
    }
    int tag = buf[pos] & 0xFF;
    if (tag == Tags.NULL && nullable) {
      pos++;
      return null;
    }
    if (tag != Tags.STRING_LATIN1 && tag != Tags.STRING_UTF8 && tag != Tags.STRING_UTF16) {
      throw corrupt("tag " + tag + " where " + what + ", a string, is expected");
    }
    pos++;
    return (String) readString(tag, d);
  }

  /**
   * Reads a {@link Tags#REF} and resolves it: the filter is asked about {@link ObjectRef} first,
   * as Java serialization asks it, then about the numbers and the parts as arrays with their
   * lengths; the parts are read one level deeper, and the reference is resolved with the checks of
   * its {@code readResolve}.
   */
  private Object readRef(int d) throws IOException {
    nested(d);
    value(ObjectRef.class, d);
    String kind = readText(d + 1, true, "the kind of a reference");
    String name = readText(d + 1, true, "the name of a reference");
    String detail = readText(d + 1, true, "the detail of a reference");
    long[] numbers = null;
    int k = readLength();
    if (k > 0) {
      int n = k - 1;
      bound(n, 8);
      references++;
      check(long[].class, n, d, "the numbers of a reference");
      numbers = new long[n];
      ByteBuffer.wrap(buf, pos, 8 * n).asLongBuffer().get(numbers);
      pos += 8 * n;
    }
    Object[] parts = null;
    k = readLength();
    if (k > 0) {
      int n = k - 1;
      bound(n, 1);
      references++;
      check(Object[].class, n, d, "the parts of a reference");
      parts = readElements(n, d);
    }
    ObjectRef ref = ObjectRef.fromStream(kind, name, detail, numbers, parts);
    try {
      return ref.resolve();
    } catch (RuntimeException e) {
      // A resolver tripping over a forged name or part: refused as the ones it checks are.
      InvalidObjectException x = new InvalidObjectException("not a valid " + kind
          + " reference to " + name + ": " + e);
      x.initCause(e);
      throw x;
    }
  }

  /**
   * Reads a {@link Tags#LAMBDA} and makes the lambda as {@code SerializedLambda.readResolve}
   * does, through its capturing class's {@code $deserializeLambda$}. The filter is asked about
   * {@code SerializedLambda}, then about the capturing class, loaded but not initialised, then
   * about the captured arguments as an {@code Object[]} with its length; only once it has allowed
   * all of them does the capturing class run any code (its static initialiser, then
   * {@code $deserializeLambda$}).
   */
  private Object readLambda(int d) throws IOException {
    nested(d);
    value(SerializedLambda.class, d);
    String capturing = readText(d + 1, false, "the capturing class of a lambda");
    String interfaceClass = readText(d + 1, false, "the functional interface of a lambda");
    String interfaceMethod = readText(d + 1, false, "the functional interface method of a lambda");
    String interfaceSignature = readText(d + 1, false, "the functional interface signature of a lambda");
    String implClass = readText(d + 1, false, "the implementation class of a lambda");
    String implMethod = readText(d + 1, false, "the implementation method of a lambda");
    String implSignature = readText(d + 1, false, "the implementation signature of a lambda");
    int implKind = readVarInt();
    String instantiated = readText(d + 1, false, "the instantiated method type of a lambda");
    int n = readLength();
    bound(n, 1);
    Class<?> type = loadCapturingClass(capturing);
    references++;
    check(type, -1, d + 1, "the capturing class of a lambda");
    references++;
    check(Object[].class, n, d, "the captured arguments of a lambda of " + type.getName());
    Object[] args = readElements(n, d);
    SerializedLambda lambda = new SerializedLambda(type, interfaceClass, interfaceMethod,
        interfaceSignature, implKind, implClass, implMethod, implSignature, instantiated, args);
    return deserializeLambda(type, lambda);
  }

  /**
   * Loads a lambda's capturing class without initialising it, by the thread's context class
   * loader first and then the library's, as {@code JavaSerialization} resolves classes.
   */
  private static Class<?> loadCapturingClass(String slashed) throws InvalidClassException {
    String name = slashed.replace('/', '.');
    Throwable failure;
    try {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl != null) {
        try {
          return Class.forName(name, false, cl);
        } catch (ClassNotFoundException e) {
          // then the library's loader
        }
      }
      return Class.forName(name, false, Decoder.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
      failure = e;
    }
    InvalidClassException x = new InvalidClassException(name, "the capturing class of a lambda "
        + "cannot be loaded, neither by the thread's context class loader nor by the library's: "
        + failure);
    x.initCause(failure);
    throw x;
  }

  /** Calls the capturing class's {@code $deserializeLambda$}: only ever a clean refusal out. */
  private static Object deserializeLambda(Class<?> type, SerializedLambda lambda)
      throws java.io.ObjectStreamException {
    Object found = DESERIALIZE_LAMBDA.get(type);
    if (!(found instanceof Method)) {
      throw new InvalidClassException(type.getName(), "cannot deserialize a lambda of this class: "
          + found);
    }
    Throwable cause;
    try {
      Object value = ((Method) found).invoke(null, lambda);
      if (value != null) {
        return value;
      }
      cause = new NullPointerException("$deserializeLambda$ returned null");
    } catch (InvocationTargetException e) {
      cause = e.getCause();
    } catch (IllegalAccessException | RuntimeException | LinkageError e) {
      cause = e; // ExceptionInInitializerError, or the NoClassDefFoundError of a failed class
    }
    if (cause instanceof ExceptionInInitializerError && cause.getCause() != null) {
      cause = cause.getCause();
      InvalidClassException x = new InvalidClassException(type.getName(),
          "the capturing class of a lambda failed to initialise: " + cause);
      x.initCause(cause);
      throw x;
    }
    if (cause instanceof Error && !(cause instanceof LinkageError)) {
      throw (Error) cause; // out of memory, stack overflow: not the message's fault
    }
    java.io.ObjectStreamException x = cause instanceof LinkageError
        ? new InvalidClassException(type.getName(), "cannot deserialize a lambda of this class: " + cause)
        : new InvalidObjectException("not a lambda that " + type.getName() + " can deserialize ("
            + lambda.getImplClass() + "." + lambda.getImplMethodName() + lambda.getImplMethodSignature()
            + "): " + cause);
    x.initCause(cause);
    throw x;
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
    Object[] a = readImmutableElements(Tags.listOfClass(n), n, d);
    try {
      return List.of(a);
    } catch (NullPointerException e) {
      throw corrupt("a null in a List.of list");
    }
  }

  private Object readSetOf(int d) throws IOException {
    int n = readLength();
    bound(n, 1);
    Object[] a = readImmutableElements(Tags.setOfClass(n), n, d);
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
    Class<?> c = Tags.mapOfClass(n);
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
    if (d > ObjectCodec.MAX_DEPTH) {
      throw corrupt("containers nested deeper than " + ObjectCodec.MAX_DEPTH);
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

  /**
   * The initial capacity of a hash-based collection that is to hold {@code n} elements, at most
   * that of {@link #PRESIZE} (see {@link #readElements}).
   */
  private static int capacity(int n) {
    int m = Math.min(n, PRESIZE);
    return m + m / 3 + 1;
  }
}
