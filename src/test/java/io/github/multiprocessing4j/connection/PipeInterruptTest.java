package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Waits;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An interrupt that comes while a message larger than the free room is half way into (or out of)
 * the ring must not leave half a message in the stream: what follows would be read as garbage.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class PipeInterruptTest {

  private static byte[] big() {
    byte[] big = new byte[5 << 20]; // more than the 4 MiB ring
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    return big;
  }

  @Test
  void aSendInterruptedHalfWayFinishesItsMessageAndKeepsTheFlag() throws Exception {
    byte[] big = big();
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Background<Boolean> sender = Background.run(() -> {
        try {
          a.sendBytes(big);
        } catch (InterruptedException e) {
          return false;
        }
        return Thread.currentThread().isInterrupted();
      });
      sender.awaitParkedIn("awaitRoom", Waits.JOIN); // 4 MiB of it are in the ring, and published
      sender.interrupt();
      Background<byte[]> first = Background.run(b::recvBytes);
      boolean finishedWithFlag = sender.get(Waits.JOIN);
      a.sendBytes("after".getBytes());
      assertThat(Arrays.equals(first.get(Waits.JOIN), big)).as("the big message arrives whole").isTrue();
      assertThat(b.recvBytes()).isEqualTo("after".getBytes());
      assertThat(finishedWithFlag).as("the send finished, with the interrupt flag set").isTrue();
    }
  }

  @Test
  void aSendInterruptedBeforeAnyOfItsMessageWentInThrows() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      byte[] fill = new byte[(4 << 20) - 4]; // fills the ring exactly, with its length prefix
      a.sendBytes(fill);
      Background<Boolean> sender = Background.run(() -> {
        try {
          a.sendBytes("second".getBytes());
        } catch (InterruptedException e) {
          return false;
        }
        return true;
      });
      sender.awaitParkedIn("awaitRoom", Waits.JOIN);
      sender.interrupt();
      assertThat(sender.get(Waits.JOIN)).as("interrupted while the ring was full").isFalse();
      assertThat(b.recvBytes()).hasSize(fill.length);
      a.sendBytes("third".getBytes());
      assertThat(b.recvBytes()).isEqualTo("third".getBytes());
    }
  }

  @Test
  void receivesInterruptedWhereverTheyWaitLoseNoByte() throws Exception {
    int count = 8;
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      java.util.concurrent.atomic.AtomicInteger interruptions = new java.util.concurrent.atomic.AtomicInteger();
      Background<Void> sender = Background.run(() -> {
        // Not before the receiver was interrupted in a wait at least once: a receiver that never
        // had to park (the messages came at once) would test nothing.
        Waits.until(() -> interruptions.get() > 0, "the receiver was interrupted in a wait");
        for (int i = 0; i < count; i++) {
          a.sendBytes(message(i));
        }
        return null;
      });
      Thread[] me = new Thread[1];
      Background<String> receiver = Background.run(() -> {
        me[0] = Thread.currentThread();
        for (int i = 0; i < count; ) {
          byte[] got;
          try {
            got = b.recvBytes(6 << 20); // a corrupt length fails here instead of waiting for ever
          } catch (InterruptedException e) {
            continue; // nothing was consumed: the same message comes next
          } catch (ConnectionException e) {
            return "message " + i + ": " + e.getMessage();
          }
          Thread.interrupted(); // an interrupt that came half way: the message is whole
          if (!Arrays.equals(got, message(i))) {
            return "message " + i + " differs (" + got.length + " bytes)";
          }
          i++;
        }
        return "ok";
      });
      // interrupt the receiver every time it parks, in whatever wait (for a length, or for the rest)
      long deadline = System.nanoTime() + Waits.JOIN.toNanos();
      while (!receiver.isDone() && System.nanoTime() - deadline < 0) {
        Thread t = me[0];
        if (t != null && t.getState() == Thread.State.WAITING) {
          t.interrupt();
          interruptions.incrementAndGet();
        }
        Thread.onSpinWait();
      }
      assertThat(receiver.get(Waits.JOIN)).isEqualTo("ok");
      sender.get(Waits.JOIN);
      assertThat(interruptions.get()).isPositive();
    }
  }

  private static byte[] message(int i) {
    byte[] m = new byte[(5 << 20) + i];
    for (int k = 0; k < m.length; k++) {
      m[k] = (byte) (k * 31 + i);
    }
    return m;
  }
}
