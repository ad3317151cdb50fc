package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.testing.Waits;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's exit stops its parent watcher, blocked reading stdin through a {@code FileChannel}, by
 * interrupting it, and no longer joins the watcher's thread: HotSpot's exit waits up to 300 ms for
 * a thread in native code, so the watcher must have left its read(2) when the interrupt returns.
 * The JDK's channel does that (its close signals the threads in its I/O and waits for them); this
 * pins it, on a pipe as the child's stdin is, for every JDK the suite runs on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ProcessWatcherStopTest {

  @Test
  void anInterruptReturnsOnlyOnceTheReaderHasLeftItsRead(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isDirectory(Paths.get("/proc/self")), "a FIFO made by mkfifo: Linux");
    Path fifo = dir.resolve("stdin");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
    // Opened read-write first: a FIFO's read-only open then does not wait for a writer, and the
    // writer this leaves open keeps the read blocked, as the parent's end of a child's stdin does.
    RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
    try (writer; FileInputStream stdin = new FileInputStream(fifo.toFile())) {
      FileChannel channel = stdin.getChannel();
      AtomicReference<String> outcome = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        try {
          channel.read(ByteBuffer.allocateDirect(256));
          outcome.set("read returned");
        } catch (ClosedByInterruptException e) {
          outcome.set("interrupted");
        } catch (IOException e) {
          outcome.set(e.toString());
        }
      }, "watcher-like");
      reader.setDaemon(true);
      reader.start();
      Waits.until(() -> inNativeRead(reader), "the reader is blocked in read(2)");

      reader.interrupt();

      assertThat(inNativeRead(reader)).as("in its native read once interrupt() returned").isFalse();
      reader.join(Waits.JOIN.toMillis());
      assertThat(outcome.get()).isEqualTo("interrupted");
    }
  }

  private static boolean inNativeRead(Thread t) {
    return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.isNativeMethod() && f.getMethodName().startsWith("read"));
  }
}
