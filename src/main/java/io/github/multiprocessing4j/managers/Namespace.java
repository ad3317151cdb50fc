package io.github.multiprocessing4j.managers;

import java.util.Map;

/**
 * A managed namespace: named values that several processes read and set through a proxy, CPython's
 * {@code manager.Namespace()}. Its attributes are Java's names and values: {@code ns.x = 1} is
 * {@code ns.set("x", 1)}, {@code ns.x} is {@code ns.get("x")}. Values are copies, as every
 * managed object's results: re-set a value to change it.
 *
 * <p>Obtained from {@link SyncManager#namespace()}; thread-safe.
 */
public interface Namespace {

  /**
   * Returns a value.
   *
   * @param name its name
   * @return a copy of the value (null if null was set)
   * @throws IllegalArgumentException {@code "'Namespace' object has no attribute 'x'"} if none is set
   */
  Object get(String name);

  /**
   * Sets a value.
   *
   * @param name its name
   * @param value the value, sent as a copy; serializable; may be null
   */
  void set(String name, Object value);

  /**
   * Tells whether a value is set.
   *
   * @param name its name
   * @return whether it is
   */
  boolean has(String name);

  /**
   * Removes a value.
   *
   * @param name its name
   * @throws IllegalArgumentException if none is set
   */
  void delete(String name);

  /**
   * Returns the values, by name in the order first set.
   *
   * @return a copy
   */
  Map<String, Object> asMap();
}
