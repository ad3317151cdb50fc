package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CPython's {@code multiprocessing.managers.SharedMemoryManager} (§B.5). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SharedMemoryManagerTest {

  private static Path fileOf(String name) {
    return RuntimeDir.segments().resolve(name);
  }

  @Test
  void shutdownUnlinksEveryBlockItCreatedAndTheObjectsStayUsable() {
    SharedMemory shm;
    ShareableList sl;
    try (SharedMemoryManager smm = new SharedMemoryManager()) {
      shm = smm.sharedMemory(16);
      sl = smm.shareableList(List.of(1, 2.5, "three"));
      assertThat(shm.name()).matches("psm_[0-9a-f]{8}");
      assertThat(smm.segmentNames()).containsExactly(shm.name(), sl.shm().name());
      assertThat(smm).hasToString("SharedMemoryManager(blocks=[" + shm.name() + ", " + sl.shm().name() + "])");
      assertThat(fileOf(shm.name())).exists();
      assertThat(fileOf(sl.shm().name())).exists();
      shm.buf().put(0, (byte) 7);
      assertThat(smm.isShutdown()).isFalse();
    }
    assertThat(fileOf(shm.name())).doesNotExist();
    assertThat(fileOf(sl.shm().name())).doesNotExist();
    String name = shm.name();
    assertThatThrownBy(() -> SharedMemory.attach(name)).isInstanceOf(SharedMemoryNotFoundException.class);
    assertThatThrownBy(shm::unlink).as("unlinked once already").isInstanceOf(SharedMemoryNotFoundException.class);
    assertThat(shm.buf().get(0)).as("still mapped here, as in CPython").isEqualTo((byte) 7);
    assertThat(sl.get(2)).isEqualTo("three");
  }

  @Test
  void shutdownIsIdempotentSkipsBlocksAlreadyUnlinkedAndThenRefusesToCreate() {
    SharedMemoryManager smm = new SharedMemoryManager();
    SharedMemory mine = smm.sharedMemory(8);
    SharedMemory other = smm.sharedMemory(8);
    mine.unlink(); // by its owner
    smm.shutdown();
    assertThat(fileOf(other.name())).doesNotExist();
    assertThat(smm.isShutdown()).isTrue();
    assertThat(smm.segmentNames()).isEmpty();
    assertThat(smm).hasToString("SharedMemoryManager(shut down)");
    smm.shutdown();
    smm.close();
    assertThatThrownBy(() -> smm.sharedMemory(8)).isInstanceOf(IllegalStateException.class)
        .hasMessage("Manager has shut down: this SharedMemoryManager creates no more blocks");
    assertThatThrownBy(() -> smm.shareableList(List.of(1))).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Manager has shut down");
  }

  @Test
  void aRefusedBlockIsNotTrackedAndCPythonsMessagesSurvive() {
    try (SharedMemoryManager smm = new SharedMemoryManager()) {
      assertThatThrownBy(() -> smm.sharedMemory(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("'size' must be a positive number different from zero");
      assertThatThrownBy(() -> smm.sharedMemory(-1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("'size' must be a positive integer");
      assertThatThrownBy(() -> smm.shareableList(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> smm.shareableList(null)).isInstanceOf(NullPointerException.class);
      assertThat(smm.segmentNames()).isEmpty();
    }
  }

  @Test
  void theManagerCannotBeSerializedAndSaysWhatToPassInstead() throws Exception {
    try (SharedMemoryManager smm = new SharedMemoryManager();
        ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      assertThatThrownBy(() -> out.writeObject(smm)).isInstanceOf(NotSerializableException.class)
          .hasMessageContaining("a SharedMemoryManager cannot be passed to another process: pass the blocks it"
              + " created");
      Process p = Process.builder().target(SharedMemoryManagerTest::writeBlocks).args(smm).build();
      assertThatThrownBy(p::start).hasStackTraceContaining("a SharedMemoryManager cannot be passed");
    }
  }

  /** Argument 0: a block; 1: a list. Writes to both. */
  static void writeBlocks(Args args) {
    SharedMemory shm = args.get(0, SharedMemory.class);
    shm.buf().putInt(0, shm.buf().getInt(0) + 1);
    ShareableList sl = args.get(1, ShareableList.class);
    sl.set(0, "child");
  }

  @Test
  void aChildWritesTheManagersBlocksAndShutdownUnlinksThemAfterwards() throws Exception {
    String shmName;
    String listName;
    try (SharedMemoryManager smm = new SharedMemoryManager()) {
      SharedMemory shm = smm.sharedMemory(4);
      ShareableList sl = smm.shareableList(List.of("parent", 2));
      shmName = shm.name();
      listName = sl.shm().name();
      shm.buf().putInt(0, 41);
      Process p = Process.builder().target(SharedMemoryManagerTest::writeBlocks).args(shm, sl).build();
      p.start();
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(shm.buf().getInt(0)).isEqualTo(42);
      assertThat(sl.get(0)).isEqualTo("child");
      assertThat(fileOf(shmName)).as("the child's exit did not remove it").exists();
    }
    assertThat(fileOf(shmName)).doesNotExist();
    assertThat(fileOf(listName)).doesNotExist();
  }

  @Test
  void blocksCreatedWhileAnotherThreadShutsDownAreNeverLeftBehind() throws Exception {
    SharedMemoryManager smm = new SharedMemoryManager();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch started = new CountDownLatch(threads);
    try {
      List<Future<List<SharedMemory>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          List<SharedMemory> made = new ArrayList<>();
          started.countDown();
          try {
            for (int i = 0; i < 10_000; i++) {
              made.add(smm.sharedMemory(8));
            }
            throw new AssertionError("never shut down");
          } catch (IllegalStateException e) {
            return made; // the shutdown reached this thread
          }
        }));
      }
      started.await(Waits.LONG.toSeconds(), TimeUnit.SECONDS);
      while (smm.segmentNames().size() < 20 && !futures.stream().allMatch(Future::isDone)) {
        Thread.onSpinWait(); // a few blocks exist before the shutdown (unless every creator failed)
      }
      smm.shutdown();
      int total = 0;
      for (Future<List<SharedMemory>> f : futures) {
        for (SharedMemory shm : f.get(Waits.LONG.toSeconds(), TimeUnit.SECONDS)) {
          assertThat(fileOf(shm.name())).as("every block a creator received is unlinked").doesNotExist();
          total++;
        }
      }
      assertThat(total).isGreaterThanOrEqualTo(20);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A JVM that creates a manager with a block and a list, prints their names and exits. */
  public static void main(String[] args) {
    SharedMemoryManager smm = new SharedMemoryManager();
    SharedMemory shm = smm.sharedMemory(64);
    ShareableList sl = smm.shareableList(List.of(1, 2));
    System.out.println("blocks " + shm.name() + " " + sl.shm().name());
  }

  @Test
  void aManagerOpenAtExitIsShutDownThereWithoutALeakWarning() throws Exception {
    try (JavaMain creator = JavaMain.start(SharedMemoryManagerTest.class)) {
      String[] names = creator.awaitStdout("blocks ", Waits.LONG).trim().split(" ");
      assertThat(creator.waitFor(Waits.LONG)).as("stderr: %s", creator.stderr()).isZero();
      String shm = names[names.length - 2];
      String list = names[names.length - 1];
      assertThat(fileOf(shm)).doesNotExist();
      assertThat(fileOf(list)).doesNotExist();
      assertThat(creator.stderr()).doesNotContain("leaked shared_memory");
    }
  }
}
