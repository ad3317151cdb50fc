package io.github.multiprocessing4j.managers;

import java.io.IOException;
import java.util.List;

/** The interface of the managed {@link Counter} of these tests. */
public interface CounterApi {
  /** Adds one; returns the new value. */
  int increment();

  /** Adds n. */
  void add(int n);

  /** The value. */
  int value();

  /** Throws IllegalStateException with the message. */
  void fail(String message);

  /** Throws a checked exception it declares. */
  void failChecked(String message) throws IOException;

  /** Not exposed when registered with exposed("increment", "value", ...). */
  int secret();

  /** A new counter starting at this one's value, returned as a proxy when registered so. */
  CounterApi child();

  /** Something that cannot be serialized. */
  Object unsendable();

  /** A collection that Java does not serialize and whose copying throws, in the manager's process. */
  java.util.Collection<Integer> brokenView();

  /** Keeps an object (a proxy, say). */
  void keep(Object o);

  /** What was kept. */
  Object kept();

  /** Adds one, then blocks for ever. */
  void block() throws InterruptedException;

  /** A list, returned as a copy. */
  List<Integer> history();
}
