package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.Messages;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What a pool worker process runs: the initializer once, then tasks from its pipe one at a time,
 * in order, until the pool says STOP, closes the pipe, or the worker has run its
 * {@code maxTasksPerChild}. See {@link PoolProtocol} for the messages.
 *
 * <p>Arguments: the worker's pipe end, the encoded initializer and its arguments (or null), and
 * the task limit (0 for none). Public only so the child can instantiate it.
 */
final class PoolWorker implements Target {

  private static final long serialVersionUID = 1L;
  private static final int MAX_REPR = 200;

  /** Creates the worker; the child calls this. */
  public PoolWorker() {}

  @Override
  public void run(Args args) throws Exception {
    Connection conn = args.get(0, Connection.class);
    // Closed on the way out, so that the pipe's files go once the pool closes its end too: a
    // worker's end left open keeps them (and the pool's handed-off end in memory) until the
    // pool's JVM exits, one set per worker ever started.
    try (conn) {
      work(conn, args);
    }
  }

  private static void work(Connection conn, Args args) throws Exception {
    byte[] initializer = (byte[]) args.get(1);
    int maxTasks = args.getInt(2);
    if (initializer != null) {
      try {
        List<?> init = (List<?>) Messages.decode(initializer, null);
        ((Target) init.get(0)).run(Args.of((List<?>) init.get(1), Map.of()));
      } catch (Throwable e) {
        conn.sendBytes(PoolProtocol.initFailed(e));
        throw e; // printed and exit code 1, as a CPython worker whose initializer raised
      }
    }
    conn.sendBytes(new byte[] {PoolProtocol.READY});
    // What a DEFINE gave: the function, or the exception that deserializing it threw.
    java.util.LinkedHashMap<Integer, Object> functions = PoolProtocol.functionTable();
    for (int done = 0; maxTasks == 0 || done < maxTasks; ) {
      byte[] m;
      try {
        m = conn.recvBytes();
      } catch (PeerClosedException e) {
        return; // the pool is gone or closed our pipe
      }
      switch (m[0]) {
        case PoolProtocol.DEFINE: {
          Object fn;
          try {
            fn = Messages.decode(m, PoolProtocol.FUNCTION_AT, null);
          } catch (Exception e) {
            fn = new Undefined(e);
          }
          functions.put(PoolProtocol.getInt(m, PoolProtocol.ID_AT), fn);
          break;
        }
        case PoolProtocol.TASK:
          runTask(conn, m, functions.get(PoolProtocol.getInt(m, PoolProtocol.FN_ID_AT)));
          done++;
          break;
        case PoolProtocol.STOP:
          return;
        default:
          throw new IllegalStateException("unknown pool message " + m[0]);
      }
    }
  }

  /** A function whose definition could not be deserialized here, and why. */
  private static final class Undefined {
    final Exception why;

    Undefined(Exception why) {
      this.why = why;
    }
  }

  private static void runTask(Connection conn, byte[] m, Object fn) throws InterruptedException {
    long taskId = PoolProtocol.getLong(m, PoolProtocol.ID_AT);
    Object value;
    try {
      if (fn instanceof Undefined) {
        throw ((Undefined) fn).why;
      }
      if (fn == null) {
        throw new IllegalStateException("task " + taskId + " names a function this worker does not have");
      }
      value = execute(fn, m[PoolProtocol.KIND_AT], m);
    } catch (Throwable e) {
      conn.sendBytes(PoolProtocol.result(PoolProtocol.ERROR, taskId, PoolProtocol.failure(e)));
      return;
    }
    byte[] encoded;
    try {
      encoded = Messages.encode(value, "the result");
    } catch (RuntimeException | StackOverflowError e) { // a graph too deep to write: this result only
      Throwable reason = e; // the root cause, as CPython names the pickling error itself
      while (reason.getCause() != null && reason.getCause() != reason) {
        reason = reason.getCause();
      }
      MaybeEncodingException error = new MaybeEncodingException(repr(value), reason.toString());
      conn.sendBytes(PoolProtocol.result(PoolProtocol.ERROR, taskId, PoolProtocol.failure(error)));
      return;
    }
    conn.sendBytes(PoolProtocol.result(PoolProtocol.OK, taskId, encoded));
  }

  @SuppressWarnings("unchecked")
  private static Object execute(Object fn, byte code, byte[] m) throws Exception {
    TaskKind kind = TaskKind.of(code);
    if (kind == null) {
      throw new IllegalStateException("unknown task kind " + code);
    }
    switch (kind) {
      case CALL:
        return ((Callable<?>) fn).call();
      case RUN:
        ((Runnable) fn).run();
        return null;
      case MAP: {
        SerializableFunction<Object, ?> f = (SerializableFunction<Object, ?>) fn;
        List<?> items = (List<?>) Messages.decode(m, PoolProtocol.TASK_HEADER, null);
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
          out.add(f.apply(item));
        }
        return out;
      }
      case STARMAP: {
        SerializableFunction<Args, ?> f = (SerializableFunction<Args, ?>) fn;
        List<?> items = (List<?>) Messages.decode(m, PoolProtocol.TASK_HEADER, null);
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
          out.add(f.apply(Args.of((List<?>) item, Map.of())));
        }
        return out;
      }
      default:
        throw new IllegalStateException("unknown task kind " + code);
    }
  }

  private static String repr(Object value) {
    String s;
    try {
      s = String.valueOf(value);
    } catch (RuntimeException e) {
      s = value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value));
    }
    return s.length() <= MAX_REPR ? s : s.substring(0, MAX_REPR) + "...";
  }
}
