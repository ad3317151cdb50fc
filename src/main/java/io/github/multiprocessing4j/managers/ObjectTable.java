package io.github.multiprocessing4j.managers;

import java.util.HashMap;
import java.util.Map;

/**
 * The objects a server owns, with CPython's reference counts: each reference is held by a client
 * process's session, an object is dropped when no session holds one, and a session that ends
 * (its process closed the link or died) drops all of its references. Thread-safe.
 */
final class ObjectTable {

  /** An object and how it was registered. */
  static final class Entry {
    final Object object;
    final Registration registration;
    int refs; // guarded by the table

    Entry(Object object, Registration registration) {
      this.object = object;
      this.registration = registration;
    }
  }

  private final Map<Long, Entry> objects = new HashMap<>();
  /** Per session, the references it holds to each object. */
  private final Map<String, Map<Long, Integer>> sessions = new HashMap<>();
  private long nextId = 1;

  /** Adds an object with one reference, held by {@code session}; returns its id. */
  synchronized long add(String session, Object object, Registration registration) {
    long id = nextId++;
    objects.put(id, new Entry(object, registration));
    incref(session, id);
    return id;
  }

  synchronized Entry get(long id) {
    return objects.get(id);
  }

  /** One more reference for {@code session}; false if the object was dropped. */
  synchronized boolean incref(String session, long id) {
    Entry e = objects.get(id);
    if (e == null) {
      return false;
    }
    e.refs++;
    sessions.computeIfAbsent(session, s -> new HashMap<>()).merge(id, 1, Integer::sum);
    return true;
  }

  /**
   * Moves one reference from {@code from} to {@code to} (a child takes the one its parent took for
   * it); takes a new one if {@code from} holds none. False if the object was dropped.
   */
  synchronized boolean adopt(String from, String to, long id) {
    Map<Long, Integer> held = sessions.get(from);
    Integer n = held == null ? null : held.get(id);
    if (n == null || !objects.containsKey(id)) {
      return incref(to, id);
    }
    if (n == 1) {
      held.remove(id);
    } else {
      held.put(id, n - 1);
    }
    sessions.computeIfAbsent(to, s -> new HashMap<>()).merge(id, 1, Integer::sum);
    return true;
  }

  /** One reference fewer for {@code session}, if it holds one; the object goes at zero. */
  synchronized void decref(String session, long id) {
    Map<Long, Integer> held = sessions.get(session);
    Integer n = held == null ? null : held.get(id);
    if (n == null) {
      return;
    }
    if (n == 1) {
      held.remove(id);
    } else {
      held.put(id, n - 1);
    }
    release(id, 1);
  }

  /** Drops every reference of a session that ended. */
  synchronized void dropSession(String session) {
    Map<Long, Integer> held = sessions.remove(session);
    if (held != null) {
      held.forEach(this::release);
    }
  }

  private void release(long id, int count) {
    Entry e = objects.get(id);
    if (e != null && (e.refs -= count) <= 0) {
      objects.remove(id);
      if (e.object instanceof OnRelease) {
        ((OnRelease) e.object).released();
      }
    }
  }

  /** How many objects the server holds. */
  synchronized int size() {
    return objects.size();
  }
}
