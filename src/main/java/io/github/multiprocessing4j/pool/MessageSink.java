package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.RemoteException;
import java.util.concurrent.CompletableFuture;

/**
 * Where the outcome of a task run for a caller elsewhere goes: the worker's answer itself, an OK
 * or ERROR message, never decoded here, except that an ERROR saying a class is missing is
 * replaced by one that names this JVM and the class (every member of a cluster needs the
 * application's classes).
 */
final class MessageSink implements TaskSink {

  final CompletableFuture<byte[]> answer = new CompletableFuture<>();
  private final String where;

  MessageSink(String where) {
    this.where = where;
  }

  /** The worker's answer. */
  void answered(byte[] m) {
    if (m[0] == PoolProtocol.ERROR) {
      String missing = missingClass(PoolProtocol.readFailure(m, PoolProtocol.RESULT_HEADER, where));
      if (missing != null) {
        failed(new MultiprocessingException(where + " cannot load class " + missing
            + ": every member needs the application's classes on its class path"));
        return;
      }
    }
    answer.complete(m);
  }

  @Override
  public void succeeded(Object value) {
    throw new IllegalStateException("a task run for elsewhere is answered by its message");
  }

  @Override
  public void failed(Throwable error) {
    answer.complete(PoolProtocol.result(PoolProtocol.ERROR, 0, PoolProtocol.failure(error)));
  }

  /** The class a failure says is missing, or null. */
  static String missingClass(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClassNotFoundException) {
        return t.getMessage();
      }
      if (t instanceof NoClassDefFoundError) {
        return t.getMessage().replace('/', '.');
      }
      if (t instanceof RemoteException) {
        RemoteException r = (RemoteException) t;
        String type = r.remoteClassName();
        if (type.equals(ClassNotFoundException.class.getName()) || type.equals(NoClassDefFoundError.class.getName())) {
          return r.remoteMessage().replace('/', '.');
        }
      }
    }
    return null;
  }
}
