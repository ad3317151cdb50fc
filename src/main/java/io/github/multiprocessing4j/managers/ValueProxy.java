package io.github.multiprocessing4j.managers;

/**
 * A managed value: CPython's {@code manager.Value(typecode, value)} and its {@code ValueProxy}
 * ({@code .value}, {@code get()}, {@code set(v)}). It holds any serializable object, and each
 * {@code get} returns a copy: change it, then {@code set} it back.
 *
 * <p>Obtained from {@link SyncManager#value(Object)}; thread-safe. {@code get} and {@code set}
 * are each one call; a read-modify-write of several processes needs a lock (the library's
 * {@code sync.Lock}), as CPython's does.
 *
 * @param <T> the value's type
 */
public interface ValueProxy<T> {

  /**
   * Returns a copy of the value.
   *
   * @return the value; null if null was set
   */
  T get();

  /**
   * Replaces the value.
   *
   * @param value the new value, sent as a copy; serializable; may be null
   */
  void set(T value);
}
