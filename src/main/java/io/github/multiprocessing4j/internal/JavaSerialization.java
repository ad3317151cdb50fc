package io.github.multiprocessing4j.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization for values the compact {@link ValueCodec} forms do not cover: targets,
 * {@code Process} subclasses and arbitrary arguments. A class of its own, so a child whose
 * arguments are all compact never loads (and verifies) the serialization machinery.
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
    try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
      oos.writeObject(value);
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

  /** Resolves classes through the thread's context class loader first, as the child's target does. */
  private static final class ContextObjectInputStream extends ObjectInputStream {
    ContextObjectInputStream(ByteArrayInputStream in) throws IOException {
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
