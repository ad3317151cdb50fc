package io.github.multiprocessing4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.shm.MappedRegion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ring on its own, over plain direct memory: no process, file or socket. */
@Timeout(60)
class RingTest {

  private static final int CAPACITY = 4096;
  private static final int CHUNK = 1024;

  /** Two rings, as in a ring file, over direct memory; returns the first. */
  private static Ring[] pair() {
    MappedRegion region = MappedRegion.of(ByteBuffer.allocateDirect((int) Ring.pairBytes(CAPACITY)));
    return new Ring[] {new Ring(region, 0, CAPACITY, CHUNK), new Ring(region, Ring.HEADER + CAPACITY, CAPACITY, CHUNK)};
  }

  private static byte[] prefix(int len) {
    return new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
  }

  /** Writes all of {@code b} at {@code wp}, which must fit; returns the new position. */
  private static long writeAll(Ring r, byte[] b, long wp) {
    int off = 0;
    while (off < b.length) {
      int n = r.write(b, off, b.length - off, wp);
      assertThat(n).as("room for the test's bytes").isPositive();
      off += n;
      wp += n;
    }
    return wp;
  }

  /** Reads {@code len} published bytes at {@code rp}, which must be there. */
  private static byte[] readAll(Ring r, int len, long rp) {
    byte[] b = new byte[len];
    int got = 0;
    while (got < len) {
      int n = r.read(b, got, len - got, rp + got);
      assertThat(n).as("published bytes").isPositive();
      got += n;
    }
    return b;
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void anEmptyRingHasNothingToReadAndAMessageComesOutAsItWentIn() {
    Ring r = pair()[0];
    long rp = r.readPosition();
    assertThat(r.available(rp)).isZero();
    assertThat(r.read(new byte[8], 0, 8, rp)).isZero();

    byte[] msg = bytes(100, 1);
    long wp = writeAll(r, prefix(msg.length), r.writePosition());
    wp = writeAll(r, msg, wp);
    assertThat(r.available(rp)).as("nothing before publish").isZero();
    r.publish(wp);

    assertThat(r.available(rp)).isEqualTo(Ring.LENGTH_BYTES + msg.length);
    assertThat(r.length(rp)).isEqualTo(msg.length);
    assertThat(readAll(r, msg.length, rp + Ring.LENGTH_BYTES)).isEqualTo(msg);
    r.release(wp);
    assertThat(r.readPosition()).isEqualTo(wp);
    assertThat(r.available(wp)).isZero();
  }

  @Test
  void aMessageAndItsLengthWrapAroundTheEndOfTheRing() {
    Ring r = pair()[0];
    // move both positions to two bytes before the end: the prefix itself straddles it
    long pos = writeAll(r, new byte[CAPACITY - 2], 0);
    r.publish(pos);
    r.release(pos);
    for (int round = 0; round < 3; round++) {
      byte[] msg = bytes(CAPACITY / 2 + round, round);
      long start = pos;
      long wp = writeAll(r, msg, writeAll(r, prefix(msg.length), start));
      r.publish(wp);
      assertThat(r.length(start)).isEqualTo(msg.length);
      assertThat(readAll(r, msg.length, start + Ring.LENGTH_BYTES)).isEqualTo(msg);
      r.release(wp);
      pos = wp;
    }
    assertThat(pos).as("went round the ring").isGreaterThan(2L * CAPACITY);
  }

  @Test
  void aFullRingTakesNothingUntilTheConsumerReleasesRoom() {
    Ring r = pair()[0];
    byte[] block = bytes(CAPACITY, 7);
    long wp = writeAll(r, block, 0); // exactly full, chunk by chunk
    assertThat(r.hasRoom(wp)).isFalse();
    assertThat(r.write(new byte[1], 0, 1, wp)).as("a full ring").isZero();
    r.publish(wp);

    byte[] head = new byte[100];
    assertThat(r.read(head, 0, head.length, 0)).isEqualTo(head.length);
    assertThat(r.hasRoom(wp)).as("not released yet").isFalse();
    r.release(head.length);
    assertThat(r.hasRoom(wp)).isTrue();
    assertThat(r.write(bytes(500, 8), 0, 500, wp)).as("exactly the room released").isEqualTo(head.length);
  }

  @Test
  void aMessageLargerThanTheRingGoesThroughInChunksAsTheConsumerReleases() {
    Ring r = pair()[0];
    byte[] msg = bytes(10 * CAPACITY + 123, 3);
    byte[] got = new byte[msg.length];
    long wp = writeAll(r, prefix(msg.length), 0);
    r.publish(wp);
    assertThat(r.length(0)).isEqualTo(msg.length);
    long rp = Ring.LENGTH_BYTES;
    r.release(rp);
    int sent = 0;
    int received = 0;
    int turns = 0;
    while (received < msg.length) {
      int n;
      while (sent < msg.length && (n = r.write(msg, sent, msg.length - sent, wp)) > 0) {
        assertThat(n).as("one write copies a chunk at most").isLessThanOrEqualTo(CHUNK);
        sent += n;
        wp += n;
        r.publish(wp);
      }
      assertThat(wp - rp).as("never more than the ring holds").isLessThanOrEqualTo(CAPACITY);
      while ((n = r.read(got, received, msg.length - received, rp)) > 0) {
        assertThat(n).isLessThanOrEqualTo(CHUNK);
        received += n;
        rp += n;
      }
      r.release(rp);
      turns++;
    }
    assertThat(got).isEqualTo(msg);
    assertThat(turns).as("the ring filled and emptied more than once").isGreaterThan(5);
  }

  @Test
  void aNegativeLengthPrefixIsReportedAsACorruptRing() {
    Ring r = pair()[0];
    long wp = writeAll(r, new byte[] {(byte) 0x80, 0, 0, 1}, 0);
    r.publish(wp);
    assertThatThrownBy(() -> r.length(0))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("bad message length")
        .hasMessageContaining("corrupt");
  }

  @Test
  void aParkedSideIsWokenOnceAndOnlyWhenItAnnouncedIt() {
    Ring r = pair()[0];
    long wp = writeAll(r, new byte[10], 0);
    assertThat(r.publish(wp)).as("nobody parked").isFalse();
    r.consumerParks();
    assertThat(r.publish(wp)).as("the consumer parked: wake it").isTrue();
    assertThat(r.publish(wp)).as("already woken").isFalse();
    r.consumerParks();
    r.consumerUnparks();
    assertThat(r.publish(wp)).as("it found data itself").isFalse();

    assertThat(r.release(wp)).isFalse();
    r.producerParks();
    assertThat(r.release(wp)).as("the producer parked: wake it").isTrue();
    assertThat(r.release(wp)).isFalse();
  }

  @Test
  void theTwoRingsOfAFileAreIndependentAndTheirEndsCloseSeparately() {
    Ring[] rings = pair();
    long wp = writeAll(rings[0], bytes(CAPACITY, 5), 0);
    rings[0].publish(wp);
    assertThat(rings[1].available(0)).isZero();
    assertThat(rings[1].hasRoom(0)).isTrue();

    rings[0].closeConsumer();
    assertThat(rings[0].consumerClosed()).isTrue();
    assertThat(rings[0].producerClosed()).isFalse();
    assertThat(rings[1].consumerClosed()).isFalse();
    rings[1].closeProducer();
    assertThat(rings[1].producerClosed()).isTrue();
    assertThat(rings[0].producerClosed()).isFalse();
  }

  @Test
  void aRingMustFitItsRegionAndHaveAPowerOfTwoCapacity() {
    MappedRegion region = MappedRegion.of(ByteBuffer.allocateDirect(Ring.HEADER + CAPACITY));
    assertThat(new Ring(region, 0, CAPACITY, CHUNK).capacity()).isEqualTo(CAPACITY);
    assertThatThrownBy(() -> new Ring(region, 0, CAPACITY - 1, CHUNK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ring(region, 8, CAPACITY, CHUNK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MappedRegion.of(ByteBuffer.allocate(64))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoThreadsStreamMessagesLargerThanTheRing() throws Exception {
    Ring r = pair()[0];
    int messages = 50;
    FutureTask<Void> producer = new FutureTask<>(() -> {
      long wp = r.writePosition();
      for (int i = 0; i < messages; i++) {
        byte[] msg = bytes(i * 397 + (i % 3) * CAPACITY, i);
        for (byte[] part : new byte[][] {prefix(msg.length), msg}) {
          int off = 0;
          while (off < part.length) {
            int n = r.write(part, off, part.length - off, wp);
            if (n == 0) {
              if (Thread.interrupted()) {
                throw new InterruptedException("the consumer gave up");
              }
              Thread.onSpinWait(); // polls for room: the consumer is another thread of this test
              continue;
            }
            off += n;
            wp += n;
            r.publish(wp);
          }
        }
      }
      return null;
    });
    Thread t = new Thread(producer, "test-ring-producer");
    t.setDaemon(true);
    t.start();
    try {
      long rp = r.readPosition();
      for (int i = 0; i < messages; i++) {
        while (r.available(rp) < Ring.LENGTH_BYTES) {
          Thread.onSpinWait();
          checkAlive(producer);
        }
        int len = r.length(rp);
        rp += Ring.LENGTH_BYTES;
        byte[] got = new byte[len];
        int off = 0;
        while (off < len) {
          int n = r.read(got, off, len - off, rp);
          if (n == 0) {
            checkAlive(producer);
            Thread.onSpinWait();
            continue;
          }
          off += n;
          rp += n;
          r.release(rp);
        }
        r.release(rp);
        assertThat(Arrays.equals(got, bytes(i * 397 + (i % 3) * CAPACITY, i))).as("message " + i).isTrue();
      }
      producer.get(30, TimeUnit.SECONDS);
    } finally {
      producer.cancel(true);
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(t.isAlive()).isFalse();
  }

  /** Fails at once if the producer failed, instead of polling for data that never comes. */
  private static void checkAlive(FutureTask<Void> producer) throws InterruptedException, ExecutionException {
    if (producer.isDone()) {
      try {
        producer.get(0, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(e);
      }
    }
  }
}
