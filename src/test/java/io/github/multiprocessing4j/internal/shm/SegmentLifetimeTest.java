package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.testing.Waits;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Reclaim;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What this JVM gives up when its segment objects become unreachable: the descriptor, the lock,
 * the mapping, and the file when no other process uses it; never while a live object shares the
 * mapping, never a pinned segment; and the files' permissions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SegmentLifetimeTest {


  private static Path fileOf(String name) {
    return RuntimeDir.segments().resolve(name);
  }

  /** Creates a segment and drops it: only its name comes back. */
  private static String createAndDrop(String prefix) throws Exception {
    return Segment.create(null, prefix, 64).name();
  }

  @Test
  void segmentFilesAreCreatedReadableAndWritableByTheirOwnerOnly() throws Exception {
    Path dir = RuntimeDir.segments();
    assumeThat(dir.getFileSystem().supportedFileAttributeViews()).contains("posix");
    Segment s = Segment.create(null, "mp4j_test_", 64);
    try {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fileOf(s.name()))))
          .isEqualTo("rw-------");
    } finally {
      s.unlink();
    }
  }

  @Test
  void aDroppedSegmentIsGivenUpAndItsFileDeleted() throws Exception {
    String name = createAndDrop("mp4j_test_");
    Path file = fileOf(name);
    Reclaim.gcUntil("the dropped segment is given up", () -> !Segment.usedNames().contains(name), Waits.JOIN);
    assertThat(file).as("nobody else used it").doesNotExist();
  }

  @Test
  void theMappingStaysWhileAnyObjectSharingItIsReachable() throws Exception {
    Segment kept = Segment.create(null, "mp4j_test_", 64);
    String name = kept.name();
    Path file = fileOf(name);
    try {
      WeakReference<Segment> other = new WeakReference<>(Segment.attach(name));
      assertThat(Segment.users(name)).isEqualTo(2);
      Reclaim.gcUntil("the second object is collected and cleaned", () -> other.get() == null
          && Segment.users(name) == 1, Waits.JOIN);
      assertThat(Segment.usedNames()).contains(name);
      assertThat(file).exists();
      kept.setIntVolatile(0, 42);
      Segment again = Segment.attach(name);
      assertThat(again.getIntVolatile(0)).isEqualTo(42);
      if (Reclaim.canCountFds()) {
        assertThat(Reclaim.fdsOf(file)).as("one descriptor per segment per JVM").isEqualTo(1);
      }
    } finally {
      kept.unlink();
    }
  }

  @Test
  void aSegmentGivenUpWhileAnotherProcessUsesItIsOpenedAfreshWhenAttachedAgain() throws Exception {
    try (JavaMain creator = JavaMain.start(SegmentTest.class, "wait")) {
      String name = creator.awaitStdout("segment ", Waits.JOIN).substring("segment ".length()).trim();
      Path file = fileOf(name);
      WeakReference<Segment> first = new WeakReference<>(Segment.attach(name));
      first.get().setIntVolatile(0, 9);
      Reclaim.gcUntil("the attached object is cleaned", () -> first.get() == null && Segment.users(name) == -1, Waits.JOIN);
      assertThat(file).as("its creator still uses it").exists();
      if (Reclaim.canCountFds()) {
        assertThat(Reclaim.fdsOf(file)).as("this JVM closed its descriptor").isZero();
      }
      Segment again = Segment.attach(name);
      try {
        assertThat(again.getIntVolatile(0)).isEqualTo(9);
        if (Reclaim.canCountFds()) {
          assertThat(Reclaim.fdsOf(file)).isEqualTo(1);
        }
        Multiprocessing.kill(creator.pid(), Multiprocessing.SIGKILL);
        assertThat(creator.waitFor(Waits.JOIN)).isNotZero();
        Segment.sweep();
        assertThat(file).as("this JVM's fresh lock keeps it").exists();
      } finally {
        again.unlink();
      }
    }
  }

  @Test
  void aPinnedSegmentOutlivesItsObjects() throws Exception {
    Segment s = Segment.create(null, "mp4j_test_", 64);
    String name = s.name();
    s.setIntVolatile(0, 5);
    s.pin();
    WeakReference<Segment> ref = new WeakReference<>(s);
    s = null;
    Reclaim.gcUntil("the object is collected and cleaned", () -> ref.get() == null && Segment.users(name) == 0, Waits.JOIN);
    assertThat(Segment.usedNames()).contains(name);
    assertThat(fileOf(name)).exists();
    Segment again = Segment.attach(name);
    assertThat(again.getIntVolatile(0)).isEqualTo(5);
    again.unlink();
  }

  @Test
  void manyDroppedSegmentsKeepDescriptorsAndMappingsBounded() throws Exception {
    assumeThat(Reclaim.canCountFds()).isTrue();
    int before = Reclaim.openFds();
    int most = 0;
    for (int i = 0; i < 20_000; i++) {
      Segment s = Segment.create(null, "mp4j_many_", 64);
      s.setIntVolatile(0, i);
      if (i % 1000 == 999) {
        most = Math.max(most, Segment.usedNames().size());
      }
    }
    assertThat(most).as("segments used at once").isLessThan(8_000);
    Reclaim.gcUntil("all dropped segments are given up",
        () -> Segment.usedNames().stream().noneMatch(n -> n.startsWith("mp4j_many_")), Waits.JOIN);
    assertThat(Reclaim.openFds()).isLessThan(before + 100);
  }
}
