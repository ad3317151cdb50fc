package io.github.multiprocessing4j.managers;

/**
 * A managed object whose calls may take something for their caller (a lock, a semaphore's unit):
 * when the reply of such a call cannot be sent (the caller gave up waiting, its connection is
 * closed), the server gives it back here, so that a caller that is gone holds nothing.
 */
interface Undoable {

  /**
   * Whether a call of {@code method} may take something for its caller: only those calls are
   * checked for a caller that gave up.
   *
   * @param method the method's name
   * @return whether {@link #undo} may have something to give back after it
   */
  boolean takes(String method);

  /**
   * Gives back what a call took, if it took something.
   *
   * @param caller the caller, as {@link Caller#current()} named it during the call
   * @param method the method's name
   * @param args the call's arguments
   * @param result what the call returned
   */
  void undo(String caller, String method, Object[] args, Object result);
}
