package io.github.multiprocessing4j.internal.codec;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Explains why a value cannot be sent: the error {@link ObjectCodec#encode(Object, ByteSink)}
 * throws when Java serialization refuses a value, naming the class that does not serialize and
 * where it sits in the compact containers around it (e.g. {@code value of key "x" in a
 * java.util.HashMap}), and what to do. Apart from the encoder because it runs only on the error
 * path, where it may be slow: it serializes every leaf it tries.
 */
final class NotSendable {

  private NotSendable() {}

  /** The error for a value that Java serialization refused, saying where the culprit sits. */
  static IllegalArgumentException error(Object value, Exception e) {
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
        || c == HashSet.class || c == LinkedHashSet.class || c == Tags.LIST_12
        || c == Tags.LIST_N || c == Tags.SET_12 || c == Tags.SET_N || c == Tags.MAP_1
        || c == Tags.MAP_N || c == Object[].class;
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
}
