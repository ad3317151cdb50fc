package io.github.multiprocessing4j.managers;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a method's result sendable where it is a view that Java does not serialize: a map's
 * {@code keySet()}, {@code values()} and {@code entrySet()}, a list's {@code subList}, and the
 * JDK's other non-public collections (wrappers, immutable ones). They are sent as copies of public
 * classes, as CPython's {@code d.keys()} and {@code d.items()} are lists.
 */
final class Copies {

  private Copies() {}

  /**
   * Returns {@code result}, or a copy of it that Java serializes.
   *
   * @param owner the object whose method returned it: a copy is made holding its monitor, which is
   *     the lock of the JDK's synchronized wrappers and of their views ({@code Collections.synchronizedMap},
   *     the managed dict and list), so that a copy never meets a concurrent change
   */
  static Object sendable(Object result, Object owner) {
    if (result == null || result instanceof Serializable && !isJdkView(result)) {
      return result;
    }
    synchronized (owner) {
      return copy(result);
    }
  }

  private static Object copy(Object result) {
    if (result instanceof List) {
      return new ArrayList<>((List<?>) result);
    }
    if (result instanceof Set) {
      Set<Object> copy = new LinkedHashSet<>();
      for (Object o : (Set<?>) result) {
        copy.add(entry(o));
      }
      return copy;
    }
    if (result instanceof Collection) {
      return new ArrayList<>((Collection<?>) result);
    }
    if (result instanceof Map) {
      return new LinkedHashMap<>((Map<?, ?>) result);
    }
    return result; // encoding it fails, and the caller gets a RemoteError naming its class
  }

  /**
   * A collection of the JDK's that is not one of its public classes: a view or a wrapper, which may
   * say it is serializable (a synchronized map's key set) and hold a view that is not.
   */
  private static boolean isJdkView(Object o) {
    Class<?> c = o.getClass();
    return (o instanceof Collection || o instanceof Map) && c.getName().startsWith("java.util.")
        && !java.lang.reflect.Modifier.isPublic(c.getModifiers());
  }

  private static Object entry(Object o) {
    if (o instanceof Map.Entry && !(o instanceof Serializable)) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
    }
    return o;
  }
}
