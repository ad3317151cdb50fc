package io.github.multiprocessing4j.pool;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Explains the commonest reason a pool's task or function cannot be sent: it is, or captures, a
 * lambda whose type is a plain functional interface ({@code java.util.function.Function},
 * {@code Callable}, {@code Runnable}), which Java does not make serializable. Serialization only
 * names the lambda's synthetic class ({@code Main$$Lambda/0x...}), which tells a user nothing.
 */
final class NotSerializableLambda {

  /** How deep to look into what a lambda or object captured. */
  private static final int DEPTH = 4;

  private NotSerializableLambda() {}

  /**
   * Describes the plain lambda that makes {@code value} not serializable, and what to use instead.
   *
   * @param value what could not be serialized: a task, a function, an initializer
   * @return the explanation, or null if no non-serializable lambda was found in it
   */
  public static String explain(Object value) {
    Object culprit = find(value);
    if (culprit == null) {
      return null;
    }
    Class<?> type = functionalInterface(culprit.getClass());
    String name = type == null ? "functional interface" : type.getName();
    StringBuilder msg = new StringBuilder();
    if (culprit == value) {
      msg.append("it is a plain ").append(name).append(" lambda (").append(culprit.getClass().getName())
          .append("), which is not serializable");
    } else {
      msg.append("it captures a plain ").append(name).append(" lambda (").append(culprit.getClass().getName())
          .append("), which is not serializable");
    }
    msg.append(": a lambda is serializable only when the type it is written for is, and ").append(name)
        .append(" is not; ").append(replacement(type))
        .append(", pass a method reference to a static method (Worker::compute) or the lambda itself"
            + " directly to the call, or use an instance of a named class that implements java.io.Serializable");
    return msg.toString();
  }

  /** What to declare the lambda as instead. */
  private static String replacement(Class<?> type) {
    String pool = "io.github.multiprocessing4j.pool.";
    if (type == java.util.function.Function.class) {
      return "declare it as " + pool + "SerializableFunction";
    }
    if (type == java.util.concurrent.Callable.class || type == java.util.function.Supplier.class) {
      return "declare it as " + pool + "SerializableCallable";
    }
    if (type == Runnable.class) {
      return "declare it as " + pool + "SerializableRunnable";
    }
    String simple = type == null ? "I" : type.getSimpleName();
    return "cast it to (" + simple + " & java.io.Serializable)";
  }

  /** The interface a lambda class implements for its call site, or null. */
  private static Class<?> functionalInterface(Class<?> lambda) {
    for (Class<?> i : lambda.getInterfaces()) {
      if (i != Serializable.class) {
        return i;
      }
    }
    return null;
  }

  private static boolean isLambda(Class<?> c) {
    return c.isSynthetic() && c.getName().contains("$$Lambda");
  }

  /**
   * The first non-serializable lambda in {@code root} or what it captures, breadth first; only
   * the user's own objects are looked into, and what cannot be read reflectively is skipped.
   */
  private static Object find(Object root) {
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    ArrayDeque<Object[]> queue = new ArrayDeque<>();
    queue.add(new Object[] {root, 0});
    while (!queue.isEmpty()) {
      Object[] next = queue.poll();
      Object v = next[0];
      int depth = (Integer) next[1];
      if (v == null || seen.put(v, Boolean.TRUE) != null) {
        continue;
      }
      Class<?> c = v.getClass();
      if (isLambda(c) && !(v instanceof Serializable)) {
        return v;
      }
      if (depth >= DEPTH || c.isArray() || c.isPrimitive() || c.getName().startsWith("java.")
          || c.getName().startsWith("javax.") || c.getName().startsWith("jdk.")) {
        continue;
      }
      for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
        for (Field f : k.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
            continue;
          }
          try {
            f.setAccessible(true);
            queue.add(new Object[] {f.get(v), depth + 1});
          } catch (RuntimeException | IllegalAccessException e) {
            // A module that does not open the class to this one: look no further there.
          }
        }
      }
    }
    return null;
  }
}
