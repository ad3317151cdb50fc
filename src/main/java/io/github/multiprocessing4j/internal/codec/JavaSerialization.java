package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.runtime.Limits;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.StreamCorruptedException;

/**
 * Java serialization for values the compact {@link ValueCodec} and {@link ObjectCodec} forms do
 * not cover: targets, {@code Process} subclasses, arbitrary arguments and messages. A class of its
 * own, so a child whose arguments are all compact never loads (and verifies) the serialization
 * machinery.
 */
public final class JavaSerialization {

  private JavaSerialization() {}

  /**
   * Serializes an object with Java serialization.
   *
   * @param value the object
   * @param what names it in an error message
   * @return the serialized form
   * @throws IllegalArgumentException naming {@code what} and the offending class if it is not
   *     serializable
   */
  public static byte[] serialize(Object value, String what) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try {
      writeDeep(value, bytes, bytes::reset, SerialFilters.BOOTSTRAP_MAX_DEPTH,
          "the bootstrap frame's fixed limit");
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(what + " (a " + value.getClass().getName()
          + ") cannot be sent to the child process: " + e.getMessage()
          + " is not serializable; make it implement java.io.Serializable or pass something that does", e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(what + " (a " + value.getClass().getName()
          + ") cannot be sent to the child process: " + e, e);
    }
    return bytes.toByteArray();
  }

  /**
   * {@link #write}, on a thread with a deeper stack if it overflows this one's.
   *
   * @param restart undoes what an attempt that overflowed wrote
   * @param depth the depth limit the stack is sized for
   * @param limit names that limit in an error message
   */
  static void writeDeep(Object value, OutputStream out, Runnable restart, long depth, String limit)
      throws IOException {
    DeepStack.run(new Write(value, out, restart), depth, limit);
  }

  /** {@link #write}, as work for {@link DeepStack}. */
  private static final class Write implements DeepStack.Work<Void> {
    private final Object value;
    private final OutputStream out;
    private final Runnable restart;
    private boolean started;

    Write(Object value, OutputStream out, Runnable restart) {
      this.value = value;
      this.out = out;
      this.restart = restart;
    }

    @Override
    public Void run() throws IOException {
      if (started) {
        restart.run();
      }
      started = true;
      write(value, out);
      return null;
    }
  }

