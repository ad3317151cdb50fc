package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.connection.ConnectionKind.Channel;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Connection contract of §B.1 within one process, one body run against every
 * {@link ConnectionKind} (both kinds of pipe, Unix and TCP sockets): CPython's checks, errors and
 * messages. {@link ConnectionBetweenProcessesContractTest} holds the same idea across processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConnectionContractTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void messagesKeepTheirBoundariesAndOrder(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      a.sendBytes("a".getBytes());
      a.sendBytes(new byte[0]);
      a.sendBytes("bc".getBytes());
      a.send(Map.of("k", 1));
      assertThat(b.recvBytes()).containsExactly('a');
      assertThat(b.recvBytes()).isEmpty();
      assertThat(b.recvBytes()).containsExactly('b', 'c');
      assertThat(b.recv()).isEqualTo(Map.of("k", 1));
      assertThat(b.poll()).isFalse();
      if (kind.duplex()) {
        b.send(List.of(1, 2, 3));
        assertThat(a.recv()).isEqualTo(List.of(1, 2, 3));
        assertThat(a.poll()).isFalse();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void aMessageLargerThanTheRingStreamsThrough(ConnectionKind kind) throws Exception {
    byte[] big = new byte[5 << 20]; // more than a pipe's 4 MiB ring, more than one socket write
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    try (Channel ch = kind.open()) {
      Background<Void> sending = Background.run(() -> {
        ch.sender().sendBytes(big);
        return null;
      });
      assertThat(Arrays.equals(ch.receiver().recvBytes(), big)).isTrue();
      sending.get(Waits.JOIN);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void sendBytesChecksOffsetAndSizeAsCPython(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      byte[] buf = "hello".getBytes();
      assertThatThrownBy(() -> a.sendBytes(buf, -1)).hasMessage("offset is negative");
      assertThatThrownBy(() -> a.sendBytes(buf, 6)).hasMessage("buffer length < offset");
      assertThatThrownBy(() -> a.sendBytes(buf, 1, -1)).hasMessage("size is negative");
      assertThatThrownBy(() -> a.sendBytes(buf, 2, 4)).hasMessage("buffer length < offset + size");
      a.sendBytes(buf, 5); // offset == length: an empty message
      a.sendBytes(buf, 1, 3);
      assertThat(ch.receiver().recvBytes()).isEmpty();
      assertThat(new String(ch.receiver().recvBytes())).isEqualTo("ell");
    }
  }

  /**
   * CPython's {@code _bad_message_length}: an end that can also send becomes write-only; a
   * receive-only end is closed.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void aMessageOverMaxLengthMakesTheEndWriteOnlyOrClosesIt(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      assertThatThrownBy(() -> b.recvBytes(-1)).hasMessage("negative maxlength");
      a.sendBytes(new byte[100]);
      assertThatThrownBy(() -> b.recvBytes(10)).isInstanceOf(ConnectionException.class)
          .hasMessageStartingWith("bad message length");
      if (kind.duplex()) {
        assertThat(b.isReadable()).isFalse();
        assertThatThrownBy(b::recvBytes).hasMessage("connection is write-only");
        b.send("still writable");
        assertThat(a.recv()).isEqualTo("still writable");
      } else {
        assertThat(b.isClosed()).isTrue();
        assertThatThrownBy(b::recvBytes).hasMessage("handle is closed");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void recvBytesIntoFitsOrThrowsBufferTooShortWithTheWholeMessage(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      byte[] buf = new byte[8];
      assertThatThrownBy(() -> b.recvBytesInto(buf, -1)).hasMessage("negative offset");
      assertThatThrownBy(() -> b.recvBytesInto(buf, 9)).hasMessage("offset too large");
      a.sendBytes("abc".getBytes());
      assertThat(b.recvBytesInto(buf, 5)).isEqualTo(3);
      assertThat(new String(buf, 5, 3)).isEqualTo("abc");
      a.sendBytes("0123456789".getBytes());
      assertThatThrownBy(() -> b.recvBytesInto(buf))
          .isInstanceOfSatisfying(BufferTooShortException.class,
              e -> assertThat(new String(e.message())).isEqualTo("0123456789"));
      assertThat(b.poll()).isFalse(); // it was consumed
    }
  }

  @Test
  void aOneWayPipeReceivesOnConn1AndSendsOnConn2() throws Exception {
    Pipe p = Pipe.open(false);
    try (Connection r = p.conn1(); Connection w = p.conn2()) {
      assertThat(r.isReadable()).isTrue();
      assertThat(r.isWritable()).isFalse();
      assertThat(w.isReadable()).isFalse();
      assertThat(w.isWritable()).isTrue();
      assertThatThrownBy(() -> r.send(1)).hasMessage("connection is read-only");
      assertThatThrownBy(w::recv).hasMessage("connection is write-only");
      assertThatThrownBy(w::poll).hasMessage("connection is write-only");
      w.send(42);
      assertThat(r.recv(Integer.class)).isEqualTo(42);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void aClosedEndSaysHandleIsClosedAndItsPeerSeesTheEnd(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      a.send("last");
      a.close();
      a.close(); // idempotent
      assertThat(a.isClosed()).isTrue();
      assertThatThrownBy(() -> a.send(1)).hasMessage("handle is closed");
      assertThatThrownBy(a::recv).hasMessage("handle is closed");
      assertThatThrownBy(a::poll).hasMessage("handle is closed");
      assertThat(b.recv()).isEqualTo("last");
      assertThat(b.poll(Waits.JOIN)).isTrue(); // the end of the stream is readable
      assertThat(b.poll()).isTrue();
      assertThatThrownBy(b::recv).isInstanceOf(PeerClosedException.class);
      if (kind.duplex()) {
        assertSendingBreaks(kind, b);
      }
    }
  }

  /**
   * A send to a closed peer is a {@link BrokenPipeException}; over TCP the first write after the
   * peer's close may still be accepted by the kernel and answered by a reset, as in CPython, so a
   * later one must fail.
   */
  static void assertSendingBreaks(ConnectionKind kind, Connection c) {
    if (kind != ConnectionKind.TCP_SOCKET) {
      assertThatThrownBy(() -> c.send(1)).isInstanceOf(BrokenPipeException.class);
      return;
    }
    long deadline = System.nanoTime() + Waits.JOIN.toNanos();
    BrokenPipeException broken = null;
    while (broken == null && System.nanoTime() - deadline < 0) {
      try {
        c.sendBytes(new byte[] {1});
      } catch (BrokenPipeException e) {
        broken = e;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertThat(broken).as("a send to the closed peer failed").isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void pollWaitsUpToItsTimeoutAndReturnsTrueWithoutConsuming(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      long t0 = System.nanoTime();
      assertThat(b.poll(Duration.ofMillis(200))).isFalse();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(190));
      assertThat(b.poll(Duration.ofMillis(-5))).isFalse();
      a.send("x");
      assertThat(b.poll(ChronoUnit.FOREVER.getDuration())).isTrue();
      assertThat(b.poll()).isTrue();
      assertThat(b.recv()).isEqualTo("x");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void closeFromAnotherThreadWakesABlockedReceiver(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection b = ch.receiver();
      Background<Object> receiving = Background.run(b::recv);
      if (kind.socket()) {
        receiving.awaitBlockedInSelect(Waits.JOIN);
      } else {
        receiving.awaitParked(Waits.JOIN);
      }
      b.close();
      assertThatThrownBy(() -> receiving.get(Waits.JOIN))
          .isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void manyThreadsSendingOnOneEndNeverInterleaveMessages(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      List<Background<Void>> senders = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        byte fill = (byte) k;
        senders.add(Background.run(() -> {
          byte[] m = new byte[3000];
          Arrays.fill(m, fill);
          for (int i = 0; i < 500; i++) {
            a.sendBytes(m);
          }
          return null;
        }));
      }
      for (int i = 0; i < 2000; i++) {
        byte[] m = b.recvBytes();
        assertThat(m).hasSize(3000);
        for (byte x : m) {
          assertThat(x).isEqualTo(m[0]);
        }
      }
      for (Background<Void> s : senders) {
        s.get(Waits.JOIN);
      }
    }
  }

  /** A class a filter can single out. */
  record Secret(String value) implements Serializable {
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void aClassTheFilterRefusesFailsTheReceiveAndNamesIt(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      Connection a = ch.sender();
      Connection b = ch.receiver();
      b.setSerialFilter(info -> info.serialClass() == Secret.class
          ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
      a.send(new Secret("x"));
      a.send("fine");
      assertThatThrownBy(b::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining(Secret.class.getName()).hasMessageContaining("rejected");
      assertThat(b.recv()).isEqualTo("fine"); // the channel goes on
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ConnectionKind.class)
  void aNonSerializableObjectFailsSendInTheCallersThread(ConnectionKind kind) throws Exception {
    try (Channel ch = kind.open()) {
      assertThatThrownBy(() -> ch.sender().send(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.Object");
      assertThat(ch.receiver().poll()).isFalse();
    }
  }
}
