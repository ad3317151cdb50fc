package io.github.multiprocessing4j.managers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object behind a {@link Namespace} proxy, in the manager's process; serializable so that a
 * proxy's {@link BaseProxy#referentCopy()} is a {@code Namespace} of its own, as CPython's
 * {@code _getvalue()}.
 */
final class NamespaceObject implements Namespace, java.io.Serializable {

  private static final long serialVersionUID = 1L;

  private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

  @Override
  public synchronized Object get(String name) {
    if (!values.containsKey(name)) {
      throw new IllegalArgumentException("'Namespace' object has no attribute '" + name + "'");
    }
    return values.get(name);
  }

  @Override
  public synchronized void set(String name, Object value) {
    values.put(name, value);
  }

  @Override
  public synchronized boolean has(String name) {
    return values.containsKey(name);
  }

  @Override
  public synchronized void delete(String name) {
    if (!values.containsKey(name)) {
      throw new IllegalArgumentException("'Namespace' object has no attribute '" + name + "'");
    }
    values.remove(name);
  }

  @Override
  public synchronized Map<String, Object> asMap() {
    return new LinkedHashMap<>(values);
  }

  /** A copy made in one step, for {@link BaseProxy#referentCopy()}. */
  synchronized NamespaceObject copy() {
    NamespaceObject c = new NamespaceObject();
    c.values.putAll(values);
    return c;
  }

  @Override
  public synchronized String toString() {
    StringBuilder b = new StringBuilder("Namespace(");
    values.forEach((k, v) -> b.append(b.length() > 10 ? ", " : "").append(k).append('=').append(v));
    return b.append(')').toString();
  }
}
