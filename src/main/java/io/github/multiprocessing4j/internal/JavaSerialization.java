package io.github.multiprocessing4j.internal;

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
      write(value, bytes);
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
    try (ObjectInputStream ois = new ContextObjectInputStream(new ByteArrayInputStream(bytes))) {
      ois.setObjectInputFilter(SerialFilters.bootstrap());
      return ois.readObject();
    } catch (ClassNotFoundException e) {
      throw new InvalidClassException(e.getMessage(), "cannot deserialize " + what
          + ": class not found on the child's class path");
    } catch (IOException e) {
      throw new IOException("cannot deserialize " + what + ": " + e, e);
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
    Guard guard = new Guard(filter, 16L * len + 1024);
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

  /** Wraps the caller's filter to bound array lengths and to remember what it rejected. */
  private static final class Guard implements ObjectInputFilter {
    private final ObjectInputFilter filter;
    private final long maxArrayLength;
    private String corrupt;
    private String rejectedClass;
    private String rejectedDetail;

    Guard(ObjectInputFilter filter, long maxArrayLength) {
      this.filter = filter;
      this.maxArrayLength = maxArrayLength;
    }

    @Override
    public Status checkInput(FilterInfo info) {
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
