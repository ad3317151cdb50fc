package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.internal.transport.RingTransport;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages through a pipe's ring at the sizes where its copying changes: around the 256 KiB piece
 * a large message is published in, and around the ring's capacity, which a longer message streams
 * through while the receiver frees room; longer messages after shorter ones and the other way
 * round, so that bytes of an earlier, longer message showing in a later, shorter one would fail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class LargeMessageBoundariesTest {

  private static final int CAP = RingTransport.DEFAULT_CAPACITY;
  private static final int CHUNK = 256 * 1024;

  private static final int[] SIZES = {
    0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 1 << 20, CAP - 1, CAP, CAP + 1, 3 << 20, 100_000,
    CAP, CHUNK, 2 * CAP + 3, CHUNK + 1, 1 << 20, 17,
  };

  /** Message {@code i}: its own byte pattern, so that bytes of another message cannot pass for it. */
  private static byte[] message(int i) {
    byte[] m = new byte[SIZES[i]];
    for (int k = 0; k < m.length; k++) {
      m[k] = (byte) (k * 7 + i * 13 + (k >>> 12));
    }
    return m;
  }

  @Test
  void messagesAroundTheChunkSizeAndTheRingsCapacityKeepTheirLengthAndBytes() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Background<Void> sends = Background.run(() -> {
        for (int i = 0; i < SIZES.length; i++) {
          a.sendBytes(message(i));
        }
        return null;
      });
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < SIZES.length; i++) {
        byte[] got = b.recvBytes();
        if (!Arrays.equals(got, message(i))) {
          wrong.add("message " + i + ": " + got.length + " bytes, expected " + SIZES[i]
              + (got.length == SIZES[i] ? " with other bytes" : ""));
        }
      }
      sends.get(Waits.JOIN);
      assertThat(wrong).isEmpty();
    }
  }

  @Test
  void recvBytesIntoTakesALargeMessageWholeAndRejectsOneLongerThanItsBuffer() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Background<Void> sends = Background.run(() -> {
        a.sendBytes(message(5)); // 1 MiB
        a.sendBytes(message(4)); // 256 KiB + 1
        return null;
      });
      byte[] buf = new byte[(1 << 20) + 8];
      assertThat(b.recvBytesInto(buf, 8)).isEqualTo(1 << 20);
      assertThat(Arrays.copyOfRange(buf, 8, buf.length)).isEqualTo(message(5));
      byte[] small = new byte[CHUNK];
      BufferTooShortException e = catchThrowableOfType(BufferTooShortException.class, () -> b.recvBytesInto(small));
      assertThat(e).as("a 256 KiB + 1 message into a 256 KiB buffer").isNotNull();
      assertThat(e.message()).isEqualTo(message(4)); // consumed whole, as CPython's BufferTooShort.args[0]
      sends.get(Waits.JOIN);
    }
  }

  @Test
  void recvBytesIntoAReusedBufferAllocatesNoArrayPerMessage() throws Exception {
    allocatedByThisThread(); // skips the test where the JVM does not count them
    int n = 40;
    byte[] expected = message(5); // 1 MiB
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Background<Void> sends = Background.run(() -> {
        for (int i = 0; i < n; i++) {
          a.sendBytes(expected);
        }
        return null;
      });
      byte[] buf = new byte[expected.length];
      b.recvBytesInto(buf); // the first one loads and links what the path needs
      int wrong = 0;
      long before = allocatedByThisThread();
      for (int i = 1; i < n; i++) {
        if (b.recvBytesInto(buf) != expected.length || !Arrays.equals(buf, expected)) {
          wrong++;
        }
      }
      long allocated = allocatedByThisThread() - before;
      sends.get(Waits.JOIN);
      assertThat(wrong).isZero();
      // an array per message would be 39 MiB; what is left is the waits' small objects
      assertThat(allocated).as("bytes allocated by %d recvBytesInto of 1 MiB", n - 1).isLessThan(1 << 20);
    }
  }

  /**
   * Bytes allocated by this thread so far, through reflection: the tests are compiled into the
   * module, which does not read java.management.
   */
  private static long allocatedByThisThread() throws Exception {
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    Class<?> hotspot;
    try {
      hotspot = Class.forName("com.sun.management.ThreadMXBean");
    } catch (ClassNotFoundException e) {
      hotspot = null;
    }
    assumeThat(hotspot != null && hotspot.isInstance(bean)).as("per-thread allocation counters").isTrue();
    assumeThat((Boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean)).isTrue();
    return (Long) hotspot.getMethod("getThreadAllocatedBytes", long.class).invoke(bean, Thread.currentThread().getId());
  }
}
