package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.CapturedStderr;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ProgressListener}: the counts a map reports, their order and granularity, the total of
 * an input of unknown size, and a listener that throws. One pool of two workers serves every test.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ProgressListenerTest {

  private static Pool pool;

  @BeforeAll
  static void startPool() {
    pool = new Pool(2);
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).as("workers exited after terminate").isTrue();
    }
  }

  /** Records every call, with the thread that made it. */
  private static final class Recorder implements ProgressListener {
    final List<long[]> calls = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();

    @Override
    public synchronized void progress(long done, long total) {
      calls.add(new long[] {done, total});
      threads.add(Thread.currentThread());
    }

    synchronized List<Long> done() {
      return calls.stream().map(c -> c[0]).collect(Collectors.toList());
    }

    synchronized List<Long> totals() {
      return calls.stream().map(c -> c[1]).collect(Collectors.toList());
    }

    /** How much each call added: one chunk's size each. */
    synchronized List<Long> steps() {
      List<Long> out = new ArrayList<>();
      long before = 0;
      for (long[] c : calls) {
        out.add(c[0] - before);
        before = c[0];
      }
      return out;
    }

    synchronized long[] last() {
      return calls.get(calls.size() - 1);
    }
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  static int failOnSeven(int x) {
    if (x == 7) {
      throw new IllegalStateException("seven");
    }
    return x;
  }

  @Test
  void mapReportsOncePerChunkGrowingToTheTotalBeforeItReturns() throws Exception {
    Recorder r = new Recorder();

    List<Integer> out = pool.map(x -> x * 2, range(10), 3, r);

    assertThat(out).isEqualTo(range(10).stream().map(x -> x * 2).collect(Collectors.toList()));
    // Chunks of 3, 3, 3 and 1 items, finishing in any order: one call each, done growing by a chunk.
    assertThat(r.steps()).containsExactlyInAnyOrder(3L, 3L, 3L, 1L);
    assertThat(r.done()).isSorted().last().isEqualTo(10L);
    assertThat(r.totals()).containsOnly(10L);
    assertThat(r.threads).doesNotContain(Thread.currentThread());
  }

  @Test
  void theDefaultChunkSizeIsTheGranularity() throws Exception {
    Recorder r = new Recorder();

    pool.map(x -> x, range(100), r); // ceil(100 / (4 * 2)) = 13 items per chunk: 8 chunks

    assertThat(r.steps()).hasSize(8).containsOnly(13L, 9L);
    assertThat(r.last()).containsExactly(100, 100);
  }

  @Test
  void failedChunksCountAsDoneAndTheLastCallComesBeforeTheFailureIsThrown() {
    Recorder r = new Recorder();

    assertThatThrownBy(() -> pool.map(ProgressListenerTest::failOnSeven, range(10), 2, r))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);

    assertThat(r.steps()).hasSize(5).containsOnly(2L);
    assertThat(r.last()).containsExactly(10, 10);
  }

  @Test
  void starmapAndMapAsyncReportToo() throws Exception {
    Recorder star = new Recorder();
    List<Integer> sums = pool.starmap(a -> a.getInt(0) + a.getInt(1), List.of(List.of(1, 2), List.of(3, 4)), star);
    assertThat(sums).containsExactly(3, 7);
    assertThat(star.last()).containsExactly(2, 2);

    Recorder async = new Recorder();
    List<Object> seenByCallback = new ArrayList<>();
    AsyncResult<List<Integer>> res = pool.mapAsync(x -> x + 1, range(6), 1,
        v -> seenByCallback.add(async.last()[0]), null, async);
    assertThat(res.get(Waits.JOIN)).hasSize(6);
    assertThat(async.steps()).hasSize(6).containsOnly(1L);
    assertThat(seenByCallback).as("the last call comes before the callback").containsExactly(6L);
  }

  @Test
  void anEmptyMapReportsZeroOfZeroOnce() throws Exception {
    Recorder r = new Recorder();

    assertThat(pool.map(x -> x, List.<Integer>of(), r)).isEmpty();

    assertThat(r.calls).hasSize(1);
    assertThat(r.last()).containsExactly(0, 0);
  }

  @Test
  void imapOverAListKnowsTheTotalFromTheStart() {
    Recorder r = new Recorder();
    List<Integer> out = new ArrayList<>();

    pool.imapUnordered(x -> x, range(5), 2, r).forEachRemaining(out::add);

    assertThat(out).containsExactlyInAnyOrderElementsOf(range(5));
    assertThat(r.totals()).containsOnly(5L);
    assertThat(r.steps()).containsExactlyInAnyOrder(2L, 2L, 1L);
    assertThat(r.last()).containsExactly(5, 5);
  }

  @Test
  void imapOverAnInputOfUnknownSizeReportsUnknownUntilTheInputEndsThenNofN() {
    Recorder r = new Recorder();
    CountDownLatch allFinished = new CountDownLatch(1);
    ProgressListener watching = (done, total) -> {
      r.progress(done, total);
      if (done == 4) {
        allFinished.countDown();
      }
    };
    // Four items; the input finds its end only once their results have all arrived, so the end
    // is known after the last chunk: the listener hears (4, -1), then (4, 4) from the feeder.
    Iterable<Integer> input = () -> new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        if (next < 4) {
          return true;
        }
        try {
          return !allFinished.await(Waits.LONG.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public Integer next() {
        if (next >= 4) {
          throw new NoSuchElementException();
        }
        return next++;
      }
    };

    List<Integer> out = new ArrayList<>();
    pool.imap(x -> x * 10, input, 1, watching).forEachRemaining(out::add);

    assertThat(out).containsExactly(0, 10, 20, 30);
    assertThat(r.done()).containsExactly(1L, 2L, 3L, 4L, 4L);
    assertThat(r.totals()).containsExactly(-1L, -1L, -1L, -1L, 4L);
  }

  @Test
  void theExecutorsMapReports() {
    Recorder r = new Recorder();
    try (ProcessPoolExecutor executor = new ProcessPoolExecutor(1)) {
      List<Integer> out = new ArrayList<>();
      executor.map(x -> x, range(4), null, 2, r).forEachRemaining(out::add);
      assertThat(out).isEqualTo(range(4));
    }
    assertThat(r.done()).containsExactly(2L, 4L);
    assertThat(r.totals()).containsOnly(4L);
  }

  @Test
  void aListenerThatThrowsDoesNotBreakTheMapAndIsLoggedOnce() throws Exception {
    List<Long> heard = new ArrayList<>();
    ProgressListener broken = (done, total) -> {
      synchronized (heard) {
        heard.add(done);
      }
      throw new IllegalStateException("listener boom " + done);
    };
    try (CapturedStderr logged = CapturedStderr.start()) {
      List<Integer> out = pool.map(x -> x + 1, range(6), 1, broken);

      assertThat(out).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(heard).as("called for every chunk even after it threw").hasSize(6);
      assertThat(logged.text()).containsOnlyOnce("progress listener threw");
    }
    assertThat(pool.map(x -> x, range(3))).as("the pool goes on").containsExactly(0, 1, 2);
  }

  @Test
  void aNullListenerIsRefusedInTheCallersThread() {
    assertThatThrownBy(() -> pool.map(x -> x, range(3), (ProgressListener) null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("progress");
    assertThatThrownBy(() -> pool.imap(x -> x, range(3), 1, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("progress");
  }
}
