package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.launch.ExitReport;
import io.github.multiprocessing4j.internal.launch.RemoteFailure;

import io.github.multiprocessing4j.RemoteException;
import java.io.IOException;
import java.util.Map;

/**
 * The messages between a pool and one of its workers, over the worker's private duplex pipe. Each
 * message is one byte array whose first byte says what it is; numbers are big-endian.
 *
 * <pre>
 * parent to worker
 *   DEFINE  fnId:int  function           the function later tasks name by fnId
 *   TASK    taskId:long fnId:int kind:byte payload   kind: a {@link TaskKind}'s byte
 *   STOP                                   finish: no more tasks will come
 * worker to parent
 *   READY                                  the initializer ran; tasks may be run
 *   INIT_FAILED failure                    the initializer threw; the worker exits
 *   OK      taskId:long value
 *   ERROR   taskId:long failure
 * </pre>
 *
 * <p>A worker keeps the last {@value #FUNCTIONS} functions defined, least recently used out
 * first; the pool keeps the same table for each worker ({@link #functionTable()}), applying the
 * same sends in the same order, so it knows without asking which definitions a worker lacks. A
 * {@code map} costs one definition per worker, not one per chunk, and tasks that alternate
 * between a few functions cost none after the first. A failure is an int length and the exception serialized (or length
 * -1 when it is not serializable), then {@link ExitReport#describe(Throwable)}, which the parent
 * falls back to when the exception's class cannot be deserialized there.
 */
final class PoolProtocol {

  static final byte DEFINE = 1;
  static final byte TASK = 2;
  static final byte STOP = 3;
  static final byte READY = 10;
  static final byte INIT_FAILED = 11;
  static final byte OK = 12;
  static final byte ERROR = 13;

  /** The bytes the {@link TaskKind}s travel as. */
  static final byte CALL = 1;
  static final byte RUN = 2;
  static final byte MAP = 3;
  static final byte STARMAP = 4;

  /** How many functions a worker keeps. */
  static final int FUNCTIONS = 16;

  /** Offset of the task id in a TASK, OK or ERROR message, and of the function id in a DEFINE. */
  static final int ID_AT = 1;
  /** Offset of the serialized function in a DEFINE message. */
  static final int FUNCTION_AT = ID_AT + 4;
  /** Offset of the function id in a TASK message. */
  static final int FN_ID_AT = ID_AT + 8;
  /** Offset of the kind byte in a TASK message. */
  static final int KIND_AT = FN_ID_AT + 4;
  /** Offset of the payload in a TASK message. */
  static final int TASK_HEADER = KIND_AT + 1;
  /** Offset of the value or failure in an OK or ERROR message. */
  static final int RESULT_HEADER = ID_AT + 8;
  /** Offset of the failure in an INIT_FAILED message. */
  static final int INIT_FAILURE_AT = 1;

  private PoolProtocol() {}

