package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Waits;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools and executors shut down or terminated while work, input or a submission is in flight: an
 * interrupted shutdown, a map whose input fails or shuts the pool down while it is read, an
 * executor whose map is still open, the exit-time registry, the workers' pipe files; each test
 * names the race it guards against.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PoolShutdownRaceTest {

  @TempDir
  Path dir;

  /** The pool that a {@link ShutsDownWhenSent} item shuts down; set by the test that uses one. */
  static volatile Pool closing;

  /** A map item that shuts {@link #closing} down while the caller serializes it, and arrives as 2. */
  static final class ShutsDownWhenSent implements Serializable {
    private static final long serialVersionUID = 1L;

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
      closing.shutdown();
      out.defaultWriteObject();
    }

    private Object readResolve() throws ObjectStreamException {
      return 2;
    }
  }

  @Test
  void shutdownFromAnInterruptedThreadStillStopsTheIdleWorkers() throws Exception {
    Pool pool = new Pool(1);
    try {
      assertThat(pool.apply(() -> 1)).isEqualTo(1); // the worker is up and idle

      Thread.currentThread().interrupt();
      pool.shutdown();
      assertThat(Thread.interrupted()).as("the caller keeps its interrupt").isTrue();

      assertThat(pool.join(Waits.JOIN)).as("the idle worker got STOP and exited").isTrue();
    } finally {
      pool.terminate();
    }
  }

  @Test
  void anImapWhoseInputFailsAfterThePoolWasTerminatedEnds() throws Exception {
    Pool pool = new Pool(1);
    try {
      Iterable<Integer> items = () -> new Iterator<>() {
        private int read;

        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Integer next() {
          if (read++ == 0) {
            return 1;
          }
          pool.terminate(); // as another thread may, while the feeder reads the input
          throw new IllegalStateException("the input failed");
        }
      };
      ResultIterator<Integer> it = pool.imap((Integer x) -> x, items, 2);

      // The partly read chunk [1] is dropped, as CPython drops it (issue 12), so the input's own
      // failure ends the iteration; before, that chunk went to the terminated pool and came back
      // cancelled.
      assertThatThrownBy(() -> it.next(Waits.JOIN)).isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("the input failed");
      // Not a TimeoutException: the iteration has ended.
      assertThatThrownBy(() -> it.next(Waits.JOIN)).isInstanceOf(NoSuchElementException.class);
      assertThat(it.hasNext()).isFalse();
    } finally {
      pool.terminate();
    }
  }

  @Test
  void aMapSubmittedBeforeAConcurrentShutdownRunsWhole() throws Exception {
    Pool pool = new Pool(1);
    closing = pool;
    try {
      List<Object> items = List.of(1, new ShutsDownWhenSent(), 3);
      AsyncResult<List<Integer>> r = pool.mapAsync((Integer x) -> x * 10, castItems(items), 1, null, null);

      assertThat(r.get(Waits.JOIN)).containsExactly(10, 20, 30);
      assertThat(pool.join(Waits.JOIN)).isTrue();
    } finally {
      closing = null;
      pool.terminate();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Integer> castItems(List<Object> items) {
    return (List<Integer>) (List<?>) items;
  }

  @Test
  void anExecutorWithAnOpenMapIsNotTerminatedAndRunsItWhole() throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      Iterable<byte[]> items = () -> new Iterator<>() {
        private int read;

        @Override
        public boolean hasNext() {
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return read < 4;
        }

        @Override
        public byte[] next() {
          // More than a quarter of a pipe's ring: a reader leaves sending it to the dispatcher.
          byte[] item = new byte[2 << 20];
          item[0] = (byte) read++;
          return item;
        }
      };
      ResultIterator<Integer> it = ex.map((byte[] b) -> {
        if (b[0] == 0) {
          Gates.pass(d, "first");
        }
        return b.length;
      }, items, null, 1);
      ex.shutdown();

      assertThat(ex.isTerminated()).as("the map's input may still start workers").isFalse();
      awaitDispatcherSettled(ex);
      release.countDown();
      // The feeder sends the first two chunks itself and queues the other two: the worker has
      // room for two. Once it has ended, only the dispatcher can send those two.
      Gates.awaitRunning(dir, "first");
      Thread feeder = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("pool-feeder-map")).findFirst().orElse(null);
      if (feeder != null) {
        feeder.join(Waits.JOIN.toMillis());
      }
      Gates.open(dir, "first");

      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(it.next(Waits.JOIN));
      }
      assertThat(got).containsExactly(2 << 20, 2 << 20, 2 << 20, 2 << 20);
      assertThat(ex.awaitTermination(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } finally {
      release.countDown();
      ex.shutdownNow();
    }
  }

  @Test
  void anExecutorShutDownWithoutWorkersIsForgotten() throws Exception {
    ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
    Object engine = field(ex, "pool");
    java.util.Set<Object> live = castSet(staticField(engine.getClass(), "LIVE"));
    assertThat(live).contains(engine);

    ex.shutdown();
    assertThat(ex.awaitTermination(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    assertThat(live).as("the exit-time registry of live pools").doesNotContain(engine);
  }

  @Test
  void anImapWhoseInputCannotBeIteratedDoesNotKeepAClosedPoolRunning() throws Exception {
    Pool pool = new Pool(1);
    try {
      Iterable<Integer> items = () -> {
        throw new IllegalStateException("no input");
      };
      assertThatThrownBy(() -> pool.imap((Integer x) -> x, items)).isInstanceOf(IllegalStateException.class)
          .hasMessage("no input");

      pool.shutdown();
      assertThat(pool.join(Waits.JOIN)).as("the idle worker was stopped").isTrue();
    } finally {
      pool.terminate();
    }
  }

  /** The pipes' files in the runtime directory and under /dev/shm. */
  private static List<String> pipeFiles() throws java.io.IOException {
    List<String> out = new ArrayList<>();
    for (Path d : List.of(io.github.multiprocessing4j.internal.runtime.RuntimeDir.get(),
        io.github.multiprocessing4j.internal.runtime.RuntimeDir.shm())) {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(d)) {
        files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("pipe-")).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void workersThatExitLeaveNoPipeFilesBehind() throws Exception {
    List<String> before = pipeFiles();
    try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(1).build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(pool.apply(() -> 1)).isEqualTo(1);
      }
    }
    try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
      assertThat(ex.submit(() -> 2).get(Waits.JOIN)).isEqualTo(2);
    }
    List<String> after = pipeFiles();
    after.removeAll(before);
    assertThat(after).as("the files of the workers' pipes").isEmpty();
  }

  @Test
  void terminatedWorkersLeaveNoPipeFilesBehind() throws Exception {
    List<String> before = pipeFiles();
    Pool pool = new Pool(2);
    assertThat(pool.apply(() -> 1)).isEqualTo(1);
    pool.terminate();
    assertThat(pool.join(Waits.JOIN)).isTrue();
    List<String> after = pipeFiles();
    after.removeAll(before);
    assertThat(after).as("the files of the workers' pipes").isEmpty();
  }

  static int touch(String dir, String name) throws java.io.IOException {
    java.nio.file.Files.writeString(java.nio.file.Paths.get(dir, name), "ran");
    return 1;
  }

  @Test
  void aSubmissionThatThrowsDoesNotRunItsTaskLater() throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
    try {
      // No worker yet: this submission starts one, which fails from an interrupted thread.
      Thread.currentThread().interrupt();
      Throwable refused;
      try {
        refused = org.assertj.core.api.Assertions.catchThrowable(() -> ex.submit(() -> touch(d, "first")));
      } finally {
        Thread.interrupted();
      }
      AsyncResult<Integer> second = ex.submit(() -> 2);
      assertThat(second.get(Waits.JOIN)).isEqualTo(2);

      // Either the first submission was accepted (and ran before the second, on the only worker),
      // or it threw and its task must never run.
      assertThat(java.nio.file.Files.exists(dir.resolve("first")))
          .as("the first task ran; its submission threw " + refused).isEqualTo(refused == null);
    } finally {
      ex.shutdownNow();
    }
  }

  /**
   * Waits until the executor's dispatcher thread has either ended or gone back to waiting, after
   * {@code shutdown()} woke it.
   */
  private static void awaitDispatcherSettled(ProcessPoolExecutor ex) throws Exception {
    Object engine = field(ex, "pool");
    Thread dispatcher = ((List<?>) field(engine, "threads")).stream().map(Thread.class::cast)
        .filter(t -> t.getName().endsWith("dispatcher")).findFirst().orElseThrow();
    ReentrantLock lock = (ReentrantLock) field(engine, "lock");
    Condition changed = (Condition) field(engine, "changed");
    Waits.until(() -> {
      if (!dispatcher.isAlive()) {
        return true;
      }
      lock.lock();
      try {
        return lock.hasWaiters(changed);
      } finally {
        lock.unlock();
      }
    }, "the dispatcher ended or waits again");
  }

  @SuppressWarnings("unchecked")
  private static java.util.Set<Object> castSet(Object o) {
    return (java.util.Set<Object>) o;
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  private static Object staticField(Class<?> c, String name) throws ReflectiveOperationException {
    Field f = c.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(null);
  }
}
