package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.pool.ExecutorTasks.awaitStarted;
import static io.github.multiprocessing4j.pool.ExecutorTasks.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.pool.ExecutorTasks.CustomTaskException;
import io.github.multiprocessing4j.pool.ExecutorTasks.NotSerializableThing;
import io.github.multiprocessing4j.pool.ExecutorTasks.RefusedException;
import io.github.multiprocessing4j.pool.ExecutorTasks.Unsendable;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ObjectInputFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessPoolExecutor}: the {@link java.util.concurrent.ExecutorService} contract and
 * CPython's {@code concurrent.futures.ProcessPoolExecutor} behaviour (results, exceptions, map,
 * invokeAll/Any, cancellation, shutdown in its forms, on-demand and reused workers, worker
 * options). Worker death and a broken executor are in {@link ProcessPoolExecutorFailuresTest}.
 *
 * <p>Tests that leave the executor as they found it share one with two workers; the others build
 * their own. Tasks that must stay running until the test lets them go wait for a gate file (see
 * {@link ExecutorTasks}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessPoolExecutorTest {

  private static final long ME = Multiprocessing.getpid();

  private static ProcessPoolExecutor shared;

  @BeforeAll
  static void startShared() {
    shared = new ProcessPoolExecutor(2);
  }

  @AfterAll
  static void stopShared() throws InterruptedException {
    if (shared != null) {
      shared.shutdown(true, true);
      assertThat(shared.isTerminated()).isTrue();
      assertThat(shared.workerPids()).isEmpty();
    }
  }

  // ---- results and errors

  @Test
  void submitRunsTheTaskInAWorkerAndGivesItsResult() throws Exception {
    int base = 20;
    AsyncResult<Integer> sum = shared.submit(() -> base + 22);
    AsyncResult<Long> pid = shared.submit(ExecutorTasks::pid);

    assertThat(sum.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    assertThat(pid.get(Waits.JOIN)).isNotEqualTo(ME);
    assertThat(shared.workerPids()).contains(pid.get());
    assertThat(sum.isDone()).isTrue();
    assertThat(sum.ready()).isTrue();
    assertThat(sum.successful()).isTrue();
    assertThat(sum.isCancelled()).isFalse();
  }

  @Test
  void tasksFromManyThreadsAtOnceAllGetTheirOwnResult() throws Exception {
    int threads = 4;
    int perThread = 25;
    List<List<AsyncResult<Integer>>> results = new ArrayList<>();
    List<Thread> submitters = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      List<AsyncResult<Integer>> mine = java.util.Collections.synchronizedList(new ArrayList<>());
      results.add(mine);
      int base = t * 1000;
      Thread th = new Thread(() -> {
        try {
          for (int i = 0; i < perThread; i++) {
            int x = base + i;
            mine.add(shared.submit(() -> x * 2));
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "submitter-" + t);
      submitters.add(th);
      th.start();
    }
    for (Thread th : submitters) {
      th.join(Waits.JOIN.toMillis());
    }
    assertThat(failure.get()).isNull();
    for (int t = 0; t < threads; t++) {
      assertThat(results.get(t)).hasSize(perThread);
      for (int i = 0; i < perThread; i++) {
        assertThat(results.get(t).get(i).get(Waits.JOIN)).isEqualTo((t * 1000 + i) * 2);
      }
    }
  }

  /** A task held in a {@link Callable} variable: fine, since its class is serializable. */
  static final class NamedTask implements Callable<String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String greeting;

    NamedTask(String greeting) {
      this.greeting = greeting;
    }

    @Override
    public String call() {
      return greeting + " from " + Multiprocessing.getpid();
    }
  }

  @Test
  void aCallableOfASerializableClassAndANullResultWork() throws Exception {
    Callable<String> task = new NamedTask("hello");
    Future<String> f = shared.submit(task);
    assertThat(f.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).startsWith("hello from ").doesNotEndWith(" " + ME);
    assertThat(shared.submit(() -> (String) null).get(Waits.JOIN)).isNull();
  }

  @Test
  void getWithATimeoutOnARunningTaskThrowsTimeoutExceptionAndTheTaskGoesOn(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      AsyncResult<Integer> f = shared.submit(() -> ExecutorTasks.gated(d, "slow", 9));
      awaitStarted(dir, "slow");
      assertThatThrownBy(() -> f.get(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
      assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      assertThat(f.await(Duration.ZERO)).isFalse();
      assertThatThrownBy(f::successful).isInstanceOf(IllegalStateException.class).hasMessageEndingWith("not ready");
      open(dir);
      assertThat(f.get(Waits.JOIN)).isEqualTo(9);
    } finally {
      ExecutorTasks.release(dir, "slow");
    }
  }

  @Test
  void workersAreReusedAcrossTasks() throws Exception {
    Set<Long> pids = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      pids.add(shared.submit(ExecutorTasks::pid).get(Waits.JOIN));
    }
    List<Long> futures = new ArrayList<>();
    List<AsyncResult<Long>> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batch.add(shared.submit(ExecutorTasks::pid));
    }
    for (AsyncResult<Long> f : batch) {
      futures.add(f.get(Waits.JOIN));
    }
    pids.addAll(futures);

    assertThat(pids).hasSizeBetween(1, 2).doesNotContain(ME);
    assertThat(shared.workerPids()).containsAll(pids);
  }

  @Test
  void runnableSubmissionsGiveNullOrTheGivenResult(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    AsyncResult<?> plain = shared.submit(() -> ExecutorTasks.mark(d, "plain"));
    AsyncResult<String> withResult = shared.submit(() -> ExecutorTasks.mark(d, "with-result"), "done");

    assertThat(plain.get(Waits.JOIN)).isNull();
    assertThat(withResult.get(Waits.JOIN)).isEqualTo("done");
    assertThat(ExecutorTasks.ran(d, "plain")).exists();
    assertThat(ExecutorTasks.ran(d, "with-result")).exists();
  }

  @Test
  void executeRunsTheRunnableInAWorker(@TempDir Path dir) {
    String d = dir.toString();
    shared.execute(() -> ExecutorTasks.mark(d, "executed"));

    Path ran = ExecutorTasks.ran(d, "executed");
    Waits.until(() -> Files.exists(ran), "the executed task ran");
  }

  @Test
  void aTaskExceptionKeepsItsTypeAndTheWorkersStackTrace() throws Exception {
    AsyncResult<Integer> f = shared.submit(() -> ExecutorTasks.failWithIllegalState("boom"));

    assertThatThrownBy(() -> f.get(Waits.JOIN)).isInstanceOf(ExecutionException.class)
        .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom");
    Throwable cause = causeOf(f);
    assertThat(Arrays.stream(cause.getStackTrace()).map(StackTraceElement::getClassName))
        .as("the worker's frames").contains(ExecutorTasks.class.getName(),
            "io.github.multiprocessing4j.pool.PoolWorker");
    assertThat(f.successful()).isFalse();

    AsyncResult<Integer> error = shared.submit(() -> {
      throw new AssertionError("an Error in a task");
    });
    assertThat(causeOf(error)).isExactlyInstanceOf(AssertionError.class).hasMessage("an Error in a task");

    AsyncResult<Integer> custom = shared.submit(() -> ExecutorTasks.failWithCustom(7));
    Throwable c = causeOf(custom);
    assertThat(c).isExactlyInstanceOf(CustomTaskException.class).hasMessage("custom failure 7");
    assertThat(((CustomTaskException) c).code).isEqualTo(7);
  }

  @Test
  void anExceptionTheParentRefusesArrivesAsARemoteException() throws Exception {
    Multiprocessing.setSerialFilter(info -> info.serialClass() == RefusedException.class
        ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
    Throwable cause;
    try {
      cause = causeOf(shared.submit(ExecutorTasks::failWithRefused));
    } finally {
      Multiprocessing.setSerialFilter(null);
    }

    assertThat(cause).isExactlyInstanceOf(RemoteException.class);
    RemoteException remote = (RemoteException) cause;
    assertThat(remote.remoteClassName()).isEqualTo(RefusedException.class.getName());
    assertThat(remote.remoteMessage()).isEqualTo("refused by the parent's filter");
    assertThat(remote.remoteStackTrace()).contains("failWithRefused");
    assertThat(shared.submit(() -> 5).get(Waits.JOIN)).as("the executor goes on").isEqualTo(5);
  }

  @Test
  void aResultThatCannotBeSerializedFailsThatTaskOnly() throws Exception {
    AsyncResult<Long> before = shared.submit(ExecutorTasks::pid);
    long pidBefore = before.get(Waits.JOIN);
    AsyncResult<Unsendable> bad = shared.submit(Unsendable::new);

    Throwable cause = causeOf(bad);
    assertThat(cause).isExactlyInstanceOf(MaybeEncodingException.class)
        .hasMessageStartingWith("Error sending result: 'Unsendable!'. Reason: '")
        .hasMessageContaining(NotSerializableThing.class.getName());
    assertThat(shared.submit(() -> 6).get(Waits.JOIN)).isEqualTo(6);
    assertThat(shared.workerPids()).as("no worker died").contains(pidBefore);
    assertThat(shared.toString()).contains("state=RUN");
  }

  @Test
  void toCompletableFutureCompletesWithTheValueOrTheException() throws Exception {
    CompletableFuture<Integer> ok = shared.submit(() -> 21).toCompletableFuture().thenApply(x -> x * 2);
    CompletableFuture<Integer> failed = shared.submit(() -> ExecutorTasks.failWithIllegalState("cf")).toCompletableFuture();

    assertThat(ok.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    assertThatThrownBy(() -> failed.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessage("cf");
    assertThat(failed.isCompletedExceptionally()).isTrue();
  }

  @Test
  void cancellingTheCompletableFutureViewDoesNotAffectTheTask(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      AsyncResult<Integer> f = shared.submit(() -> ExecutorTasks.gated(d, "viewed", 8));
      CompletableFuture<Integer> view = f.toCompletableFuture();
      assertThat(view.cancel(true)).isTrue();
      assertThat(f.isCancelled()).isFalse();
      open(dir);
      assertThat(f.get(Waits.JOIN)).isEqualTo(8);
      assertThat(f.toCompletableFuture().get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(8);
    } finally {
      ExecutorTasks.release(dir, "viewed");
    }
  }

  // ---- bad input

  @Test
  void aNonSerializableTaskFailsSubmitInTheCallersThread() {
    Callable<Integer> callable = () -> 1;
    Runnable runnable = () -> { };
    NotSerializableThing thing = new NotSerializableThing();

    assertThatThrownBy(() -> shared.submit(callable)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(callable.getClass().getName()).hasMessageContaining("not serializable");
    assertThatThrownBy(() -> shared.submit(runnable)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(runnable.getClass().getName());
    assertThatThrownBy(() -> shared.execute(runnable)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> shared.submit(() -> thing.toString().length()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSerializableThing.class.getName());
    assertThatThrownBy(() -> shared.map(x -> thing.toString() + x, List.of(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSerializableThing.class.getName());
    assertThatThrownBy(() -> shared.invokeAll(List.of(callable))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(callable.getClass().getName());
  }

  @Test
  void aPlainCallableOrRunnableLambdaIsNamedAsSuchWithWhatToUseInstead() {
    // Before: "the task (a ProcessPoolExecutorTest$$Lambda/0x...) cannot be sent".
    Callable<Integer> callable = () -> 1;
    Runnable runnable = () -> { };
    assertThatThrownBy(() -> shared.submit(callable)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a plain java.util.concurrent.Callable lambda (" + callable.getClass().getName())
        .hasMessageContaining("io.github.multiprocessing4j.pool.SerializableCallable")
        .hasMessageContaining("method reference to a static method")
        .hasMessageContaining("named class that implements java.io.Serializable");
    assertThatThrownBy(() -> shared.execute(runnable)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a plain java.lang.Runnable lambda")
        .hasMessageContaining("io.github.multiprocessing4j.pool.SerializableRunnable");
    assertThatThrownBy(() -> shared.invokeAll(List.of(callable))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a plain java.util.concurrent.Callable lambda");
    java.util.function.Function<Integer, Integer> plain = x -> x;
    assertThatThrownBy(() -> shared.map(plain::apply, List.of(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("captures a plain java.util.function.Function lambda")
        .hasMessageContaining("SerializableFunction");
    assertThatThrownBy(() -> shared.submit(() -> callable.call())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("captures a plain java.util.concurrent.Callable lambda");
  }

  @Test
  void maxWorkersMustBePositive() {
    assertThatThrownBy(() -> new ProcessPoolExecutor(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max_workers must be greater than 0");
    assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxWorkers(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max_workers must be greater than 0");
  }

  @Test
  void maxTasksPerChildMustBePositiveWithCPythonsExecutorText() {
    // Before: the Pool's text, "maxtasksperchild must be a positive int or None, not 0".
    assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxTasksPerChild(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("max_tasks_per_child must be >= 1");
    assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxTasksPerChild(-3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("max_tasks_per_child must be >= 1");
    assertThatThrownBy(() -> Pool.builder().maxTasksPerChild(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxtasksperchild must be a positive int or None, not 0");
  }

  @Test
  void mapChunksizeMustBeAtLeastOne() {
    assertThatThrownBy(() -> shared.map(x -> x, List.of(1), null, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chunksize must be >= 1.");
  }

  @Test
  void nothingIsAcceptedAfterShutdown() throws Exception {
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    executor.shutdown();

    String message = "cannot schedule new futures after shutdown";
    assertThatThrownBy(() -> executor.submit(() -> 1)).isExactlyInstanceOf(RejectedExecutionException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> executor.execute(() -> { })).isExactlyInstanceOf(RejectedExecutionException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> executor.map(x -> x, List.of(1))).isExactlyInstanceOf(RejectedExecutionException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> executor.invokeAll(List.<Callable<Integer>>of(() -> 1)))
        .isExactlyInstanceOf(RejectedExecutionException.class).hasMessage(message);
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.isShutdown()).isTrue();
    assertThat(executor.isTerminated()).isTrue();
  }

  // ---- map

  @Test
  void mapGivesResultsInInputOrder() {
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      items.add(i);
    }
    List<Integer> byOne = collect(shared.map(x -> x * x, items));
    List<Integer> byChunks = collect(shared.map(x -> x * x, items, null, 7));

    List<Integer> expected = new ArrayList<>();
    for (int i : items) {
      expected.add(i * i);
    }
    assertThat(byOne).isEqualTo(expected);
    assertThat(byChunks).isEqualTo(expected);
    assertThat(collect(shared.map(x -> x, List.of()))).isEmpty();
  }

  @Test
  void mapRaisesTheFirstExceptionWhenReached() throws Exception {
    ResultIterator<Integer> it = shared.map(
        x -> x == 3 ? ExecutorTasks.failWithIllegalState("item " + x) : x * 10, List.of(1, 2, 3, 4));

    assertThat(it.next()).isEqualTo(10);
    assertThat(it.next(Waits.JOIN)).isEqualTo(20);
    assertThatThrownBy(it::next).isExactlyInstanceOf(CompletionException.class)
        .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessage("item 3");
    // ResultIterator: iteration may go on after a failed item.
    assertThat(it.next(Waits.JOIN)).isEqualTo(40);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void mapTimeoutRaisesTimeoutError(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      ResultIterator<Integer> it = shared.map(x -> ExecutorTasks.gatedSquare(d, x), List.of(1, 2), Duration.ofMillis(300), 1);

      long t0 = System.nanoTime();
      assertThatThrownBy(() -> it.next(Duration.ofSeconds(20))).as("the map's own timeout, not next's, applies")
          .isExactlyInstanceOf(TimeoutException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
      assertThatThrownBy(it::next).isExactlyInstanceOf(CompletionException.class)
          .cause().isExactlyInstanceOf(TimeoutException.class);
    } finally {
      ExecutorTasks.release(dir, "square-1", "square-2");
    }
    // The tasks themselves went on and ended: the shared executor is usable again.
    assertThat(shared.submit(() -> 3).get(Waits.JOIN)).isEqualTo(3);
  }

  @Test
  void mapTimeoutAlsoBoundsHasNext(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      ResultIterator<Integer> it = shared.map(x -> ExecutorTasks.gatedSquare(d, x), List.of(1), Duration.ofMillis(300), 1);
      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread consumer = new Thread(() -> {
        try {
          outcome.set(it.hasNext());
          outcome.set(it.next());
        } catch (Throwable e) {
          outcome.set(e);
        }
      }, "map consumer");
      consumer.start();
      consumer.join(10_000);
      assertThat(consumer.isAlive()).as("hasNext()/next() past the map's timeout: a for-each loop must not hang")
          .isFalse();
      assertThat(outcome.get()).isInstanceOf(CompletionException.class);
      assertThat(((Throwable) outcome.get()).getCause()).isInstanceOf(TimeoutException.class);
    } finally {
      ExecutorTasks.release(dir, "square-1");
    }
  }

  @Test
  void mapOverAnIterableThatThrowsReportsItsExceptionAtItsPosition() {
    Iterable<Integer> input = () -> new Iterator<>() {
      int next = 1;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (next > 3) {
          throw new IllegalArgumentException("input broke after 3");
        }
        return next++;
      }
    };

    ResultIterator<Integer> it = shared.map(x -> x + 100, input);
    assertThat(it.next()).isEqualTo(101);
    assertThat(it.next()).isEqualTo(102);
    assertThat(it.next()).isEqualTo(103);
    assertThatThrownBy(it::next).isExactlyInstanceOf(CompletionException.class)
        .cause().isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("input broke after 3");
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  // ---- invokeAll / invokeAny

  @Test
  void invokeAllWaitsForEveryTask() throws Exception {
    List<Callable<Integer>> tasks = List.of(
        (SerializableCallable<Integer>) () -> 1,
        (SerializableCallable<Integer>) () -> ExecutorTasks.failWithIllegalState("second"),
        (SerializableCallable<Integer>) () -> 3);

    List<Future<Integer>> futures = shared.invokeAll(tasks);

    assertThat(futures).hasSize(3).allMatch(Future::isDone);
    assertThat(futures.get(0).get()).isEqualTo(1);
    assertThatThrownBy(() -> futures.get(1).get()).cause().hasMessage("second");
    assertThat(futures.get(2).get()).isEqualTo(3);
  }

  @Test
  void invokeAllWithTimeoutCancelsWhatIsNotDoneAtTheDeadline(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      List<Callable<Integer>> tasks = List.of(
          (SerializableCallable<Integer>) () -> 1,
          (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "slow", 2));

      shared.submit(ExecutorTasks::pid).get(Waits.JOIN); // a worker is up: the quick task is done well before the deadline
      long t0 = System.nanoTime();
      // The slow task waits for its gate, so the deadline can be long: the quick one must be done
      // by then even on a busy machine (2 s was within reach of one at a load of 20).
      List<Future<Integer>> futures = shared.invokeAll(tasks, 10, TimeUnit.SECONDS);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      assertThat(millis).isLessThan(60_000);
      assertThat(futures.get(0).isCancelled()).isFalse();
      assertThat(futures.get(0).get()).isEqualTo(1);
      assertThat(futures.get(1).isCancelled()).isTrue();
      assertThat(futures.get(1).isDone()).isTrue();
      assertThatThrownBy(() -> futures.get(1).get()).isInstanceOf(CancellationException.class);
    } finally {
      ExecutorTasks.release(dir, "slow");
    }
    assertThat(shared.submit(() -> 4).get(Waits.JOIN)).isEqualTo(4);
  }

  @Test
  void invokeAnyGivesTheFirstSuccess() throws Exception {
    List<Callable<Integer>> tasks = List.of(
        (SerializableCallable<Integer>) () -> ExecutorTasks.failWithIllegalState("first fails"),
        (SerializableCallable<Integer>) () -> 42);

    assertThat(shared.invokeAny(tasks)).isEqualTo(42);
    assertThat(shared.invokeAny(tasks, 30, TimeUnit.SECONDS)).isEqualTo(42);
  }

  @Test
  void invokeAnyWithTimeoutThrowsTimeoutExceptionWhenNoTaskFinishesInTime(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    try {
      List<Callable<Integer>> tasks = List.of(
          (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "x", 1),
          (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "y", 2));

      assertThatThrownBy(() -> shared.invokeAny(tasks, 300, TimeUnit.MILLISECONDS))
          .isExactlyInstanceOf(TimeoutException.class);
    } finally {
      ExecutorTasks.release(dir, "x", "y");
    }
  }

  @Test
  void invokeAllInterruptedCancelsTheUnfinishedTasks(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        executor.invokeAll(List.of(
            (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "a", 1),
            (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "b", 2),
            (SerializableCallable<Integer>) () -> ExecutorTasks.gated(d, "c", 3)));
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "invokeAll");
    try {
      caller.start();
      awaitStarted(dir, "a");
      caller.interrupt();
      caller.join(Waits.JOIN.toMillis());
      assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
      open(dir);
    } finally {
      open(dir);
      executor.close();
      caller.join(Waits.JOIN.toMillis());
    }
    // ExecutorService.invokeAll: "if interrupted while waiting, unfinished tasks are cancelled";
    // the one no worker had yet must not run.
    assertThat(ExecutorTasks.started(d, "c")).as("the pending task was cancelled").doesNotExist();
  }

  @Test
  void invokeAnyWhenAllFailThrowsExecutionException() {
    List<Callable<Integer>> tasks = List.of(
        (SerializableCallable<Integer>) () -> ExecutorTasks.failWithIllegalState("a"),
        (SerializableCallable<Integer>) () -> ExecutorTasks.failWithIllegalState("b"));

    assertThatThrownBy(() -> shared.invokeAny(tasks)).isExactlyInstanceOf(ExecutionException.class)
        .cause().isExactlyInstanceOf(IllegalStateException.class).hasMessageMatching("[ab]");
    assertThatThrownBy(() -> shared.invokeAny(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- cancellation and shutdown (own executors)

  @Test
  void cancelSucceedsForAPendingTaskOnlyNotARunningOne(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    try {
      AsyncResult<Integer> running = executor.submit(() -> ExecutorTasks.gated(d, "a", 1));
      awaitStarted(dir, "a");
      AsyncResult<Integer> queuedInWorker = executor.submit(() -> ExecutorTasks.gated(d, "b", 2));
      AsyncResult<Integer> pending = executor.submit(() -> ExecutorTasks.gated(d, "c", 3));

      assertThat(running.cancel(true)).as("cancel() of a running task").isFalse();
      assertThat(running.isCancelled()).isFalse();
      assertThat(pending.cancel(false)).as("cancel() of a task no worker has").isTrue();
      assertThat(pending.isCancelled()).isTrue();
      assertThat(pending.isDone()).isTrue();
      assertThat(pending.cancel(false)).as("cancel() again").isTrue();
      assertThatThrownBy(pending::get).isInstanceOf(CancellationException.class);

      open(dir);
      assertThat(running.get(Waits.JOIN)).isEqualTo(1);
      assertThat(queuedInWorker.get(Waits.JOIN)).isEqualTo(2);
      assertThat(running.cancel(false)).as("cancel() of a finished task").isFalse();
    } finally {
      open(dir);
      executor.close();
    }
    assertThat(ExecutorTasks.started(d, "c")).as("the cancelled task never ran").doesNotExist();
  }

  @Test
  void shutdownWithCancelFuturesCancelsWhatNoWorkerHasAndWaitsForTheRest(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    List<AsyncResult<Integer>> futures = new ArrayList<>();
    Thread shutdown = null;
    long workerPid;
    try {
      for (int i = 0; i < 5; i++) {
        int n = i;
        futures.add(executor.submit(() -> ExecutorTasks.gated(d, "t" + n, n)));
      }
      workerPid = awaitStarted(dir, "t0");
      AtomicReference<Throwable> failure = new AtomicReference<>();
      shutdown = new Thread(() -> {
        try {
          executor.shutdown(true, true);
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "shutdown(wait, cancelFutures)");
      shutdown.start();

      Waits.until(() -> futures.get(4).isCancelled(), "pending futures cancelled");
      assertThat(executor.isShutdown()).isTrue();
      assertThat(futures.get(0).isDone()).isFalse();
      assertThat(shutdown.isAlive()).as("shutdown(wait=true) waits for the running tasks").isTrue();
      open(dir);
      shutdown.join(Waits.JOIN.toMillis());
      assertThat(shutdown.isAlive()).isFalse();
      assertThat(failure.get()).isNull();
    } finally {
      open(dir);
      executor.shutdownNow();
      if (shutdown != null) {
        shutdown.join(Waits.JOIN.toMillis());
      }
    }
    // CPython: 1 worker, 5 tasks -> done, done, cancelled x3 (our worker holds two at a time).
    assertThat(futures.get(0).get()).isEqualTo(0);
    assertThat(futures.get(1).get()).isEqualTo(1);
    for (AsyncResult<Integer> f : futures.subList(2, 5)) {
      assertThat(f.isCancelled()).isTrue();
      assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    }
    assertThat(executor.isTerminated()).isTrue();
    assertThat(Pids.alive(workerPid)).as("worker %s exited", workerPid).isFalse();
    assertThat(ExecutorTasks.started(d, "t2")).doesNotExist();
  }

  @Test
  void shutdownWithCancelFuturesAlsoCancelsWhatARunningMapHasNotReadYet(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    try {
      ResultIterator<Integer> it = executor.map((Integer x) -> ExecutorTasks.gated(d, "m" + x, x),
          java.util.stream.IntStream.range(0, 1000).boxed().collect(java.util.stream.Collectors.toList()));
      awaitStarted(dir, "m0");
      executor.shutdown(false, true);
      open(dir);
      int done = 0;
      int cancelled = 0;
      while (it.hasNext()) {
        try {
          assertThat(it.next(Waits.JOIN)).isEqualTo(done);
          done++;
        } catch (CancellationException e) {
          cancelled++;
        }
      }
      // CPython has every item queued at once and cancels all but the ones a worker holds.
      assertThat(done).as("the items a worker held").isBetween(1, 2);
      assertThat(cancelled).as("the items queued in the window").isPositive();
      assertThat(done + cancelled).as("the rest of the input is not read").isLessThan(100);
      assertThat(executor.awaitTermination(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } finally {
      open(dir);
      executor.shutdownNow();
    }
  }

  @Test
  void shutdownNowReturnsTheUnstartedTasksAndCancelsEverything(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    try {
      SerializableRunnable a = () -> ExecutorTasks.gated(d, "a", 0);
      SerializableRunnable b = () -> ExecutorTasks.gated(d, "b", 0);
      SerializableRunnable c = () -> ExecutorTasks.gated(d, "c", 0);
      SerializableRunnable e = () -> ExecutorTasks.gated(d, "e", 0);
      AsyncResult<?> fa = executor.submit(a);
      long workerPid = awaitStarted(dir, "a");
      AsyncResult<?> fb = executor.submit(b);
      AsyncResult<?> fc = executor.submit(c);
      AsyncResult<?> fe = executor.submit(e);

      List<Runnable> notStarted = executor.shutdownNow();

      assertThat(notStarted).as("tasks no worker started").contains(c, e).doesNotContain(a);
      for (AsyncResult<?> f : List.of(fa, fb, fc, fe)) {
        assertThat(f.isCancelled()).isTrue();
        assertThatThrownBy(() -> f.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
      }
      assertThat(executor.isShutdown()).isTrue();
      assertThat(executor.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(executor.isTerminated()).isTrue();
      assertThat(executor.workerPids()).isEmpty();
      assertThat(Pids.awaitGone(workerPid, Waits.JOIN)).as("worker %s killed", workerPid).isTrue();
      assertThat(ExecutorTasks.ran(d, "a")).as("the running task was stopped").doesNotExist();
      assertThatThrownBy(() -> executor.submit(() -> 1)).isExactlyInstanceOf(RejectedExecutionException.class)
          .hasMessage("cannot schedule new futures after shutdown");
    } finally {
      open(dir);
      executor.shutdownNow();
    }
  }

  @Test
  void shutdownLetsSubmittedWorkFinishAndAwaitTerminationWaitsForIt(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    try {
      AsyncResult<Integer> a = executor.submit(() -> ExecutorTasks.gated(d, "a", 1));
      AsyncResult<Integer> b = executor.submit(() -> ExecutorTasks.gated(d, "b", 2));
      AsyncResult<Integer> c = executor.submit(() -> ExecutorTasks.gated(d, "c", 3));
      long workerPid = awaitStarted(dir, "a");
      assertThat(executor.isShutdown()).isFalse();

      executor.shutdown();

      assertThat(executor.isShutdown()).isTrue();
      assertThat(executor.isTerminated()).isFalse();
      assertThat(executor.awaitTermination(200, TimeUnit.MILLISECONDS)).isFalse();
      open(dir);
      assertThat(executor.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(executor.isTerminated()).isTrue();
      assertThat(List.of(a.get(), b.get(), c.get())).containsExactly(1, 2, 3);
      assertThat(Pids.awaitGone(workerPid, Waits.JOIN)).as("worker %s exited", workerPid).isTrue();
    } finally {
      open(dir);
      executor.shutdownNow();
    }
  }

  @Test
  void closeWaitsForSubmittedWork(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(2);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread closer = new Thread(() -> {
      try {
        executor.close();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "close");
    try {
      AsyncResult<Integer> a = executor.submit(() -> ExecutorTasks.gated(d, "a", 1));
      long workerPid = awaitStarted(dir, "a");
      closer.start();
      closer.join(300);
      assertThat(closer.isAlive()).as("close() waits for the running task").isTrue();
      assertThat(a.isDone()).isFalse();

      open(dir);
      closer.join(Waits.JOIN.toMillis());
      assertThat(closer.isAlive()).isFalse();
      assertThat(failure.get()).isNull();
      assertThat(a.isDone()).isTrue();
      assertThat(a.get()).isEqualTo(1);
      assertThat(executor.isTerminated()).isTrue();
      assertThat(Pids.alive(workerPid)).isFalse();
      executor.close(); // idempotent
    } finally {
      open(dir);
      executor.shutdownNow();
      closer.join(Waits.JOIN.toMillis());
    }
  }

  @Test
  void closeInterruptedWhileWaitingStopsEverythingAndKeepsTheInterrupt(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(1);
    AtomicReference<Boolean> interruptKept = new AtomicReference<>();
    Thread closer = new Thread(() -> {
      executor.close();
      interruptKept.set(Thread.currentThread().isInterrupted());
    }, "close");
    try {
      AsyncResult<Integer> a = executor.submit(() -> ExecutorTasks.gated(d, "a", 1));
      long workerPid = awaitStarted(dir, "a");
      closer.start();
      Waits.until(executor::isShutdown, "the executor is shut down");

      closer.interrupt();
      closer.join(Waits.JOIN.toMillis());

      assertThat(closer.isAlive()).isFalse();
      assertThat(interruptKept.get()).as("the interrupt status is kept").isTrue();
      assertThat(a.isCancelled()).as("shutdownNow() cancelled the running task").isTrue();
      assertThat(Pids.awaitGone(workerPid, Waits.JOIN)).isTrue();
      assertThat(executor.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } finally {
      open(dir);
      executor.shutdownNow();
      closer.join(Waits.JOIN.toMillis());
    }
  }

  // ---- workers

  @Test
  void workersStartOnDemand(@TempDir Path dir) throws Exception {
    String d = dir.toString();
    ProcessPoolExecutor executor = new ProcessPoolExecutor(3);
    try {
      assertThat(executor.workerPids()).as("no worker before the first task").isEmpty();
      long first = executor.submit(ExecutorTasks::pid).get(Waits.JOIN);
      assertThat(executor.workerPids()).containsExactly(first);
      assertThat(executor.submit(ExecutorTasks::pid).get(Waits.JOIN)).as("an idle worker is reused").isEqualTo(first);
      assertThat(executor.workerPids()).hasSize(1);

      AsyncResult<Long> a = executor.submit(() -> ExecutorTasks.gatedPid(d, "a"));
      AsyncResult<Long> b = executor.submit(() -> ExecutorTasks.gatedPid(d, "b"));
      long pa = awaitStarted(dir, "a");
      long pb = awaitStarted(dir, "b");

      assertThat(pa).isNotEqualTo(pb);
      assertThat(executor.workerPids()).as("two concurrent tasks, two workers").hasSize(2).contains(first, pa, pb);
      open(dir);
      assertThat(List.of(a.get(Waits.JOIN), b.get(Waits.JOIN))).containsExactly(pa, pb);
    } finally {
      open(dir);
      executor.close();
    }
    assertThat(executor.workerPids()).isEmpty();
  }

  @Test
  void maxTasksPerChildReplacesWorkers() throws Exception {
    ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(2).build();
    List<Long> pids = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        pids.add(executor.submit(ExecutorTasks::pid).get(Waits.JOIN));
      }
    } finally {
      executor.close();
    }
    assertThat(pids.get(0)).isEqualTo(pids.get(1));
    assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(0));
    assertThat(pids.get(4)).isNotEqualTo(pids.get(2)).isNotEqualTo(pids.get(0));
    for (long pid : pids) {
      assertThat(Pids.alive(pid)).as("worker %s gone", pid).isFalse();
    }
  }

  @Test
  void workerOptionsAndInitializerApplyToEveryWorker(@TempDir Path dir) throws Exception {
    String log = dir.resolve("init.log").toString();
    ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(2)
        .workerOptions(w -> w.jvmOptions("-Xmx96m").systemProperty("ppe.test.prop", "prop-ok")
            .environment("PPE_TEST_ENV", "env-ok"))
        .initializer(args -> ExecutorTasks.appendLine(args.getString(0), "init " + Multiprocessing.getpid()), log)
        .build();
    try {
      SerializableCallable<String> probe = () -> System.getProperty("ppe.test.prop") + " " + System.getenv("PPE_TEST_ENV")
          + " " + (Runtime.getRuntime().maxMemory() <= 96L * 1024 * 1024) + " " + Process.currentProcess().isDaemon()
          + " " + Multiprocessing.getpid();
      String first = executor.submit(probe).get(Waits.JOIN);
      assertThat(first).startsWith("prop-ok env-ok true true ");
      long pid = Long.parseLong(first.substring(first.lastIndexOf(' ') + 1));
      assertThat(Files.readAllLines(Path.of(log))).containsExactly("init " + pid);
    } finally {
      executor.close();
    }
  }

  private static <T> List<T> collect(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static Throwable causeOf(Future<?> f) throws InterruptedException, TimeoutException {
    try {
      f.get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the task succeeded");
  }
}
