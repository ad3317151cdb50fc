package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.testing.CapturedStderr;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API of {@link Pool} (semantics §B.7), in the spirit of CPython's {@code _TestPool}: one pool
 * of two workers is shared by every test here, so each test leaves it running and idle (gated
 * tasks are always released in {@code finally}). Tests that need a pool of their own, or shut it
 * down, are in {@link PoolLifecycleTest}; worker deaths are in {@link PoolFailuresTest}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class PoolTest {

  private static Pool pool;
  private static List<Long> initialPids;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPool() {
    pool = new Pool(2);
    initialPids = pool.workerPids();
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).as("workers exited after terminate").isTrue();
    }
  }

  // ---- task functions, run in the workers

  /** A task's own exception type, with state, to check it arrives as itself. */
  static final class TaskFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    TaskFailure(int code) {
      super("task failed with code " + code);
      this.code = code;
    }
  }

  /** An exception whose serialized form cannot be read back in the parent. */
  static final class UnreadableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableException(String message) {
      super(message);
    }

    private void readObject(ObjectInputStream in) throws IOException {
      throw new InvalidObjectException("never readable");
    }
  }

  /** The input iterable of CPython's tests that raises after a few items. */
  static final class SayWhenError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SayWhenError() {
      super("Somebody said when");
    }
  }

  static int square(int x) {
    return x * x;
  }

  static int failIfOdd(int x) {
    if (x % 2 == 1) {
      throw new TaskFailure(x);
    }
    return x;
  }

  static String throwUnreadable() {
    throw new UnreadableException("unreadable in the parent");
  }

  /** A value that cannot be serialized: a Thread. */
  static Object unserializableResult() {
    return new Thread("not-serializable");
  }

  static String startAProcess() {
    Process p = Process.builder().target((Args a) -> { }).build();
    p.start();
    return "started";
  }

  /** Item 0 waits on gate "slow"; the others are quick. */
  static int slowFirst(String dir, int x) throws IOException {
    if (x == 0) {
      Gates.pass(dir, "slow");
    }
    return x;
  }

  /** An iterable that yields 0..n-1 and then throws {@link SayWhenError}. */
  static Iterable<Integer> sayWhen(int n) {
    return () -> new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (i == n) {
          throw new SayWhenError();
        }
        return i++;
      }
    };
  }

  static <T> List<T> drain(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /**
   * The results up to the input's {@link SayWhenError}, which must come next, after which the
   * iteration must be over.
   */
  static List<Integer> drainUntilFailure(ResultIterator<Integer> it) throws Exception {
    List<Integer> out = new ArrayList<>();
    while (true) {
      try {
        out.add(it.next(Waits.JOIN));
      } catch (ExecutionException e) {
        assertThat(e).hasCauseInstanceOf(SayWhenError.class);
        assertThat(it.hasNext()).as("after the input's failure").isFalse();
        return out;
      }
    }
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  // ---- apply

  @Test
  void applyRunsTheTaskInAWorkerProcess() throws Exception {
    long pid = pool.apply(Multiprocessing::getpid);
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid()).isIn(pool.workerPids());
    assertThat(pool.apply(() -> square(7))).isEqualTo(49);
  }

  @Test
  void applyAsyncGivesTheResultAndIsReadyAndSuccessful() throws Exception {
    String s = "captured";
    AsyncResult<String> r = pool.applyAsync(() -> s + "!" + square(3));
    assertThat(r.get(Waits.JOIN)).isEqualTo("captured!9");
    assertThat(r.ready()).isTrue();
    assertThat(r.isDone()).isTrue();
    assertThat(r.successful()).isTrue();
    assertThat(r.isCancelled()).isFalse();
    assertThat(r.await(Duration.ZERO)).isTrue();
  }

  @Test
  void applyAsyncResultComposesAsACompletableFuture() throws Exception {
    assertThat(pool.applyAsync(() -> 20).toCompletableFuture().thenApply(x -> x + 1).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(21);
  }

  @Test
  void workerJvmsAreReusedAcrossTasks() throws Exception {
    assertThat(pool.workerPids()).hasSize(2).isEqualTo(initialPids);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(pool.apply(Multiprocessing::getpid));
    }
    seen.addAll(pool.map(x -> Multiprocessing.getpid(), range(40), 1));
    assertThat(initialPids).containsAll(seen);
    assertThat(pool.workerPids()).isEqualTo(initialPids);
  }

  @Test
  void workersAreDaemonicProcessesNamedSpawnPoolWorker() throws Exception {
    List<String> names = pool.map(x -> Multiprocessing.currentProcess().name() + " daemon="
        + Multiprocessing.currentProcess().isDaemon() + " parent=" + Multiprocessing.getppid(), range(8), 1);
    long me = ProcessHandle.current().pid();
    assertThat(names).allMatch(n -> n.matches("SpawnPoolWorker-\\d+ daemon=true parent=" + me), "a worker of this pool");
  }

  @Test
  void taskCannotStartAProcessInADaemonicWorker() {
    Throwable e = catchThrowable(() -> pool.apply(PoolTest::startAProcess));
    assertThat(e).isInstanceOf(ExecutionException.class);
    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class)
        .hasMessage("daemonic processes are not allowed to have children");
  }

  // ---- map and starmap

  @Test
  void mapReturnsTheResultsInInputOrder() throws Exception {
    List<Integer> expected = range(100).stream().map(PoolTest::square).collect(Collectors.toList());
    assertThat(pool.map(PoolTest::square, range(100))).isEqualTo(expected);
    // A non-collection iterable is read at once, in the caller's thread.
    Iterable<Integer> lazy = () -> range(100).iterator();
    assertThat(pool.<Integer, Integer>map(PoolTest::square, lazy)).isEqualTo(expected);
  }

  /** A function as a named class, with state of its own. */
  static final class Power implements SerializableFunction<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    private final int exponent;

    Power(int exponent) {
      this.exponent = exponent;
    }

    @Override
    public Integer apply(Integer x) {
      return (int) Math.pow(x, exponent);
    }
  }

  @Test
  void aFunctionMayBeAnInstanceOfANamedClassWithItsOwnState() throws Exception {
    assertThat(pool.map(new Power(3), List.of(1, 2, 3))).containsExactly(1, 8, 27);
    // Another instance of the same class with other state is sent anew, not taken from a cache.
    assertThat(pool.map(new Power(2), List.of(1, 2, 3))).containsExactly(1, 4, 9);
    assertThat(pool.apply(() -> new Power(4).apply(2))).isEqualTo(16);
  }

  @Test
  void mapGivesTheSameResultsWhateverTheChunksize() throws Exception {
    List<Integer> expected = range(50).stream().map(PoolTest::square).collect(Collectors.toList());
    for (int chunksize : new int[] {1, 7, 49, 50, 1000}) {
      assertThat(pool.map(PoolTest::square, range(50), chunksize)).as("chunksize %s", chunksize).isEqualTo(expected);
      assertThat(pool.<Integer, Integer>mapAsync(PoolTest::square, range(50), chunksize, null, null).get(Waits.JOIN))
          .as("mapAsync chunksize %s", chunksize).isEqualTo(expected);
    }
    assertThat(Pool.defaultChunksize(100, 4)).isEqualTo(7);
    assertThat(Pool.defaultChunksize(16, 4)).isEqualTo(1);
    assertThat(Pool.defaultChunksize(17, 4)).isEqualTo(2);
    assertThat(Pool.defaultChunksize(0, 4)).isEqualTo(1);
  }

  @Test
  void mapRefusesAChunksizeBelowOne() {
    assertThatThrownBy(() -> pool.map(PoolTest::square, range(3), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Chunksize must be 1+, not 0");
    assertThatThrownBy(() -> pool.mapAsync(PoolTest::square, range(3), -1, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Chunksize must be 1+, not -1");
  }

  @Test
  void mapAsyncRunsTheCallbackWithTheWholeListBeforeGetReturns() throws Exception {
    AtomicReference<List<Integer>> got = new AtomicReference<>();
    AtomicInteger errors = new AtomicInteger();
    AsyncResult<List<Integer>> r = pool.mapAsync(PoolTest::square, range(10), 3, got::set,
        e -> errors.incrementAndGet());
    List<Integer> value = r.get(Waits.JOIN);
    assertThat(value).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
    assertThat(got.get()).isEqualTo(value);
    assertThat(errors).hasValue(0);
  }

  @Test
  void mapFailsWithTheFirstFailureOnceEveryChunkHasFinishedAndCallsTheErrorCallbackOnce() throws Exception {
    String d = dir.toString();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicInteger callbacks = new AtomicInteger();
    // Item 0 is held at its gate while the odd items fail.
    AsyncResult<List<Integer>> r = pool.mapAsync(
        (Integer x) -> x == 0 ? slowFirst(d, x) : failIfOdd(x), range(8), 1,
        v -> callbacks.incrementAndGet(), errors::add);
    try {
      Gates.awaitRunning(dir, "slow");
      // As CPython's MapResult: no fail-fast, the map is not ready while a chunk still runs.
      assertThat(r.await(Duration.ofMillis(300))).isFalse();
      assertThat(r.ready()).isFalse();
    } finally {
      Gates.open(dir, "slow");
    }
    Throwable e = catchThrowable(() -> r.get(Waits.JOIN));
    assertThat(e).isInstanceOf(ExecutionException.class);
    assertThat(e.getCause()).isInstanceOf(TaskFailure.class);
    assertThat(((TaskFailure) e.getCause()).code).isIn(1, 3, 5, 7);
    assertThat(r.successful()).isFalse();
    assertThat(errors).as("error callback calls").containsExactly(e.getCause());
    assertThat(callbacks).hasValue(0);
  }

  @Test
  void mapWithAFailingInputIterableThrowsItsExceptionInTheCallersThread() {
    assertThatThrownBy(() -> pool.map(PoolTest::square, sayWhen(3))).isInstanceOf(SayWhenError.class);
  }

  @Test
  void starmapCallsTheFunctionWithEachArgumentList() throws Exception {
    List<List<?>> args = List.of(List.of(1, 2), List.of(3, 4), List.of(5, 6));
    assertThat(pool.starmap((Args a) -> a.getInt(0) * a.getInt(1), args)).containsExactly(2, 12, 30);
    List<List<?>> many = range(30).stream().map(i -> List.of(i, "x")).collect(Collectors.toList());
    List<String> expected = range(30).stream().map(i -> i + "x").collect(Collectors.toList());
    assertThat(pool.starmap((Args a) -> a.getInt(0) + a.getString(1), many)).isEqualTo(expected);
  }

  @Test
  void starmapAsyncRunsTheCallbackAndHonoursTheChunksize() throws Exception {
    List<List<?>> args = range(10).stream().map(i -> List.of(i, i)).collect(Collectors.toList());
    AtomicReference<List<Integer>> got = new AtomicReference<>();
    AsyncResult<List<Integer>> r = pool.starmapAsync((Args a) -> a.getInt(0) + a.getInt(1), args, 4, got::set, null);
    assertThat(r.get(Waits.JOIN)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
    assertThat(got.get()).isEqualTo(r.get());
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AsyncResult<List<Integer>> bad = pool.starmapAsync((Args a) -> failIfOdd(a.getInt(0)), args, 1, null, errors::add);
    Throwable e = catchThrowable(() -> bad.get(Waits.JOIN));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskFailure.class);
    assertThat(errors).containsExactly(e.getCause());
  }

  // ---- imap and imapUnordered

  @Test
  void imapYieldsTheResultsInInputOrder() {
    List<Integer> expected = range(40).stream().map(PoolTest::square).collect(Collectors.toList());
    assertThat(drain(pool.imap(PoolTest::square, range(40)))).isEqualTo(expected);
    assertThat(drain(pool.imap(PoolTest::square, range(40), 7))).isEqualTo(expected);
    ResultIterator<Integer> it = pool.imap(PoolTest::square, range(3));
    assertThat(drain(it)).containsExactly(0, 1, 4);
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void imapReadsAnEndlessInputAFewChunksAhead() {
    Iterable<Integer> naturals = () -> IntStream.iterate(0, i -> i + 1).iterator();
    ResultIterator<Integer> it = pool.imap(PoolTest::square, naturals, 2);
    List<Integer> first = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      first.add(it.next());
    }
    assertThat(first).isEqualTo(range(25).stream().map(PoolTest::square).collect(Collectors.toList()));
  }

  @Test
  void imapNextWithATimeoutThrowsTimeoutExceptionAndTheResultCanBeAskedForAgain() throws Exception {
    String d = dir.toString();
    ResultIterator<Integer> it = pool.imap((Integer x) -> slowFirst(d, x), range(6));
    try {
      Gates.awaitRunning(dir, "slow");
      assertThatThrownBy(() -> it.next(Duration.ofMillis(200))).isInstanceOf(TimeoutException.class);
    } finally {
      Gates.open(dir, "slow");
    }
    assertThat(it.next(Waits.JOIN)).isEqualTo(0);
    assertThat(drain(it)).containsExactly(1, 2, 3, 4, 5);
    assertThatThrownBy(() -> it.next(Duration.ofMillis(10))).isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void imapUnorderedYieldsTheResultsInCompletionOrder() throws Exception {
    String d = dir.toString();
    ResultIterator<Integer> it = pool.imapUnordered((Integer x) -> slowFirst(d, x), range(12));
    List<Integer> got = new ArrayList<>();
    try {
      Gates.awaitRunning(dir, "slow");
      // Item 0 is held (and the item queued behind it on the same worker): the other worker's
      // results come first.
      for (int i = 0; i < 3; i++) {
        got.add(it.next(Waits.JOIN));
      }
      assertThat(got).doesNotContain(0);
    } finally {
      Gates.open(dir, "slow");
    }
    got.addAll(drain(it));
    assertThat(got).containsExactlyInAnyOrderElementsOf(range(12));
    assertThat(drain(pool.imapUnordered(PoolTest::square, range(20), 3)))
        .containsExactlyInAnyOrderElementsOf(range(20).stream().map(PoolTest::square).collect(Collectors.toList()));
  }

  @Test
  void imapRefusesAChunksizeBelowOne() {
    assertThatThrownBy(() -> pool.imap(PoolTest::square, range(3), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Chunksize must be 1+, not 0");
    assertThatThrownBy(() -> pool.imapUnordered(PoolTest::square, range(3), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Chunksize must be 1+, not 0");
  }

  @Test
  void imapReportsAFailedItemAndGoesOn() throws Exception {
    ResultIterator<Integer> it = pool.imap(PoolTest::failIfOdd, range(4));
    assertThat(it.next()).isEqualTo(0);
    assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(TaskFailure.class);
    assertThat(it.next()).isEqualTo(2);
    Throwable e = catchThrowable(() -> it.next(Waits.JOIN));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskFailure.class);
    assertThat(((TaskFailure) e.getCause()).code).isEqualTo(3);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void imapWithAFailingInputIterableYieldsTheResultsBeforeItThenItsException() throws Exception {
    ResultIterator<Integer> it = pool.imap(PoolTest::square, sayWhen(5));
    for (int i = 0; i < 5; i++) {
      assertThat(it.next()).isEqualTo(i * i);
    }
    assertThatThrownBy(it::next).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SayWhenError.class);
    assertThat(it.hasNext()).isFalse();

    // Chunked: as CPython (a chunk is a tuple of islice()), the failure comes at the start of the
    // chunk it interrupted, whose items read before it are dropped: 4 (item 4, read before the
    // failure in chunk [4, fail]) gives no result. Before, 16 came first.
    ResultIterator<Integer> chunked = pool.imap(PoolTest::square, sayWhen(5), 2);
    assertThat(List.of(chunked.next(Waits.JOIN), chunked.next(Waits.JOIN), chunked.next(Waits.JOIN), chunked.next(Waits.JOIN)))
        .containsExactly(0, 1, 4, 9);
    Throwable e = catchThrowable(() -> chunked.next(Waits.JOIN));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SayWhenError.class);
    assertThat(chunked.hasNext()).isFalse();
    // A failure at a chunk's first item: nothing to drop.
    assertThat(drainUntilFailure(pool.imap(PoolTest::square, sayWhen(4), 2))).containsExactly(0, 1, 4, 9);
    assertThat(drainUntilFailure(pool.imap(PoolTest::square, sayWhen(5), 3))).containsExactly(0, 1, 4);
    assertThat(drainUntilFailure(pool.imapUnordered(PoolTest::square, sayWhen(5), 2)))
        .containsExactlyInAnyOrder(0, 1, 4, 9);
    assertThat(drainUntilFailure(pool.imapUnordered(PoolTest::square, sayWhen(2), 4))).isEmpty();

    ResultIterator<Integer> unordered = pool.imapUnordered(PoolTest::square, sayWhen(4));
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(unordered.next(Waits.JOIN));
    }
    assertThat(got).containsExactlyInAnyOrder(0, 1, 4, 9);
    assertThatThrownBy(() -> unordered.next(Waits.JOIN)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SayWhenError.class);
  }

  @Test
  void nullItemsAndNullResultsArePassedThrough() throws Exception {
    List<Integer> items = Arrays.asList(1, null, 3, null);
    SerializableFunction<Integer, Integer> id = x -> x;
    assertThat(pool.map(id, items, 1)).containsExactly(1, null, 3, null);
    assertThat(drain(pool.imap(id, items))).containsExactly(1, null, 3, null);
    assertThat(drain(pool.imapUnordered(id, items))).containsExactlyInAnyOrder(1, null, 3, null);
    assertThat(pool.apply(() -> (String) null)).isNull();
    AtomicReference<Object> got = new AtomicReference<>("unset");
    AsyncResult<String> r = pool.applyAsync(() -> null, got::set, null);
    assertThat(r.get(Waits.JOIN)).isNull();
    assertThat(r.successful()).isTrue();
    assertThat(got.get()).isNull();
  }

  // ---- empty input
  // ---- empty input

  @Test
  void emptyIterablesGiveEmptyResultsAtOnce() throws Exception {
    assertThat(pool.map(PoolTest::square, List.<Integer>of())).isEmpty();
    assertThat(pool.map(PoolTest::square, List.<Integer>of(), 5)).isEmpty();
    AtomicReference<List<Integer>> got = new AtomicReference<>();
    AsyncResult<List<Integer>> r = pool.mapAsync(PoolTest::square, List.<Integer>of(), 0, got::set, null);
    assertThat(r.ready()).isTrue();
    assertThat(r.successful()).isTrue();
    assertThat(r.get()).isEmpty();
    assertThat(got.get()).isEmpty();
    assertThat(pool.starmap((Args a) -> a.size(), List.<List<?>>of())).isEmpty();
    assertThat(pool.imap(PoolTest::square, List.<Integer>of()).hasNext()).isFalse();
    assertThat(pool.imapUnordered(PoolTest::square, List.<Integer>of()).hasNext()).isFalse();
  }

  // ---- AsyncResult while pending

  @Test
  void getWithATimeoutThrowsTimeoutExceptionAndSuccessfulIsNotReadyUntilDone() throws Exception {
    String d = dir.toString();
    AsyncResult<Long> r = pool.applyAsync(() -> Gates.pass(d, "slow"));
    long pid;
    try {
      pid = Gates.awaitRunning(dir, "slow");
      assertThatThrownBy(() -> r.get(Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);
      assertThatThrownBy(() -> r.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      assertThat(r.await(Duration.ofMillis(50))).isFalse();
      assertThat(r.ready()).isFalse();
      assertThatThrownBy(r::successful).isInstanceOf(IllegalStateException.class).hasMessageEndingWith(" not ready")
          .hasMessageStartingWith(r.toString());
    } finally {
      Gates.open(dir, "slow");
    }
    r.await();
    assertThat(r.ready()).isTrue();
    assertThat(r.successful()).isTrue();
    assertThat(r.get(Duration.ZERO)).isEqualTo(pid);
  }

  @Test
  void theCompletableFutureViewDoesNotAffectTheWork() throws Exception {
    String d = dir.toString();
    AsyncResult<Long> r = pool.applyAsync(() -> Gates.pass(d, "slow"));
    long pid;
    try {
      pid = Gates.awaitRunning(dir, "slow");
      java.util.concurrent.CompletableFuture<Long> view = r.toCompletableFuture();
      assertThat(view.complete(-1L)).isTrue();
      assertThat(view.cancel(true)).isFalse();
      assertThat(r.ready()).isFalse();
    } finally {
      Gates.open(dir, "slow");
    }
    assertThat(r.get(Waits.JOIN)).isEqualTo(pid);
  }

  @Test
  void anInterruptedWaitForAResultThrowsAndKeepsTheInterrupt() throws Exception {
    String d = dir.toString();
    AsyncResult<Long> r = pool.applyAsync(() -> Gates.pass(d, "held"));
    ResultIterator<Integer> it = pool.imap((Integer x) -> slowFirst(d, x), List.of(0));
    try {
      Gates.awaitRunning(dir, "held");
      Gates.awaitRunning(dir, "slow");
      Thread.currentThread().interrupt();
      assertThatThrownBy(r::get).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).as("interrupt status kept by next()").isTrue();
      // hasNext() too, so that a for-each loop over a stuck iterator can be interrupted.
      Thread.currentThread().interrupt();
      assertThat(it.hasNext()).as("true, for next() to report the interrupt").isTrue();
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept by hasNext()").isTrue();
      assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).isTrue();
    } finally {
      Thread.interrupted();
      Gates.open(dir, "held");
      Gates.open(dir, "slow");
    }
    // The work goes on: nothing was cancelled by the interrupts.
    assertThat(r.get(Waits.JOIN)).isPositive();
    assertThat(it.next(Waits.JOIN)).isEqualTo(0);
  }

  // ---- errors

  @Test
  void aTaskExceptionReachesTheCallerAsItselfWithTheWorkersStackTrace() throws Exception {
    Throwable e = catchThrowable(() -> pool.apply(() -> failIfOdd(5)));
    assertThat(e).isInstanceOf(ExecutionException.class);
    assertThat(e.getCause()).isExactlyInstanceOf(TaskFailure.class).hasMessage("task failed with code 5");
    assertThat(((TaskFailure) e.getCause()).code).isEqualTo(5);
    assertThat(e.getCause().getStackTrace()).as("the worker's stack trace")
        .anyMatch(f -> f.getMethodName().equals("failIfOdd") && f.getClassName().equals(PoolTest.class.getName()))
        .anyMatch(f -> f.getClassName().startsWith("io.github.multiprocessing4j.pool.PoolWorker"));

    Throwable m = catchThrowable(() -> pool.map(PoolTest::failIfOdd, List.of(2, 4, 9)));
    assertThat(m).isInstanceOf(ExecutionException.class).hasCauseExactlyInstanceOf(TaskFailure.class);
    assertThat(((TaskFailure) m.getCause()).code).isEqualTo(9);
  }

  @Test
  void anExceptionThatCannotBeDeserializedHereArrivesAsARemoteException() {
    Throwable e = catchThrowable(() -> pool.apply(PoolTest::throwUnreadable));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RemoteException.class);
    RemoteException remote = (RemoteException) e.getCause();
    assertThat(remote.remoteClassName()).isEqualTo(UnreadableException.class.getName());
    assertThat(remote.remoteMessage()).isEqualTo("unreadable in the parent");
    assertThat(remote.remoteStackTrace()).contains("throwUnreadable");
  }

  /** An exception that cannot be serialized in the worker: it holds a Thread. */
  static final class UnsendableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings("serial")
    final Object holder = new Thread("held");

    UnsendableException(String message) {
      super(message);
    }
  }

  static String throwUnsendable() {
    throw new UnsendableException("cannot be sent");
  }

  /** A result that the worker can serialize but the parent cannot read. */
  static final class UnreadableResult implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException {
      throw new InvalidObjectException("result never readable");
    }
  }

  @Test
  void anExceptionThatCannotBeSerializedArrivesAsARemoteException() {
    Throwable e = catchThrowable(() -> pool.apply(PoolTest::throwUnsendable));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RemoteException.class);
    RemoteException remote = (RemoteException) e.getCause();
    assertThat(remote.remoteClassName()).isEqualTo(UnsendableException.class.getName());
    assertThat(remote.remoteMessage()).isEqualTo("cannot be sent");
    assertThat(remote.remoteStackTrace()).contains("throwUnsendable");
  }

  @Test
  void aResultThatCannotBeDeserializedFailsThatTaskOnly() throws Exception {
    Throwable e = catchThrowable(() -> pool.apply(UnreadableResult::new));
    assertThat(e).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(io.github.multiprocessing4j.MultiprocessingException.class);
    assertThat(e.getCause()).hasMessageContaining("cannot be deserialized");
    assertThat(pool.apply(() -> 5)).isEqualTo(5);
    assertThat(pool.workerPids()).isEqualTo(initialPids);
  }

  @Test
  void anUnserializableResultFailsThatTaskOnlyAndTheWorkerSurvives() throws Exception {
    List<Long> before = pool.workerPids();
    Throwable e = catchThrowable(() -> pool.apply(PoolTest::unserializableResult));
    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MaybeEncodingException.class);
    assertThat(e.getCause().getMessage())
        .startsWith("Error sending result: 'Thread[") // "Thread[#25,not-serializable,..." on JDK 21+
        .contains("not-serializable")
        .contains("'. Reason: '")
        .contains("java.io.NotSerializableException: java.lang.Thread");
    // In a map the chunk fails; the other chunks and the workers are unharmed.
    Throwable m = catchThrowable(() -> pool.map((Integer x) -> x == 1 ? unserializableResult() : x, range(4), 1));
    assertThat(m).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MaybeEncodingException.class);
    assertThat(pool.map(PoolTest::square, range(4), 1)).containsExactly(0, 1, 4, 9);
    assertThat(pool.workerPids()).isEqualTo(before);
  }

  @Test
  void somethingThatCannotBeSerializedFailsTheCallInTheCallersThreadNamingIt() {
    Object notSerializable = new Object();
    assertThatThrownBy(() -> pool.applyAsync(() -> notSerializable.hashCode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the task given to applyAsync")
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> pool.map((Integer x) -> x + notSerializable.hashCode(), range(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the function given to map")
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> pool.imap((Integer x) -> x + notSerializable.hashCode(), range(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the function given to imap");
    List<Object> items = Arrays.asList(1, 2, new Object(), 4);
    assertThatThrownBy(() -> pool.map(Object::hashCode, items))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 2 given to map")
        .hasMessageContaining("java.lang.Object");
    List<List<?>> argLists = List.of(List.of(1), List.of(new Object()));
    assertThatThrownBy(() -> pool.starmap((Args a) -> a.size(), argLists))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starmap");
  }

  @Test
  void aCapturedPlainFunctionLambdaIsNamedAsSuchWithWhatToUseInstead() {
    // Before: only the synthetic classes, "PoolTest$$Lambda/0x... is not serializable".
    java.util.function.Function<Integer, Integer> plain = x -> x + 1;
    for (Throwable e : List.of(
        catchThrowable(() -> pool.map((Integer x) -> plain.apply(x), range(3))),
        catchThrowable(() -> pool.map(plain::apply, range(3))),
        catchThrowable(() -> pool.imap(plain::apply, range(3))))) {
      assertThat(e).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot be sent to a worker process")
          .hasMessageContaining("captures a plain java.util.function.Function lambda (" + plain.getClass().getName())
          .hasMessageContaining("io.github.multiprocessing4j.pool.SerializableFunction")
          .hasMessageContaining("method reference to a static method")
          .hasMessageContaining("named class that implements java.io.Serializable");
    }
    Runnable plainRunnable = () -> { };
    assertThatThrownBy(() -> pool.applyAsync(() -> {
      plainRunnable.run();
      return 1;
    })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the task given to applyAsync")
        .hasMessageContaining("captures a plain java.lang.Runnable lambda")
        .hasMessageContaining("SerializableRunnable");
    assertThatThrownBy(() -> Pool.builder().initializer(a -> plainRunnable.run()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the pool's initializer")
        .hasMessageContaining("captures a plain java.lang.Runnable lambda");
    java.util.function.IntUnaryOperator other = x -> x;
    assertThatThrownBy(() -> pool.map((Integer x) -> other.applyAsInt(x), range(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("captures a plain java.util.function.IntUnaryOperator lambda")
        .hasMessageContaining("(IntUnaryOperator & java.io.Serializable)");
  }

  // ---- callbacks

  @Test
  void applyAsyncRunsTheCallbackWithTheResultOrTheErrorCallbackWithTheFailure() throws Exception {
    AtomicReference<Object> value = new AtomicReference<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AsyncResult<Integer> ok = pool.applyAsync(() -> square(6), value::set, errors::add);
    assertThat(ok.get(Waits.JOIN)).isEqualTo(36);
    assertThat(value.get()).isEqualTo(36);
    assertThat(errors).isEmpty();

    AtomicReference<Object> value2 = new AtomicReference<>();
    AsyncResult<Integer> bad = pool.applyAsync(() -> failIfOdd(1), value2::set, errors::add);
    Throwable e = catchThrowable(() -> bad.get(Waits.JOIN));
    assertThat(e).isInstanceOf(ExecutionException.class);
    assertThat(errors).containsExactly(e.getCause());
    assertThat(value2.get()).isNull();
  }

  @Test
  void aCallbackThatThrowsDoesNotHarmThePool() throws Exception {
    try (CapturedStderr logged = CapturedStderr.start()) { // the ERRORs it makes: asserted, not printed
      AsyncResult<Integer> r = pool.applyAsync(() -> 1, v -> {
        throw new IllegalStateException("callback boom");
      }, null);
      assertThat(r.get(Waits.JOIN)).isEqualTo(1);
      AsyncResult<Integer> f = pool.applyAsync(() -> failIfOdd(3), null, err -> {
        throw new IllegalStateException("error callback boom");
      });
      assertThatThrownBy(() -> f.get(Waits.JOIN)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskFailure.class);
      AsyncResult<List<Integer>> m = pool.mapAsync(PoolTest::square, range(5), 1, v -> {
        throw new IllegalStateException("map callback boom");
      }, null);
      assertThat(m.get(Waits.JOIN)).containsExactly(0, 1, 4, 9, 16);
      // Logged before the result completes.
      assertThat(logged.text()).contains("a pool callback threw; the pool goes on", "IllegalStateException: callback boom",
          "a pool error callback threw; the pool goes on", "IllegalStateException: error callback boom",
          "IllegalStateException: map callback boom");
    }
    // Later results still arrive, from the same workers.
    assertThat(pool.map(PoolTest::square, range(10), 1)).hasSize(10);
    assertThat(pool.apply(() -> 2)).isEqualTo(2);
    assertThat(pool.workerPids()).isEqualTo(initialPids);
  }

  // ---- state

  @Test
  void joinBeforeShutdownIsRefused() {
    assertThatThrownBy(() -> pool.join()).isInstanceOf(IllegalStateException.class).hasMessage("Pool is still running");
    assertThatThrownBy(() -> pool.join(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Pool is still running");
  }

  @Test
  void describesItsStateAndSize() {
    assertThat(pool.processes()).isEqualTo(2);
    assertThat(pool).hasToString("Pool[state=RUN, pool_size=2]");
  }

  @Test
  void aPendingResultCannotBeCancelledOnceAWorkerHasIt() throws Exception {
    String d = dir.toString();
    AsyncResult<Long> r = pool.applyAsync(() -> Gates.pass(d, "slow"));
    try {
      Gates.awaitRunning(dir, "slow");
      assertThat(r.cancel(true)).isFalse();
      assertThat(r.isCancelled()).isFalse();
    } finally {
      Gates.open(dir, "slow");
    }
    assertThat(r.get(Waits.JOIN)).isIn(initialPids);
    assertThat(r.cancel(false)).isFalse();
  }

  static int throwCancellation() {
    throw new CancellationException("a task's own CancellationException");
  }

  @Test
  void aTaskThrowingCancellationExceptionFailsWithAnExecutionException() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AsyncResult<Integer> r = pool.applyAsync(PoolTest::throwCancellation, null, errors::add);
    assertThatThrownBy(() -> r.get(Waits.JOIN)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CancellationException.class);
    assertThat(r.isCancelled()).isFalse();
    assertThat(errors).hasSize(1);
    ResultIterator<Integer> it = pool.imap((Integer x) -> throwCancellation(), range(1));
    assertThatThrownBy(() -> it.next(Waits.JOIN)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  void theExecutorsMapPassesOnTheInputsOwnFailure() throws Exception {
    ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
    try {
      Iterable<Integer> items = () -> {
        throw new IllegalStateException("no input");
      };
      assertThatThrownBy(() -> ex.map((Integer x) -> x, items)).isInstanceOf(IllegalStateException.class)
          .hasMessage("no input");
    } finally {
      ex.shutdownNow();
    }
  }

  /** A result whose class cannot be initialized in the parent (its static initializer throws there). */
  static final class ParentHostile implements Serializable {
    private static final long serialVersionUID = 1L;
    static final boolean IN_WORKER = hostileToParent();

    private static boolean hostileToParent() {
      if (Multiprocessing.parentProcess().isEmpty()) {
        throw new IllegalStateException("not in a worker");
      }
      return true;
    }
  }

  /** A task's exception whose class cannot be initialized in the parent. */
  static final class ParentHostileException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final boolean IN_WORKER = ParentHostile.hostileToParent();
  }

  static Integer throwParentHostile() {
    throw new ParentHostileException();
  }

  @Test
  void aResultThatCannotBeLoadedHereFailsItsTaskAndThePoolGoesOn() throws Exception {
    Pool pool = new Pool(1);
    try {
      AsyncResult<ParentHostile> r = pool.applyAsync(ParentHostile::new);
      Throwable e = catchThrowable(() -> r.get(Waits.JOIN));
      assertThat(e).as("the task fails; it does not hang").isInstanceOf(ExecutionException.class);
      AsyncResult<Integer> thrown = pool.applyAsync(PoolTest::throwParentHostile);
      assertThat(catchThrowable(() -> thrown.get(Waits.JOIN)))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RemoteException.class);
      assertThat(pool.apply(() -> 7)).isEqualTo(7);
    } finally {
      pool.terminate();
    }
  }
}
