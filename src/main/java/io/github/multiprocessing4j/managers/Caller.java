package io.github.multiprocessing4j.managers;

/**
 * Who made the call a server thread is carrying out: the client's session and the id of the
 * thread that called the proxy. A managed object whose behaviour depends on the caller (a
 * reentrant lock's owner, a condition's waiter) asks here, as CPython's server objects rely on
 * the server thread of the client's per-thread connection; calls here share connections between
 * a process's threads, so the caller travels with each call instead.
 */
final class Caller {

  /** Session and thread id of the call on this thread; the string is made only if asked for. */
  private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[2]);

  private Caller() {}

  static void enter(String session, Long threadId) {
    Object[] c = CURRENT.get();
    c[0] = session;
    c[1] = threadId;
  }

  /** The caller a call from thread {@code threadId} of the client with {@code session} names. */
  static String of(String session, Object threadId) {
    return session + "/" + threadId;
  }

  static void leave() {
    CURRENT.get()[0] = null;
  }

  /**
   * The caller of the call being carried out on this thread: a string equal for two calls exactly
   * when they come from the same thread of the same client process.
   *
   * @throws IllegalStateException outside a call
   */
  static String current() {
    Object[] c = CURRENT.get();
    if (c[0] == null) {
      throw new IllegalStateException("not in a call from a proxy");
    }
    return of((String) c[0], c[1]);
  }
}
