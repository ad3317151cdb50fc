package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.access.RemoteWorkers;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The channel of a slot whose tasks {@link RemoteWorkers} run: what the engine sends as a worker's
 * pipe messages becomes one {@link RemoteWorkers#run} per task, with the definition of its
 * function, and the answers come back as a worker's messages, in the order they complete. So the
 * engine's order, chunking, callbacks and states serve a cluster unchanged.
 *
 * <p>Sends come from the slot's send lock holder, one at a time; answers from any thread.
 */
final class RemoteChannel implements WorkerChannel {

  /** Ends the reader: {@link #recvBytes()} throws when it meets this. */
  private static final byte[] END = new byte[0];

  private final RemoteWorkers workers;
  private final String where;
  private final LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
  /**
   * The definitions the slot sent, as the worker's own table: the engine sends a function once per
   * worker, and every remote run needs it. Guarded by the slot's send lock.
   */
  private final LinkedHashMap<Integer, byte[]> functions = PoolProtocol.functionTable();
  private final Set<CompletableFuture<byte[]>> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  RemoteChannel(RemoteWorkers workers) {
    this.workers = workers;
    this.where = workers.describe();
    answers.add(new byte[] {PoolProtocol.READY});
  }

  String where() {
    return where;
  }

  /** Tasks the slot may hold: one running and one waiting per remote worker, as a local worker's. */
  int depth() {
    return WorkerSlot.DEPTH * Math.max(1, workers.capacity());
  }

  @Override
  public void sendBytes(byte[] m) {
    if (closed) {
      throw new ConnectionException("the pool's link to " + where + " is closed");
    }
    switch (m[0]) {
      case PoolProtocol.DEFINE:
        functions.put(PoolProtocol.getInt(m, PoolProtocol.ID_AT), m);
        break;
      case PoolProtocol.TASK:
        run(m);
        break;
      case PoolProtocol.STOP:
        // Sent once nothing is in flight: every answer was read, so the reader may end.
        answers.add(END);
        break;
      default:
        throw new IllegalStateException("unknown pool message " + m[0]);
    }
  }

  private void run(byte[] task) {
    long id = PoolProtocol.getLong(task, PoolProtocol.ID_AT);
    byte[] function = functions.get(PoolProtocol.getInt(task, PoolProtocol.FN_ID_AT));
    CompletableFuture<byte[]> f = start(function, task);
    running.add(f);
    f.whenComplete((answer, failure) -> {
      running.remove(f);
      answers.add(answer != null ? PoolProtocol.withTaskId(answer, id)
          : PoolProtocol.result(PoolProtocol.ERROR, id, PoolProtocol.failure(unwrap(failure))));
    });
  }

  private CompletableFuture<byte[]> start(byte[] function, byte[] task) {
    try {
      return workers.run(function, task);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  @Override
  public byte[] recvBytes() throws InterruptedException {
    byte[] m = answers.take();
    if (m == END) {
      answers.add(END); // for any later call
      throw new ConnectionException("the pool's link to " + where + " is closed");
    }
    return m;
  }

  /** Ends the reader and cancels what runs remotely (a task already running there runs to its end). */
  @Override
  public void close() {
    closed = true;
    answers.add(END);
    for (CompletableFuture<byte[]> f : running) {
      f.cancel(true);
    }
  }
}
