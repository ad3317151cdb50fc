package io.github.multiprocessing4j.managers;

import java.io.Serializable;

/**
 * Makes an object that a manager serves, in the manager's process, from the arguments given to
 * {@link BaseManager#get(String, Class, Object...)}: the callable of CPython's
 * {@code BaseManager.register(typeid, callable)}.
 *
 * <p>It is sent to the manager's process when the manager starts, so it must be serializable: a
 * lambda or method reference assigned to this type is, if what it captures is
 * ({@code args -> new Counter()}, {@code Counters::fromArgs}).
 */
@FunctionalInterface
public interface ManagedFactory extends Serializable {

  /**
   * Makes the object, in the manager's process.
   *
   * @param args the arguments given to {@code get}, copies; never null, empty if none were given
   * @return the object; not null
   * @throws Exception anything, which the caller of {@code get} receives with its type and message
   */
  Object create(Object[] args) throws Exception;
}
