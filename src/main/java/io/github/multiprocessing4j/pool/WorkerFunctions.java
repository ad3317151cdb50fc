package io.github.multiprocessing4j.pool;

import java.util.LinkedHashMap;

/**
 * The functions one worker holds, as the worker's own table ({@link PoolProtocol#functionTable()}):
 * a function is sent once, as a DEFINE before the first task that uses it, and named by its id
 * after. Both tables see the same sends in the same order, so they drop the same functions and the
 * pool knows without asking which definitions a worker lacks. Guarded by the worker's send lock.
 */
final class WorkerFunctions {

  private final LinkedHashMap<Integer, Boolean> defined = PoolProtocol.functionTable();

  /**
   * Sends a task, preceded by its function's definition if the worker lacks it.
   *
   * @param conn the worker's pipe
   * @param t the task
   * @throws InterruptedException if interrupted before the task was written
   */
  void send(WorkerChannel conn, PoolTask t) throws InterruptedException {
    // containsKey, not get: only a task actually sent counts as a use of its function, exactly
    // as the worker counts it, so that both tables drop the same functions.
    if (!defined.containsKey(t.fn.id)) {
      conn.sendBytes(t.fn.define);
      defined.put(t.fn.id, Boolean.TRUE);
    }
    conn.sendBytes(t.message);
    defined.get(t.fn.id);
  }
}