  /**
   * Writes one object with a fresh {@link ObjectOutputStream} (stream header included).
   *
   * @throws NotSerializableException naming the class that does not implement
   *     {@link java.io.Serializable}
   * @throws IOException or a {@link RuntimeException} if a class's {@code writeObject} fails
   */
  static void write(Object value, OutputStream out) throws IOException {
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    }
  }

  /**
   * Tells why a value cannot be serialized.
   *
   * @return what serializing it threw, or {@code null} if it serializes
   */
  static Exception serializationFailure(Object value) {
    try {
      write(value, OutputStream.nullOutputStream());
      return null;
    } catch (IOException | RuntimeException e) {
      return e;
    }
  }

  /**
   * Deserializes an object written by {@link #serialize}, through {@link SerialFilters#bootstrap()}.
   *
   * @param bytes the serialized form
   * @param what names it in an error message
   * @return the object
   * @throws IOException if it cannot be deserialized
   */
  public static Object deserialize(byte[] bytes, String what) throws IOException {
    return DeepStack.run(new Deserialize(bytes, what), SerialFilters.BOOTSTRAP_MAX_DEPTH,
        "the bootstrap frame's fixed limit");
  }

  /** {@link #deserialize}, as work for {@link DeepStack}: a class, not a lambda (child start-up). */
  private static final class Deserialize implements DeepStack.Work<Object> {
    private final byte[] bytes;
    private final String what;

    Deserialize(byte[] bytes, String what) {
      this.bytes = bytes;
      this.what = what;
    }

    @Override
    public Object run() throws IOException {
      return deserializeHere(bytes, what);
    }
  }

  private static Object deserializeHere(byte[] bytes, String what) throws IOException {
    // The parent is trusted (the frame comes over the child's private stdin), but a length that
    // the bytes cannot hold is still refused before it is allocated.
    Guard guard = new Guard(SerialFilters.bootstrap(), 16L * bytes.length + 1024, null, 0);
    try (ObjectInputStream ois = new ContextObjectInputStream(new ByteArrayInputStream(bytes))) {
      ois.setObjectInputFilter(guard);
      return ois.readObject();
    } catch (InvalidClassException e) {
      IOException explained = guard.explain(e);
      throw new IOException("cannot deserialize " + what + ": " + explained, explained);
    } catch (ClassNotFoundException e) {
      throw new InvalidClassException(e.getMessage(), "cannot deserialize " + what
          + ": class not found on the child's class path");
    } catch (IOException e) {
      throw new IOException("cannot deserialize " + what + ": " + e, e);
    } catch (RuntimeException | InternalError e) {
      // As in read: a readObject tripping over corrupt input.
      StreamCorruptedException sce = new StreamCorruptedException(
          "cannot deserialize " + what + ": " + e);
      sce.initCause(e);
      throw sce;
    }
  }

  /**
   * Reads the one object that {@code buf[off, off + len)} holds, written by {@link #write}, for
   * {@link ObjectCodec}: every class goes through {@code filter}, and nothing but an
   * {@link IOException} comes out.
   *
   * <p>Besides {@code filter}, array lengths (including the ones the JDK's collections announce
   * through {@code checkArray}) are bounded by the input: a length that {@code len} bytes cannot
   * hold, more than {@code 16 * len + 1024}, is corrupt input and is refused before the array is
   * allocated. Classes that allocate from lengths they read without announcing them are beyond
   * this reach.
   *
   * @throws InvalidClassException naming the class if {@code filter} rejects it or it is not found
   * @throws IOException if the input is corrupt or truncated, or something after the object
   */
  static Object read(byte[] buf, int off, int len, ObjectInputFilter filter) throws IOException {
    return DeepStack.run(() -> readHere(buf, off, len, filter), Limits.maxDepth(),
        "-D" + Limits.MAX_DEPTH_PROPERTY);
  }

  private static Object readHere(byte[] buf, int off, int len, ObjectInputFilter filter)
      throws IOException {
    Guard guard = new Guard(filter, 16L * len + 1024, buf, off);
    ByteArrayInputStream in = new ByteArrayInputStream(buf, off, len);
    try (ObjectInputStream ois = new ContextObjectInputStream(in)) {
      ois.setObjectInputFilter(guard);
      Object value = ois.readObject();
      if (in.available() > 0) {
        throw new StreamCorruptedException(in.available() + " bytes after the Java-serialized value");
      }
      return value;
    } catch (InvalidClassException e) {
      throw guard.explain(e);
    } catch (IOException e) {
      if (e.getMessage() != null) {
        throw e;
      }
      // EOFException, OptionalDataException: say what they mean.
      StreamCorruptedException sce = new StreamCorruptedException(
          "truncated or corrupt Java-serialized value: " + e);
      sce.initCause(e);
      throw sce;
    } catch (ClassNotFoundException e) {
      InvalidClassException ice = new InvalidClassException(e.getMessage(), "class not found, "
          + "neither by the thread's context class loader nor by ObjectInputStream's default");
      ice.initCause(e);
      throw ice;
    } catch (RuntimeException | InternalError e) {
      // A readObject or readResolve that trips over corrupt input (or fails on its own): the JDK's
      // classes throw runtime exceptions, and that of Map.of (CollSer) an InternalError for an odd
      // count of keys and values.
      StreamCorruptedException sce = new StreamCorruptedException(
          "cannot read the Java-serialized value: " + e);
      sce.initCause(e);
      throw sce;
    }
  }

  /**
   * Wraps the caller's filter to bound array lengths and the levels of shared references, and to
   * remember what it rejected.
   *
   * <p>Shared references are what makes a few kilobytes cost for ever to read (SerialDOS): a
   * graph in which each level references the level below twice has 2<sup>levels</sup> paths,
   * and a {@code HashSet} or {@code HashMap} key hashes each of them as it is read, with no way
   * to stop it. So in a Java-serialized message, objects that reference two or more objects
   * already read may sit at no more than {@link Limits#maxSharedLevels()} distinct depths (a
   * single shared child per object, such as a key string every level repeats, multiplies nothing
   * and does not count; nor does a reference to a class descriptor, which every object of a class
   * already seen makes; the compact forms cannot share). The filter is not told whether a reference is to an object or to a class
   * descriptor, so it looks at the byte before the reference in the stream: a descriptor's
   * follows the tag of the object, array, enum or class it describes.
   */
  private static final class Guard implements ObjectInputFilter {
    private static final byte TC_REFERENCE = 0x71;
    private static final byte TC_OBJECT = 0x73;
    private static final byte TC_ARRAY = 0x75;
    private static final byte TC_CLASS = 0x76;
    private static final byte TC_ENUM = 0x7E;

    private final ObjectInputFilter filter;
    private final long maxArrayLength;
    private final byte[] buf;
    private final int off;
    private java.util.BitSet sharedLevels;
    /** By depth: the last event there, and the parent and count of the references there. */
    private long[] events;
    private long[] refParent;
    private int[] refCount;
    private long eventCount;
    private int sharedLevelCount;
    private String corrupt;
    private String rejectedClass;
    private String rejectedDetail;

    /** A guard; {@code buf} null counts no shared references. */
    Guard(ObjectInputFilter filter, long maxArrayLength, byte[] buf, int off) {
      this.filter = filter;
      this.maxArrayLength = maxArrayLength;
      this.buf = buf;
      this.off = off;
    }

    /**
     * Counts the depth of a second reference to an object already read, from one parent object;
     * false once they occur at too many depths.
     */
    private boolean sharedLevelsWithinLimit(FilterInfo info) {
      if (buf == null) {
        return true; // not counted (the bootstrap frame's)
      }
      int depth = (int) Math.min(info.depth(), Limits.maxDepth() + 1L);
      if (events == null || depth >= events.length) {
        // Grown to the depth seen, not made at the limit's (1,002 slots each, zeroed for every
        // message: most of the cost of reading a small map, in a manager's round trip).
        int n = Math.min(Math.max(depth + 1, events == null ? 16 : events.length * 2), Limits.maxDepth() + 2);
        events = events == null ? new long[n] : java.util.Arrays.copyOf(events, n);
        refParent = refParent == null ? new long[n] : java.util.Arrays.copyOf(refParent, n);
        refCount = refCount == null ? new int[n] : java.util.Arrays.copyOf(refCount, n);
      }
      long event = ++eventCount;
      long parent = depth > 0 ? events[depth - 1] : 0;
      events[depth] = event;
      if (info.serialClass() != null || info.arrayLength() >= 0) {
        return true;
      }
      long end = off + info.streamBytes(); // just after the reference's 4-byte handle
      if (end - 6 < off || end > buf.length || buf[(int) end - 5] != TC_REFERENCE) {
        return true; // not where a reference is read: nothing to count
      }
      byte before = buf[(int) end - 6];
      if (before == TC_OBJECT || before == TC_ARRAY || before == TC_CLASS || before == TC_ENUM) {
        return true; // a class descriptor's: the object it describes starts here
      }
      if (refParent[depth] != parent) {
        refParent[depth] = parent;
        refCount[depth] = 0;
      }
      if (++refCount[depth] != 2) {
        return true; // one shared child per parent (a shared key string, say) multiplies nothing
      }
      if (sharedLevels == null) {
        sharedLevels = new java.util.BitSet();
      }
      if (!sharedLevels.get(depth)) {
        sharedLevels.set(depth);
        if (++sharedLevelCount > Limits.maxSharedLevels()) {
          corrupt = "objects already read are referenced again, twice or more from one object, at "
              + sharedLevelCount + " levels of nesting, more than the limit of "
              + Limits.maxSharedLevels() + " (-D" + Limits.MAX_SHARED_LEVELS_PROPERTY + "): such a"
              + " graph can take for ever to read (its hash-based collections hash every path"
              + " through it)";
          return false;
        }
      }
      return true;
    }

    @Override
    public Status checkInput(FilterInfo info) {
      if (!sharedLevelsWithinLimit(info)) {
        return Status.REJECTED;
      }
      if (info.arrayLength() > maxArrayLength) {
        corrupt = "an array of " + info.arrayLength() + " elements"
            + (info.serialClass() == null ? "" : " (" + info.serialClass().getTypeName() + ")")
            + " cannot come from a message of " + (maxArrayLength - 1024) / 16 + " bytes";
        return Status.REJECTED;
      }
      Status status;
      try {
        status = filter.checkInput(info);
      } catch (RuntimeException e) {
        // ObjectInputStream takes an exception of the filter for a rejection.
        status = null;
      }
      if (status == null || status == Status.REJECTED) {
        rejectedClass = info.serialClass() == null ? null : info.serialClass().getTypeName();
        rejectedDetail = SerialFilters.describe(info);
        if (info.depth() > Limits.maxDepth()) {
          rejectedDetail += "; deeper than the limit of " + Limits.maxDepth()
              + " (-D" + Limits.MAX_DEPTH_PROPERTY + ")";
        }
      }
      return status;
    }

    IOException explain(InvalidClassException e) {
      if (corrupt != null) {
        StreamCorruptedException sce = new StreamCorruptedException(corrupt);
        sce.initCause(e);
        return sce;
      }
      if (rejectedDetail != null) {
        InvalidClassException ice = new InvalidClassException(rejectedClass,
            "rejected by the deserialization filter (" + rejectedDetail + ")");
        ice.initCause(e);
        return ice;
      }
      return e;
    }
  }

  /** Resolves classes through the thread's context class loader first, as the child's target does. */
  private static final class ContextObjectInputStream extends ObjectInputStream {
    ContextObjectInputStream(InputStream in) throws IOException {
      super(in);
      JvmWideFilter.configAnswers(); // the constructor initialised Config
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl != null) {
        try {
          return Class.forName(desc.getName(), false, cl);
        } catch (ClassNotFoundException e) {
          // fall through: primitives and array descriptors are resolved by the default
        }
      }
      return super.resolveClass(desc);
    }
  }
}
