package io.github.multiprocessing4j.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SharedMemory (§B.5), in the spirit of CPython's {@code _TestSharedMemory}. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class SharedMemoryTest {

  private static String uniqueName() {
    return "mp4j_test_shm_" + Long.toHexString(System.nanoTime());
  }

  private static Path fileOf(String name) {
    return RuntimeDir.segments().resolve(name);
  }

  @Test
  void createGivesARandomPsmNameAZeroFilledBufferAndCPythonsRepr() {
    try (SharedMemory shm = SharedMemory.create(10)) {
      assertThat(shm.name()).matches("psm_[0-9a-f]{8}");
      assertThat(shm.size()).isEqualTo(10);
      assertThat(shm).hasToString("SharedMemory('" + shm.name() + "', size=10)");
      ByteBuffer b = shm.buf();
      assertThat(b.capacity()).isEqualTo(10);
      assertThat(b.position()).isZero();
      for (int i = 0; i < 10; i++) {
        assertThat(b.get(i)).isZero();
      }
      shm.unlink();
    }
  }

  @Test
  void attachingByNameSharesTheMemoryAndIgnoresTheSize() {
    String name = uniqueName();
    try (SharedMemory created = SharedMemory.create(name, 16)) {
      created.buf().put(3, (byte) 42);
      try (SharedMemory attached = SharedMemory.attach(name);
          SharedMemory viaOpen = SharedMemory.open(name, false, 5)) {
        assertThat(attached.size()).isEqualTo(16);
        assertThat(viaOpen.size()).as("size argument ignored on attach, as CPython").isEqualTo(16);
        assertThat(attached.buf().get(3)).isEqualTo((byte) 42);
        viaOpen.buf().put(4, (byte) 7);
        assertThat(created.buf().get(4)).isEqualTo((byte) 7);
      }
      created.unlink();
    }
  }

  @Test
  void badArgumentsFailWithCPythonsMessages() {
    assertThatThrownBy(() -> SharedMemory.create(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'size' must be a positive number different from zero");
    assertThatThrownBy(() -> SharedMemory.open(null, true, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'size' must be a positive number different from zero");
    assertThatThrownBy(() -> SharedMemory.create(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'size' must be a positive integer");
    assertThatThrownBy(() -> SharedMemory.open("x", false, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'size' must be a positive integer");
    assertThatThrownBy(() -> SharedMemory.attach(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'name' can only be None if create=True");
    assertThatThrownBy(() -> SharedMemory.create(Integer.MAX_VALUE + 1L)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'size' must be at most 2147483647 bytes");
    for (String bad : new String[] {"", "a/b", ".hidden", "nul\0inside"}) {
      assertThatThrownBy(() -> SharedMemory.create(bad, 8)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid shared memory name");
    }
    String missing = uniqueName();
    assertThatThrownBy(() -> SharedMemory.attach(missing)).isInstanceOf(SharedMemoryNotFoundException.class)
        .isInstanceOf(SharedMemoryException.class)
        .hasMessage("[Errno 2] No such file or directory: '" + missing + "'")
        .hasCauseInstanceOf(NoSuchFileException.class);
  }

  @Test
  void creatingAnExistingNameFailsAsFileExists() {
    try (SharedMemory shm = SharedMemory.create(8)) {
      assertThatThrownBy(() -> SharedMemory.create(shm.name(), 8)).isInstanceOf(SharedMemoryExistsException.class)
          .hasMessage("[Errno 17] File exists: '" + shm.name() + "'")
          .hasCauseInstanceOf(FileAlreadyExistsException.class);
      shm.unlink();
    }
  }

  @Test
  void closeIsIdempotentAndReleasesOnlyThisView() {
    SharedMemory shm = SharedMemory.create(8);
    SharedMemory other = SharedMemory.attach(shm.name());
    shm.buf().put(0, (byte) 1);
    shm.close();
    shm.close();
    assertThat(shm.isClosed()).isTrue();
    assertThatThrownBy(shm::buf).isInstanceOf(IllegalStateException.class)
        .hasMessage("SharedMemory '" + shm.name() + "' is closed: its buffer was released");
    assertThat(other.buf().get(0)).as("the block survives close()").isEqualTo((byte) 1);
    shm.unlink(); // allowed on a closed object, as CPython
    other.close();
  }

  @Test
  void unlinkRemovesTheNameOnceThenFailsAsFileNotFound() {
    SharedMemory shm = SharedMemory.create(8);
    String name = shm.name();
    shm.buf().put(0, (byte) 5);
    assertThat(fileOf(name)).exists();
    shm.unlink();
    assertThat(fileOf(name)).doesNotExist();
    assertThat(shm.buf().get(0)).as("still mapped after unlink").isEqualTo((byte) 5);
    assertThatThrownBy(shm::unlink).isInstanceOf(SharedMemoryNotFoundException.class)
        .hasMessage("[Errno 2] No such file or directory: '" + name + "'");
    assertThatThrownBy(() -> SharedMemory.attach(name)).isInstanceOf(SharedMemoryNotFoundException.class);
    try (SharedMemory again = SharedMemory.create(name, 4)) {
      assertThat(again.size()).as("the name can be created again").isEqualTo(4);
      assertThat(again.buf().get(0)).isZero();
      again.unlink();
    }
    shm.close();
  }

  static void incrementFirstByte(Args args) {
    SharedMemory shm = args.get(0, SharedMemory.class);
    if (!shm.toString().equals(args.getString(1))) {
      throw new AssertionError("child sees " + shm + ", parent " + args.getString(1));
    }
    ByteBuffer b = shm.buf();
    b.put(1, (byte) (b.get(0) + 1));
    shm.close();
  }

  static void attachByNameAndWrite(Args args) {
    try (SharedMemory shm = SharedMemory.attach(args.getString(0))) {
      shm.buf().putInt(4, shm.buf().getInt(0) * 2);
    }
  }

  @Test
  void aChildSeesTheParentsWritesAndTheParentSeesTheChilds() throws Exception {
    try (SharedMemory shm = SharedMemory.create(8)) {
      shm.buf().put(0, (byte) 41);
      Process p = Process.builder().target(SharedMemoryTest::incrementFirstByte).args(shm, shm.toString()).build();
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(shm.buf().get(1)).isEqualTo((byte) 42);

      shm.buf().putInt(0, 21);
      Process q = Process.builder().target(SharedMemoryTest::attachByNameAndWrite).args(shm.name()).build();
      q.start();
      assertThat(q.join(Waits.JOIN)).isTrue();
      assertThat(q.exitCode()).isZero();
      assertThat(shm.buf().getInt(4)).isEqualTo(42);
      shm.unlink();
    }
  }

  static void passToGrandchild(Args args) throws Exception {
    SharedMemory shm = args.get(0, SharedMemory.class);
    Process p = Process.builder().target(SharedMemoryTest::incrementFirstByte).args(shm, shm.toString()).build();
    p.start();
    p.join();
    if (p.exitCode() != 0) {
      throw new AssertionError("grandchild exited with " + p.exitCode());
    }
  }

  static void putInQueue(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<Object> q = args.get(0, Queue.class);
    SharedMemory shm = SharedMemory.create(4);
    shm.buf().put(0, (byte) 9);
    q.put(shm);
    q.get(Waits.JOIN); // the parent has attached: now this child may unlink and exit
    shm.unlink();
  }

  @Test
  void aGrandchildAndAQueueCarryTheBlockToo() throws Exception {
    try (SharedMemory shm = SharedMemory.create(2)) {
      shm.buf().put(0, (byte) 99);
      Process p = Process.builder().target(SharedMemoryTest::passToGrandchild).args(shm).build();
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(shm.buf().get(1)).isEqualTo((byte) 100);
      shm.unlink();
    }
    Queue<Object> q = new Queue<>();
    Process c = Process.builder().target(SharedMemoryTest::putInQueue).args(q).build();
    c.start();
    SharedMemory received = (SharedMemory) q.get(Waits.JOIN);
    assertThat(received.size()).isEqualTo(4);
    assertThat(received.buf().get(0)).isEqualTo((byte) 9);
    q.put("attached");
    assertThat(c.join(Waits.JOIN)).isTrue();
    assertThat(c.exitCode()).isZero();
    assertThat(received.buf().get(0)).as("still mapped after the creator unlinked and exited").isEqualTo((byte) 9);
    received.close();
  }

  static void neverRuns(Args args) {
    System.out.println("ran with " + args.get(0));
  }

  @Test
  void aChildGivenABlockThatWasUnlinkedFailsToAttachAndSaysWhy() throws Exception {
    SharedMemory shm = SharedMemory.create(8);
    shm.unlink();
    CapturedLines err = new CapturedLines();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(SharedMemoryTest::neverRuns).args(shm).stdout(out.output())
        .stderr(err.output()).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isEqualTo(1);
    assertThat(out.lines()).isEmpty();
    assertThat(err.text()).contains(SharedMemoryNotFoundException.class.getName())
        .contains("[Errno 2] No such file or directory: '" + shm.name() + "'");
    shm.close();
  }

  /**
   * A JVM that creates a block and prints its name; then, by the first argument: {@code exit}
   * (without unlinking), {@code wait} (until killed), or {@code attach NAME} (prints what
   * attaching to NAME gives).
   */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("attach")) {
      try (SharedMemory shm = SharedMemory.attach(args[1])) {
        System.out.println("attached " + shm);
        shm.unlink();
      } catch (SharedMemoryNotFoundException e) {
        System.out.println("not found: " + e.getMessage());
      }
      return;
    }
    SharedMemory shm = SharedMemory.create(64);
    System.out.println("shm " + shm.name());
    if (args[0].equals("exit")) {
      // Values, arrays and unlinked blocks are deleted at exit too, without a warning.
      RawValue.create('i', 1).incrementAndGet();
      RawArray.create('d', 3).set(0, 1.5);
      SharedMemory.create(8).unlink();
      return;
    }
    Thread.sleep(Waits.UNTIL_KILLED.toMillis());
  }

  @Test
  void anExitThatDeletesABlockNobodyUnlinkedWarnsAsCPythonsResourceTracker() throws Exception {
    // The one block leaked is named; the value, the array and the unlinked block are not.
    try (JavaMain creator = JavaMain.start(SharedMemoryTest.class, "exit")) {
      String name = creator.awaitStdout("shm ", Waits.JOIN).substring("shm ".length()).trim();
      assertThat(creator.waitFor(Waits.JOIN)).as("stderr: %s", creator.stderr()).isZero();
      assertThat(fileOf(name)).doesNotExist();
      assertThat(creator.stderr())
          .contains("There appear to be 1 leaked shared_memory objects to clean up at shutdown: [" + name + "]");
    }
  }

  @Test
  void aBlockWhoseCreatorWasKilledIsDeletedOnceNobodyUsesIt() throws Exception {
    // While this JVM uses it, the block survives its creator's SIGKILL.
    try (JavaMain creator = JavaMain.start(SharedMemoryTest.class, "wait")) {
      String name = creator.awaitStdout("shm ", Waits.JOIN).substring("shm ".length()).trim();
      try (SharedMemory attached = SharedMemory.attach(name)) {
        attached.buf().put(0, (byte) 3);
        Multiprocessing.kill(creator.pid(), Multiprocessing.SIGKILL);
        assertThat(creator.waitFor(Waits.JOIN)).isNotZero();
        try (JavaMain other = JavaMain.start(SharedMemoryTest.class, "attach", name)) {
          other.awaitStdout("attached ", Waits.JOIN);
          assertThat(other.waitFor(Waits.JOIN)).isZero();
        }
        assertThat(attached.buf().get(0)).isEqualTo((byte) 3);
      }
    }
    // Nobody else uses it: the next JVM that uses shared memory deletes it before attaching.
    try (JavaMain creator = JavaMain.start(SharedMemoryTest.class, "wait")) {
      String name = creator.awaitStdout("shm ", Waits.JOIN).substring("shm ".length()).trim();
      Multiprocessing.kill(creator.pid(), Multiprocessing.SIGKILL);
      assertThat(creator.waitFor(Waits.JOIN)).isNotZero();
      assertThat(fileOf(name)).as("left behind by the killed creator, for now").exists();
      try (JavaMain other = JavaMain.start(SharedMemoryTest.class, "attach", name)) {
        assertThat(other.awaitStdout("not found: ", Waits.JOIN))
            .contains("[Errno 2] No such file or directory: '" + name + "'");
        assertThat(other.waitFor(Waits.JOIN)).isZero();
      }
      assertThat(fileOf(name)).doesNotExist();
    }
  }
}
