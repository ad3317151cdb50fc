package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.internal.access.RemoteWorkers;
import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.testing.Waits;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's slot for workers elsewhere ({@link RemoteChannel}), with no cluster: the remote
 * side is a stand-in that runs the messages on a local pool, as a cluster member does, or answers
 * as a test needs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class RemoteWorkersTest {

  private static final SharedSecrets.PoolAccess<Pool, ProcessPoolExecutor> SEAM =
      SharedSecrets.poolAccess(Pool.class, ProcessPoolExecutor.class);
  private static Pool member;

  @BeforeAll
  static void startMember() {
    member = new Pool(1);
  }

  @AfterAll
  static void stopMember() {
    member.terminate();
  }

  /** Remote workers whose runs a function decides; records them. */
  private static final class StandIn implements RemoteWorkers {
    volatile int capacity;
    volatile Runnable listener;
    final List<CompletableFuture<byte[]>> runs = new CopyOnWriteArrayList<>();
    private final BiFunction<byte[], byte[], CompletableFuture<byte[]>> run;

    StandIn(int capacity, BiFunction<byte[], byte[], CompletableFuture<byte[]>> run) {
      this.capacity = capacity;
      this.run = run;
    }

    @Override
    public int capacity() {
      return capacity;
    }

    @Override
    public void onCapacityChange(Runnable listener) {
      this.listener = listener;
    }

    @Override
    public CompletableFuture<byte[]> run(byte[] function, byte[] task) {
      CompletableFuture<byte[]> f = run.apply(function, task);
      runs.add(f);
      return f;
    }

    @Override
    public String describe() {
      return "stand-in workers";
    }
  }

  private static StandIn onTheMember(int capacity) {
    return new StandIn(capacity, (f, t) -> SEAM.runMessages(member, f, t, "the stand-in member"));
  }

  @Test
  void aRemotePoolHasTheLocalPoolsSurface() throws Exception {
    List<Integer> items = IntStream.range(0, 200).boxed().collect(Collectors.toList());
    try (Pool pool = SEAM.pool(onTheMember(2))) {
      assertThat(pool.processes()).isEqualTo(2);
      assertThat(pool.map(x -> x + 1, items, 7)).isEqualTo(items.stream().map(x -> x + 1).collect(Collectors.toList()));
      List<Integer> unordered = new java.util.ArrayList<>();
      pool.imapUnordered(x -> x * 2, items, 3).forEachRemaining(unordered::add);
      assertThat(unordered).containsExactlyInAnyOrderElementsOf(items.stream().map(x -> x * 2).collect(Collectors.toList()));
      assertThat(pool.starmap(a -> a.getInt(0) * a.getInt(1), List.of(List.of(2, 3), List.of(4, 5))))
          .containsExactly(6, 20);
      assertThatThrownBy(() -> pool.apply(() -> Integer.parseInt("x")))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(NumberFormatException.class);
    }
    ProcessPoolExecutor ex = SEAM.executor(onTheMember(1));
    try {
      assertThat(ex.submit(() -> "ran").get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ran");
    } finally {
      ex.shutdown();
      assertThat(ex.awaitTermination(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aMalformedAnswerOrAFailedRunFailsThatTaskOnly() throws Exception {
    try (Pool pool = SEAM.pool(new StandIn(1, (f, t) -> CompletableFuture.completedFuture(new byte[] {99})))) {
      assertThatThrownBy(() -> pool.apply(() -> 1)).cause().hasMessageContaining("malformed");
      assertThatThrownBy(() -> pool.apply(() -> 2)).cause().hasMessageContaining("malformed");
    }
    try (Pool pool = SEAM.pool(new StandIn(1, (f, t) -> {
      throw new IllegalStateException("no member runs workers");
    }))) {
      assertThatThrownBy(() -> pool.apply(() -> 1)).cause()
          .isInstanceOf(IllegalStateException.class).hasMessage("no member runs workers");
    }
  }

  @Test
  void moreRemoteWorkersTakeMoreTasksAtOnce() throws Exception {
    StandIn w = new StandIn(1, (f, t) -> new CompletableFuture<>());
    Pool pool = SEAM.pool(w);
    try {
      for (int i = 0; i < 6; i++) {
        pool.applyAsync(() -> 1);
      }
      Waits.until(() -> w.runs.size() == 2, "two runs for one remote worker");
      w.capacity = 3;
      w.listener.run();
      Waits.until(() -> w.runs.size() == 6, "six runs for three remote workers");
    } finally {
      pool.terminate();
    }
    assertThat(w.runs).allMatch(CompletableFuture::isCancelled, "cancelled by terminate()");
  }

  @Test
  void terminateFailsWhatRunsRemotelyWithACancellation() throws Exception {
    StandIn w = new StandIn(1, (f, t) -> new CompletableFuture<>());
    Pool pool = SEAM.pool(w);
    AsyncResult<Integer> r = pool.applyAsync(() -> 1);
    Waits.until(() -> w.runs.size() == 1, "the run");
    pool.terminate();
    assertThatThrownBy(() -> r.get(Waits.JOIN)).isInstanceOf(CancellationException.class);
    assertThat(pool.join(Waits.JOIN)).isTrue();
  }

  @Test
  void aMemberMissingTheFunctionsClassSaysWhichClassAndWhere() {
    assertThat(MessageSink.missingClass(new ClassNotFoundException("com.example.Task"))).isEqualTo("com.example.Task");
    assertThat(MessageSink.missingClass(new RuntimeException(new NoClassDefFoundError("com/example/Task"))))
        .isEqualTo("com.example.Task");
    assertThat(MessageSink.missingClass(new IllegalStateException("other"))).isNull();
  }
}
