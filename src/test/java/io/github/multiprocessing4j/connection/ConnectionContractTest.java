package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Connection contract of §B.1 within one process: CPython's checks, errors and messages. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ConnectionContractTest {

  @Test
  void sendBytesChecksOffsetAndSizeAsCPython() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      byte[] buf = "hello".getBytes();
      assertThatThrownBy(() -> a.sendBytes(buf, -1)).hasMessage("offset is negative");
      assertThatThrownBy(() -> a.sendBytes(buf, 6)).hasMessage("buffer length < offset");
      assertThatThrownBy(() -> a.sendBytes(buf, 1, -1)).hasMessage("size is negative");
      assertThatThrownBy(() -> a.sendBytes(buf, 2, 4)).hasMessage("buffer length < offset + size");
      a.sendBytes(buf, 5); // offset == length: an empty message
      a.sendBytes(buf, 1, 3);
      assertThat(b.recvBytes()).isEmpty();
      assertThat(new String(b.recvBytes())).isEqualTo("ell");
    }
  }

  @Test
  void aMessageOverMaxLengthMakesTheEndUnreadable() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      assertThatThrownBy(() -> b.recvBytes(-1)).hasMessage("negative maxlength");
      a.sendBytes(new byte[100]);
      assertThatThrownBy(() -> b.recvBytes(10)).isInstanceOf(ConnectionException.class)
          .hasMessageStartingWith("bad message length");
      assertThat(b.isReadable()).isFalse();
      assertThatThrownBy(b::recvBytes).hasMessage("connection is write-only");
      b.send("still writable");
      assertThat(a.recv()).isEqualTo("still writable");
    }
  }

  @Test
  void aTooLongMessageClosesAReceiveOnlyEndAsCPython() throws Exception {
    Pipe p = Pipe.open(false);
    try (Connection r = p.conn1(); Connection w = p.conn2()) {
      w.sendBytes(new byte[100]);
      assertThatThrownBy(() -> r.recvBytes(10)).isInstanceOf(ConnectionException.class)
          .hasMessageStartingWith("bad message length");
      assertThat(r.isClosed()).isTrue();
      assertThatThrownBy(r::recvBytes).hasMessage("handle is closed");
    }
  }

  @Test
  void recvBytesIntoFitsOrThrowsBufferTooShortWithTheWholeMessage() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
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

  @Test
  void aClosedEndSaysHandleIsClosedAndItsPeerSeesTheEnd() throws Exception {
    Pipe p = Pipe.open();
    Connection a = p.conn1();
    Connection b = p.conn2();
    a.send("last");
    a.close();
    a.close(); // idempotent
    assertThat(a.isClosed()).isTrue();
    assertThatThrownBy(() -> a.send(1)).hasMessage("handle is closed");
    assertThatThrownBy(a::recv).hasMessage("handle is closed");
    assertThatThrownBy(a::poll).hasMessage("handle is closed");
    assertThat(b.recv()).isEqualTo("last");
    assertThat(b.poll()).isTrue(); // the end of the stream is readable
    assertThatThrownBy(b::recv).isInstanceOf(PeerClosedException.class);
    assertThatThrownBy(() -> b.send(1)).isInstanceOf(BrokenPipeException.class);
    b.close();
  }

  @Test
  void pollWaitsUpToItsTimeoutAndReturnsTrueWithoutConsuming() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
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

  @Test
  void closeFromAnotherThreadWakesABlockedReceiver() throws Exception {
    Pipe p = Pipe.open();
    Connection b = p.conn2();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      started.countDown();
      try {
        b.recv();
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    started.await();
    assertThat(io.github.multiprocessing4j.testing.Pids.await(() -> t.getState() == Thread.State.WAITING,
        Duration.ofSeconds(10))).as("the receiver parked").isTrue();
    b.close();
    t.join(5_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(failure.get()).isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
    p.conn1().close();
  }

  @Test
  void manyThreadsSendingOnOneEndNeverInterleaveMessages() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      List<Thread> ts = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        byte fill = (byte) k;
        Thread t = new Thread(() -> {
          byte[] m = new byte[3000];
          java.util.Arrays.fill(m, fill);
          try {
            for (int i = 0; i < 500; i++) {
              a.sendBytes(m);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        t.start();
        ts.add(t);
      }
      for (int i = 0; i < 2000; i++) {
        byte[] m = b.recvBytes();
        assertThat(m).hasSize(3000);
        for (byte x : m) {
          assertThat(x).isEqualTo(m[0]);
        }
      }
      for (Thread t : ts) {
        t.join();
      }
    }
  }

  /** A class a filter can single out. */
  record Secret(String value) implements Serializable {
  }

  @Test
  void aClassTheFilterRefusesFailsTheReceiveAndNamesIt() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      b.setSerialFilter(info -> info.serialClass() == Secret.class
          ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
      a.send(new Secret("x"));
      a.send("fine");
      assertThatThrownBy(b::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining(Secret.class.getName()).hasMessageContaining("rejected");
      assertThat(b.recv()).isEqualTo("fine"); // the channel goes on
    }
  }

  @Test
  void aNonSerializableObjectFailsSendInTheCallersThread() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      assertThatThrownBy(() -> a.send(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.Object");
      assertThat(b.poll()).isFalse();
    }
  }
}
