package io.github.multiprocessing4j.sync;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A map from names to objects that does not keep its objects reachable: an object the rest of the
 * program dropped is collected, and its entry goes away (its stale entry is removed by the next
 * {@link #put} or {@link #putIfAbsent}). The registry of this JVM's one object per shared segment.
 *
 * <p>Thread-safe; reads take no lock.
 *
 * @param <V> the type of the objects
 */
final class WeakRegistry<V> {

  private final ConcurrentHashMap<String, Entry<V>> map = new ConcurrentHashMap<>();
  private final ReferenceQueue<V> collected = new ReferenceQueue<>();

  private static final class Entry<V> extends WeakReference<V> {
    final String name;

    Entry(String name, V value, ReferenceQueue<V> queue) {
      super(value, queue);
      this.name = name;
    }
  }

  /**
   * The object of a name, if it is still reachable.
   *
   * @param name the name
   * @return the object, or null if there is none or it was collected
   */
  public V get(String name) {
    Entry<V> e = map.get(name);
    return e == null ? null : e.get();
  }

  /**
   * Registers an object under a name, replacing any other.
   *
   * @param name the name
   * @param value the object
   */
  public void put(String name, V value) {
    Objects.requireNonNull(value, "value");
    expunge();
    map.put(name, new Entry<>(name, value, collected));
  }

  /**
   * Registers an object under a name unless a reachable one is registered there.
   *
   * @param name the name
   * @param value the object
   * @return the object registered under the name now: {@code value} or the one that was there
   */
  public V putIfAbsent(String name, V value) {
    Objects.requireNonNull(value, "value");
    expunge();
    Entry<V> fresh = new Entry<>(name, value, collected);
    while (true) {
      Entry<V> e = map.putIfAbsent(name, fresh);
      if (e == null) {
        return value;
      }
      V known = e.get();
      if (known != null) {
        return known;
      }
      if (map.replace(name, e, fresh)) {
        return value;
      }
    }
  }

  /**
   * The number of entries, stale ones removed first; for tests.
   *
   * @return the number of entries
   */
  public int size() {
    expunge();
    return map.size();
  }

  private void expunge() {
    for (Object r = collected.poll(); r != null; r = collected.poll()) {
      @SuppressWarnings("unchecked")
      Entry<V> e = (Entry<V>) r;
      map.remove(e.name, e);
    }
  }
}
