package io.github.multiprocessing4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments a {@link Target} receives in the child: CPython's positional {@code args} and keyword
 * {@code kwargs}, with their values and types as the parent passed them.
 *
 * <p>The typed accessors fail with an {@link IllegalArgumentException} that names the argument
 * when it is missing or of another type, so a target that gets the wrong arguments ends with exit
 * code 1 and a message saying which argument was wrong. {@link #param(int, String, Class)} binds
 * one parameter the way Python does: by keyword if given, else by position.
 *
 * <p>Instances are immutable; the lists and maps they return are unmodifiable.
 */
public final class Args {

  private final List<Object> positional;
  private final Map<String, Object> keywords;

  private Args(List<Object> positional, Map<String, Object> keywords) {
    this.positional = Collections.unmodifiableList(new ArrayList<>(positional));
    this.keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
  }

  /**
   * Creates arguments, e.g. to call a target directly in a test.
   *
   * @param positional the positional arguments (elements may be {@code null})
   * @param keywords the keyword arguments (values may be {@code null})
   * @return the arguments
   * @throws NullPointerException if a list, map or key is {@code null}
   */
  public static Args of(List<?> positional, Map<String, ?> keywords) {
    Objects.requireNonNull(positional, "positional");
    Objects.requireNonNull(keywords, "keywords");
    for (String k : keywords.keySet()) { // a loop, not a lambda: this runs on every child's start-up path
      Objects.requireNonNull(k, "keyword argument name");
    }
    return new Args(new ArrayList<>(positional), new LinkedHashMap<>(keywords));
  }

  /**
   * Returns the number of positional arguments.
   *
   * @return the number of positional arguments
   */
  public int size() {
    return positional.size();
  }

  /**
   * Returns the positional arguments.
   *
   * @return an unmodifiable list of the positional arguments
   */
  public List<Object> positional() {
    return positional;
  }

  /**
   * Returns the keyword arguments, in the order they were given.
   *
   * @return an unmodifiable map of the keyword arguments
   */
  public Map<String, Object> kwargs() {
    return keywords;
  }

  /**
   * Returns positional argument {@code index}.
   *
   * @param index the position, from 0
   * @return the value, possibly {@code null}
   * @throws IllegalArgumentException if there is no argument at {@code index}
   */
  public Object get(int index) {
    if (index < 0 || index >= positional.size()) {
      throw new IllegalArgumentException("missing positional argument #" + index + " (the process was given "
          + positional.size() + " positional argument" + (positional.size() == 1 ? "" : "s") + ")");
    }
    return positional.get(index);
  }

  /**
   * Returns positional argument {@code index} as a {@code type}.
   *
   * @param <T> the expected type
   * @param index the position, from 0
   * @param type the expected type; primitive classes such as {@code int.class} match their wrappers
   * @return the value, possibly {@code null} (never for a primitive {@code type})
   * @throws IllegalArgumentException if the argument is missing or not a {@code type}
   */
  public <T> T get(int index, Class<T> type) {
    return cast(get(index), type, "positional argument #" + index);
  }

  /**
   * Returns positional argument {@code index}, which must be a {@link String}.
   *
   * @param index the position, from 0
   * @return the string, possibly {@code null}
   * @throws IllegalArgumentException if the argument is missing or not a string
   */
  public String getString(int index) {
    return get(index, String.class);
  }

  /**
   * Returns positional argument {@code index}, which must be an {@link Integer}.
   *
   * @param index the position, from 0
   * @return the value
   * @throws IllegalArgumentException if the argument is missing, {@code null} or not an integer
   */
  public int getInt(int index) {
    return get(index, int.class);
  }

  /**
   * Returns positional argument {@code index}, which must be a {@link Long}.
   *
   * @param index the position, from 0
   * @return the value
   * @throws IllegalArgumentException if the argument is missing, {@code null} or not a long
   */
  public long getLong(int index) {
    return get(index, long.class);
  }

  /**
   * Returns positional argument {@code index}, which must be a {@link Double}.
   *
   * @param index the position, from 0
   * @return the value
   * @throws IllegalArgumentException if the argument is missing, {@code null} or not a double
   */
  public double getDouble(int index) {
    return get(index, double.class);
  }

  /**
   * Returns positional argument {@code index}, which must be a {@link Boolean}.
   *
   * @param index the position, from 0
   * @return the value
   * @throws IllegalArgumentException if the argument is missing, {@code null} or not a boolean
   */
  public boolean getBoolean(int index) {
    return get(index, boolean.class);
  }

  /**
   * Tells whether a keyword argument was given.
   *
   * @param name the keyword
   * @return {@code true} if the process was given a keyword argument {@code name}
   */
  public boolean has(String name) {
    return keywords.containsKey(name);
  }

  /**
   * Returns keyword argument {@code name}.
   *
   * @param name the keyword
   * @return the value, possibly {@code null}
   * @throws IllegalArgumentException if there is no keyword argument {@code name}
   */
  public Object kwarg(String name) {
    if (!keywords.containsKey(name)) {
      throw new IllegalArgumentException("missing keyword argument '" + name + "' (the process was given "
          + (keywords.isEmpty() ? "none" : String.join(", ", keywords.keySet())) + ")");
    }
    return keywords.get(name);
  }

  /**
   * Returns keyword argument {@code name} as a {@code type}.
   *
   * @param <T> the expected type
   * @param name the keyword
   * @param type the expected type; primitive classes such as {@code int.class} match their wrappers
   * @return the value, possibly {@code null} (never for a primitive {@code type})
   * @throws IllegalArgumentException if the argument is missing or not a {@code type}
   */
  public <T> T kwarg(String name, Class<T> type) {
    return cast(kwarg(name), type, "keyword argument '" + name + "'");
  }

  /**
   * Returns keyword argument {@code name} as a {@code type}, or {@code defaultValue} if it was not
   * given.
   *
   * @param <T> the expected type
   * @param name the keyword
   * @param type the expected type
   * @param defaultValue the value to return when the keyword was not given
   * @return the value or the default
   * @throws IllegalArgumentException if the argument is given but not a {@code type}
   */
  public <T> T kwarg(String name, Class<T> type, T defaultValue) {
    return keywords.containsKey(name) ? kwarg(name, type) : defaultValue;
  }

  /**
   * Binds one parameter as Python binds a function's parameter: from keyword argument {@code name}
   * if given, else from positional argument {@code position}.
   *
   * @param <T> the expected type
   * @param position the parameter's position, from 0
   * @param name the parameter's name
   * @param type the expected type
   * @return the value, possibly {@code null} (never for a primitive {@code type})
   * @throws IllegalArgumentException if the parameter was given neither way, both ways, or with a
   *     value that is not a {@code type}
   */
  public <T> T param(int position, String name, Class<T> type) {
    boolean byName = keywords.containsKey(name);
    boolean byPosition = position >= 0 && position < positional.size();
    if (byName && byPosition) {
      throw new IllegalArgumentException("got multiple values for argument '" + name + "' (positional #"
          + position + " and keyword)");
    }
    if (!byName && !byPosition) {
      throw new IllegalArgumentException("missing required argument '" + name + "' (position " + position
          + "): the process was given " + positional.size() + " positional and keyword arguments "
          + keywords.keySet());
    }
    return byName ? kwarg(name, type) : get(position, type);
  }

  private static <T> T cast(Object value, Class<T> type, String what) {
    Class<?> boxed = box(type);
    if (value == null) {
      if (type.isPrimitive()) {
        throw new IllegalArgumentException(what + " is null, expected a " + type.getName());
      }
      return null;
    }
    if (!boxed.isInstance(value)) {
      throw new IllegalArgumentException(what + " is a " + value.getClass().getName() + " (" + abbreviate(value)
          + "), expected a " + type.getName());
    }
    @SuppressWarnings("unchecked")
    T t = (T) boxed.cast(value);
    return t;
  }

  private static String abbreviate(Object value) {
    String s;
    try {
      s = String.valueOf(value);
    } catch (RuntimeException e) {
      return "unprintable";
    }
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) {
      return Integer.class;
    } else if (type == long.class) {
      return Long.class;
    } else if (type == double.class) {
      return Double.class;
    } else if (type == boolean.class) {
      return Boolean.class;
    } else if (type == float.class) {
      return Float.class;
    } else if (type == short.class) {
      return Short.class;
    } else if (type == byte.class) {
      return Byte.class;
    } else if (type == char.class) {
      return Character.class;
    }
    throw new IllegalArgumentException("void is not an argument type");
  }

  /** Returns the arguments in Python's call notation, e.g. {@code (a, 1, data=x)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (Object o : positional) {
      sb.append(sb.length() > 1 ? ", " : "").append(o);
    }
    for (Map.Entry<String, Object> e : keywords.entrySet()) {
      sb.append(sb.length() > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.append(')').toString();
  }
}