  /**
   * A table of functions by id (or by serialized form), least recently used first, that drops the
   * eldest beyond {@link #FUNCTIONS}: a definition puts, a task gets.
   */
  static <K, V> java.util.LinkedHashMap<K, V> functionTable() {
    return new java.util.LinkedHashMap<>(32, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > FUNCTIONS;
      }
    };
  }

  static byte[] define(int fnId, byte[] function) {
    byte[] m = new byte[FUNCTION_AT + function.length];
    m[0] = DEFINE;
    putInt(m, ID_AT, fnId);
    System.arraycopy(function, 0, m, FUNCTION_AT, function.length);
    return m;
  }

  static byte[] task(long taskId, int fnId, TaskKind kind, byte[] payload) {
    byte[] m = new byte[TASK_HEADER + payload.length];
    m[0] = TASK;
    putLong(m, ID_AT, taskId);
    putInt(m, FN_ID_AT, fnId);
    m[KIND_AT] = kind.code;
    System.arraycopy(payload, 0, m, TASK_HEADER, payload.length);
    return m;
  }

  static byte[] result(byte type, long taskId, byte[] body) {
    byte[] m = new byte[RESULT_HEADER + body.length];
    m[0] = type;
    putLong(m, ID_AT, taskId);
    System.arraycopy(body, 0, m, RESULT_HEADER, body.length);
    return m;
  }

  /**
   * An answer (OK or ERROR) from elsewhere, made to answer the task {@code taskId}: a copy with
   * that id, or an ERROR saying the answer is malformed.
   */
  static byte[] withTaskId(byte[] answer, long taskId) {
    if (answer.length < RESULT_HEADER || answer[0] != OK && answer[0] != ERROR) {
      return result(ERROR, taskId, failure(new io.github.multiprocessing4j.MultiprocessingException(
          "a remote worker answered with a malformed message (" + answer.length + " bytes)")));
    }
    byte[] m = answer.clone();
    putLong(m, ID_AT, taskId);
    return m;
  }

  /** An INIT_FAILED message. */
  static byte[] initFailed(Throwable error) {
    byte[] failure = failure(error);
    byte[] m = new byte[INIT_FAILURE_AT + failure.length];
    m[0] = INIT_FAILED;
    System.arraycopy(failure, 0, m, INIT_FAILURE_AT, failure.length);
    return m;
  }

  /** The failure part of an INIT_FAILED or ERROR message. */
  static byte[] failure(Throwable error) {
    byte[] serialized;
    try {
      serialized = Messages.encode(error, "the exception");
    } catch (RuntimeException e) {
      serialized = null;
    }
    byte[] description = ExitReport.describe(error);
    int n = serialized == null ? 0 : serialized.length;
    byte[] m = new byte[4 + n + description.length];
    putInt(m, 0, serialized == null ? -1 : n);
    if (serialized != null) {
      System.arraycopy(serialized, 0, m, 4, n);
    }
    System.arraycopy(description, 0, m, 4 + n, description.length);
    return m;
  }

  /**
   * Reads a failure: the exception itself when it deserializes here, else a
   * {@link RemoteException} with its class name, message and stack trace.
   *
   * @param m the message
   * @param offset where the failure starts
   * @param where names the worker, for a {@link RemoteException}
   */
  static Throwable readFailure(byte[] m, int offset, String where) {
    // A length the message cannot hold is corrupt: never allocated.
    int n = m.length - offset < 4 ? Integer.MAX_VALUE : getInt(m, offset);
    if (n > m.length - offset - 4) {
      return new RemoteException("?", "a worker sent a failure that cannot be read", "",
          new StackTraceElement[0], where);
    }
    if (n >= 0) {
      try {
        byte[] serialized = java.util.Arrays.copyOfRange(m, offset + 4, offset + 4 + n);
        Object e = Messages.decode(serialized, null);
        if (e instanceof Throwable) {
          return (Throwable) e;
        }
      } catch (IOException | RuntimeException | Error e) {
        // The class is missing here, refused by a filter, cannot be initialized here, or its
        // graph is too deep for this thread's stack (any Error of its readObject alike): the
        // portable description follows.
      }
    }
    RemoteFailure f = ExitReport.remote(m, offset + 4 + Math.max(n, 0), where);
    return f != null ? new RemoteException(f.className(), f.message(), f.trace(), f.frames(), f.where())
        : new RemoteException("?", "a worker sent a failure that cannot be read", "", new StackTraceElement[0], where);
  }

  static long getLong(byte[] m, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (m[at + i] & 0xFF);
    }
    return v;
  }

  static int getInt(byte[] m, int at) {
    return (m[at] & 0xFF) << 24 | (m[at + 1] & 0xFF) << 16 | (m[at + 2] & 0xFF) << 8 | (m[at + 3] & 0xFF);
  }

  private static void putLong(byte[] m, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      m[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static void putInt(byte[] m, int at, int v) {
    m[at] = (byte) (v >>> 24);
    m[at + 1] = (byte) (v >>> 16);
    m[at + 2] = (byte) (v >>> 8);
    m[at + 3] = (byte) v;
  }
}
