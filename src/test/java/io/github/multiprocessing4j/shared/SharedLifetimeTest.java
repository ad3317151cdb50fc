package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.Reclaim;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifetime of values' and arrays' shared memory: given up by this JVM once dropped, kept once
 * serialized (a child that attaches later still finds it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SharedLifetimeTest {

  private static Set<Path> segmentFiles(String prefix) throws IOException {
    try (Stream<Path> files = Files.list(RuntimeDir.segments())) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
    }
  }

  @Test
  void aLoopMakingValuesKeepsDescriptorsBounded() throws Exception {
    assumeThat(Reclaim.canCountFds()).isTrue();
    int before = Reclaim.openFds();
    int most = 0;
    for (int i = 0; i < 20_000; i++) {
      Value v = Value.create('i', i); // two segments: the value and its RLock
      assertThat(v.incrementAndGet()).isEqualTo(i + 1L);
      if (i % 500 == 499) {
        most = Math.max(most, Reclaim.openFds() - before);
      }
    }
    assertThat(most).as("descriptors open at once").isLessThan(10_000);
    Reclaim.gcUntil("the values' descriptors are closed", () -> Reclaim.openFds() < before + 50, Waits.JOIN);
  }

  /** Makes an array and drops it: only its file comes back. */
  private static Path droppedArray() throws IOException {
    Set<Path> before = segmentFiles("mp4j_arr_");
    RawArray a = RawArray.create('d', 1000);
    a.set(999, 2.5);
    Set<Path> after = segmentFiles("mp4j_arr_");
    after.removeAll(before);
    assertThat(after).hasSize(1);
    return after.iterator().next();
  }

  @Test
  void aDroppedArraysFileIsDeletedOnceCollected() throws Exception {
    Path file = droppedArray();
    Reclaim.gcUntil("the array's file is deleted", () -> !Files.exists(file), Waits.JOIN);
  }

  @SuppressWarnings("unchecked")
  static void addAndSendBack(Args args) throws Exception {
    Value v = args.get(0, Value.class);
    RawArray a = args.get(1, RawArray.class);
    Queue<Object> back = args.get(2, Queue.class);
    v.set(v.getLong() + a.getLong(2));
    back.put(v);
  }

  private static Process startWithDropped(Queue<Object> back) {
    Value v = Value.create('q', 40L);
    RawArray a = RawArray.create('q', 3);
    a.set(2, 2L);
    Process p = Process.builder().target(SharedLifetimeTest::addAndSendBack).args(v, a, back).build();
    p.start();
    return p;
  }

  @Test
  void aValueAndAnArrayGivenToAChildAndDroppedAreStillThereForIt() throws Exception {
    Queue<Object> back = new Queue<>();
    Process p = startWithDropped(back);
    for (int i = 0; i < 3; i++) {
      System.gc(); // were they not pinned, this would give them up before the child attached
    }
    Value v = (Value) back.get(Waits.JOIN);
    assertThat(v.getLong()).isEqualTo(42L);
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
  }
}
