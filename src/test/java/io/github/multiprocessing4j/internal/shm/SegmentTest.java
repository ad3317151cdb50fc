package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.testing.Waits;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.JavaMain;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Segments: named shared memory, atomic across processes, deleted once nobody uses them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SegmentTest {


  @Test
  void aSegmentIsZeroFilledAndSharedByEveryAttachmentByName() throws Exception {
    Segment created = Segment.create(null, "psm_", 100);
    try {
      assertThat(created.name()).matches("psm_[0-9a-f]{8}");
      assertThat(created.size()).isEqualTo(100);
      ByteBuffer b = created.buffer();
      for (int i = 0; i < 100; i++) {
        assertThat(b.get(i)).isZero();
      }
      b.put(7, (byte) 42);
      Segment attached = Segment.attach(created.name());
      assertThat(attached.buffer().get(7)).isEqualTo((byte) 42);
      attached.setLongVolatile(8, Long.MIN_VALUE + 5);
      assertThat(created.getLongVolatile(8)).isEqualTo(Long.MIN_VALUE + 5);
      attached.close();
      assertThatThrownBy(attached::buffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
      assertThat(created.buffer().get(7)).as("closing one view leaves the others").isEqualTo((byte) 42);
    } finally {
      created.unlink();
    }
  }

  @Test
  void namesSizesAndUnlinkFailClearly() throws Exception {
    assertThatThrownBy(() -> Segment.create(null, "psm_", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size");
    for (String bad : new String[] {"", "a/b", ".hidden", "nul\0"}) {
      assertThatThrownBy(() -> Segment.attach(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid shared memory name");
    }
    assertThatThrownBy(() -> Segment.attach("mp4j_test_missing_" + System.nanoTime()))
        .isInstanceOf(NoSuchFileException.class);
    String name = "mp4j_test_" + Long.toHexString(System.nanoTime());
    Segment s = Segment.create(name, "psm_", 8);
    assertThatThrownBy(() -> Segment.create(name, "psm_", 8)).isInstanceOf(FileAlreadyExistsException.class);
    Path file = RuntimeDir.segments().resolve(name);
    assertThat(file).exists();
    s.unlink();
    assertThat(file).doesNotExist();
    assertThat(Segment.usedNames()).doesNotContain(name);
    assertThatThrownBy(s::unlink).isInstanceOf(NoSuchFileException.class);
    Segment again = Segment.create(name, "psm_", 16);
    assertThat(again.size()).isEqualTo(16);
    assertThatThrownBy(s::unlink).as("the old object does not unlink the new segment")
        .isInstanceOf(NoSuchFileException.class);
    assertThat(file).exists();
    again.unlink();
  }

  @Test
  void aNameUnlinkedByAnotherProcessCanBeCreatedAgain() throws Exception {
    String name = "mp4j_test_" + Long.toHexString(System.nanoTime());
    Segment s = Segment.create(name, "psm_", 8);
    Files.delete(RuntimeDir.segments().resolve(name)); // what shm_unlink in another process does
    Segment again = Segment.create(name, "psm_", 16); // the name is free: CPython creates it
    try {
      assertThat(again.size()).isEqualTo(16);
      assertThat(Segment.attach(name).size()).isEqualTo(16);
      assertThat(s.size()).as("the old object keeps its mapping").isEqualTo(8);
    } finally {
      again.unlink();
    }
  }

  @Test
  void theDirectoryIsPrivate() throws Exception {
    Path dir = RuntimeDir.segments();
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent()))).isEqualTo("rwx------");
    }
  }

  static void addInChild(Args args) throws Exception {
    Segment s = Segment.attach(args.getString(0));
    for (int i = 0; i < 20_000; i++) {
      s.getAndAddInt(0, 1);
      s.getAndAddLong(8, 3);
    }
  }

  @Test
  void atomicAdditionsOfTwoProcessesAreNeverLost() throws Exception {
    Segment s = Segment.create(null, "psm_", 16);
    try {
      Process child = Process.builder().target(SegmentTest::addInChild).args(s.name()).build();
      child.start();
      for (int i = 0; i < 20_000; i++) {
        s.getAndAddInt(0, 1);
        s.getAndAddLong(8, 3);
      }
      assertThat(child.join(Waits.JOIN)).isTrue();
      assertThat(child.exitCode()).isZero();
      assertThat(s.getIntVolatile(0)).isEqualTo(40_000);
      assertThat(s.getLongVolatile(8)).isEqualTo(120_000L);
    } finally {
      s.unlink();
    }
  }

  /** A JVM that creates a segment, prints its name, then exits or waits to be killed. */
  public static void main(String[] args) throws Exception {
    Segment s = Segment.create(null, "psm_", 64);
    System.out.println("segment " + s.name());
    if (args[0].equals("exit")) {
      return;
    }
    Thread.sleep(Waits.JOIN.toMillis() * 2); // until killed
    java.lang.ref.Reference.reachabilityFence(s); // used until then
  }

  @Test
  void aSegmentWhoseOnlyUserExitsWithoutUnlinkingIsDeleted() throws Exception {
    try (JavaMain creator = JavaMain.start(SegmentTest.class, "exit")) {
      String name = creator.awaitStdout("segment ", Waits.JOIN).substring("segment ".length()).trim();
      assertThat(creator.waitFor(Waits.JOIN)).as("stderr: %s", creator.stderr()).isZero();
      assertThat(RuntimeDir.segments().resolve(name)).doesNotExist();
    }
  }

  @Test
  void aSegmentOutlivesItsKilledCreatorWhileUsedAndIsSweptOnceNobodyUsesIt() throws Exception {
    String name;
    try (JavaMain creator = JavaMain.start(SegmentTest.class, "wait")) {
      name = creator.awaitStdout("segment ", Waits.JOIN).substring("segment ".length()).trim();
      Segment attached = Segment.attach(name);
      attached.setIntVolatile(0, 7);
      Multiprocessing.kill(creator.pid(), Multiprocessing.SIGKILL);
      assertThat(creator.waitFor(Waits.JOIN)).isNotZero();
      Segment.sweep();
      assertThat(RuntimeDir.segments().resolve(name)).as("this JVM still uses it").exists();
      assertThat(Segment.attach(name).getIntVolatile(0)).isEqualTo(7);
      attached.unlink();
    }
    try (JavaMain creator = JavaMain.start(SegmentTest.class, "wait")) {
      name = creator.awaitStdout("segment ", Waits.JOIN).substring("segment ".length()).trim();
      Segment.sweep();
      assertThat(RuntimeDir.segments().resolve(name)).as("its creator uses it").exists();
      Multiprocessing.kill(creator.pid(), Multiprocessing.SIGKILL);
      assertThat(creator.waitFor(Waits.JOIN)).isNotZero();
      Segment.sweep();
      assertThat(RuntimeDir.segments().resolve(name)).as("every user died: swept").doesNotExist();
      String gone = name;
      assertThatThrownBy(() -> Segment.attach(gone)).isInstanceOf(NoSuchFileException.class);
    }
  }
}
