package io.github.multiprocessing4j.managers;

/**
 * A managed object that must act when the server drops it (its last reference gone, or its
 * manager's process ending), as a pool must stop its workers. Called by the {@link ObjectTable}
 * under its lock: it must not wait.
 */
interface OnRelease {

  /** The server dropped the object. */
  void released();
}
