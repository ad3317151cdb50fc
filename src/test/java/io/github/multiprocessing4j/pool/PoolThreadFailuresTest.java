package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.testing.DeepGraphs.depth;
import static io.github.multiprocessing4j.testing.DeepGraphs.nested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.MultiprocessingException;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's own threads (a worker's reader, the feeder of {@code imap}) never die silently of
 * what they meet (issue 12, section 4): an {@link Error} while a result, a failure or an item is
 * (de)serialized fails that task or item, in the caller, and the pool goes on. Before, the reader
 * caught only {@code IOException}, {@code RuntimeException} and {@code LinkageError}: a
 * {@link StackOverflowError} (what a deep graph gives) killed it and {@code apply} never returned.
 *
 * <p>The errors are thrown by the classes' own {@code readObject}/{@code writeObject}, as a graph
 * too deep for the thread's stack does, so the tests do not depend on how deep the codec goes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PoolThreadFailuresTest {

  /** A value that serializes, and whose deserialization throws the Error its kind names. */
  static final class ErrorWhenRead implements Serializable {
    private static final long serialVersionUID = 1L;
    final String kind;

    ErrorWhenRead(String kind) {
      this.kind = kind;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw error(kind);
    }
  }

  /** A task exception whose deserialization in the parent throws a StackOverflowError. */
  static final class ExceptionWithADeepGraph extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExceptionWithADeepGraph() {
      super("too deep to read");
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      throw new StackOverflowError("stands for a graph too deep for the reader's stack");
    }
  }

  /** An item whose serialization throws a StackOverflowError. */
  static final class ErrorWhenWritten implements Serializable {
    private static final long serialVersionUID = 1L;

    private void writeObject(ObjectOutputStream out) {
      throw new StackOverflowError("stands for a graph too deep to write");
    }
  }

  static Error error(String kind) {
    switch (kind) {
      case "stack":
        return new StackOverflowError("stands for a graph too deep for the reader's stack");
      case "memory":
        return new OutOfMemoryError("stands for a result too large for the parent's heap");
      default:
        return new AssertionError("an Error of no particular kind");
    }
  }

  @Test
  void anErrorWhileAResultIsDeserializedFailsThatTaskAndTheWorkerGoesOn() throws Exception {
    Pool pool = new Pool(1);
    List<Long> pids = pool.workerPids();
    try {
      for (String kind : List.of("stack", "memory", "other")) {
        AsyncResult<ErrorWhenRead> r = pool.applyAsync(() -> new ErrorWhenRead(kind));
        // Before: the reader died, the task was never completed: get timed out.
        Throwable e = catchThrowable(() -> r.get(Waits.JOIN));
        assertThat(e).as(kind).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(MultiprocessingException.class);
        if (kind.equals("stack")) {
          // A stack overflow is retried on a deep stack (DeepStack) and then named as such.
          assertThat(e.getCause()).hasMessageContaining("cannot be deserialized")
              .hasMessageContaining("nested too deep").hasRootCauseInstanceOf(java.io.InvalidObjectException.class);
        } else {
          assertThat(e.getCause()).hasMessageContaining("cannot be deserialized")
              .hasMessageContaining(error(kind).getClass().getName())
              .hasRootCauseInstanceOf(error(kind).getClass());
        }
        // The same worker (its reader alive) answers the next task.
        assertThat(pool.apply(() -> 7)).isEqualTo(7);
        assertThat(pool.workerPids()).isEqualTo(pids);
      }
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(Pids.awaitGone(pids.get(0), Waits.JOIN)).isTrue();
  }

  @Test
  void aDeepResultNeverHangsTheCaller() throws Exception {
    // The reproduction: the reader died of a StackOverflowError decoding this and apply()
    // never returned. Within the depth limit (1000) the codec reads it, on a deep stack if need be.
    Pool pool = new Pool(1);
    List<Long> pids = pool.workerPids();
    try {
      for (int depth : List.of(620, 900)) {
        AsyncResult<HashMap<String, Object>> r = pool.applyAsync(() -> nested(depth));
        assertThat(depth(r.get(Waits.JOIN))).as("depth %s", depth).isEqualTo(depth);
        assertThat(pool.apply(() -> 7)).isEqualTo(7);
        assertThat(pool.workerPids()).isEqualTo(pids);
      }
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(Pids.awaitGone(pids.get(0), Waits.JOIN)).isTrue();
  }

  @Test
  void anErrorWhileATaskFailureIsDeserializedGivesItsDescriptionAndTheWorkerGoesOn() throws Exception {
    Pool pool = new Pool(1);
    List<Long> pids = pool.workerPids();
    try {
      AsyncResult<Integer> r = pool.applyAsync(() -> {
        throw new ExceptionWithADeepGraph();
      });
      Throwable e = catchThrowable(() -> r.get(Waits.JOIN));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RemoteException.class);
      RemoteException remote = (RemoteException) e.getCause();
      assertThat(remote.remoteClassName()).isEqualTo(ExceptionWithADeepGraph.class.getName());
      assertThat(remote.remoteMessage()).isEqualTo("too deep to read");
      assertThat(pool.apply(() -> 8)).isEqualTo(8);
      assertThat(pool.workerPids()).isEqualTo(pids);
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(Pids.awaitGone(pids.get(0), Waits.JOIN)).isTrue();
  }

  @Test
  void anErrorWhileAnImapItemIsSerializedFailsThatItemAndTheIterationGoesOn() throws Exception {
    Pool pool = new Pool(1);
    List<Long> pids = pool.workerPids();
    try {
      List<Object> items = List.of(1, new ErrorWhenWritten(), 3);
      ResultIterator<Object> it = pool.imap((Object x) -> x, items);
      assertThat(it.next(Waits.JOIN)).isEqualTo(1);
      // Before: the feeder thread died of the error; next() waited for ever.
      Throwable e = catchThrowable(() -> it.next(Waits.JOIN));
      assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
      assertThat(e.getCause()).hasMessageContaining("item").hasMessageContaining("1")
          .hasMessageContaining("imap").hasMessageContaining("nested too deep");
      assertThat(it.next(Waits.JOIN)).isEqualTo(3);
      assertThat(it.hasNext()).isFalse();
    } finally {
      pool.terminate();
    }
    assertThat(pool.join(Waits.JOIN)).isTrue();
    assertThat(Pids.awaitGone(pids.get(0), Waits.JOIN)).isTrue();
  }
}
