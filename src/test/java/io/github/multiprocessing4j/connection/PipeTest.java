package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipe and Connection within one process and between processes (§B.1). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class PipeTest {

  @Test
  void messagesKeepTheirBoundariesAndOrderInOneProcess() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      a.sendBytes("a".getBytes());
      a.sendBytes(new byte[0]);
      a.sendBytes("bc".getBytes());
      a.send(Map.of("k", 1));
      b.send(List.of(1, 2, 3));
      assertThat(b.recvBytes()).containsExactly('a');
      assertThat(b.recvBytes()).isEmpty();
      assertThat(b.recvBytes()).containsExactly('b', 'c');
      assertThat(b.recv()).isEqualTo(Map.of("k", 1));
      assertThat(a.recv()).isEqualTo(List.of(1, 2, 3));
      assertThat(a.poll()).isFalse();
    }
  }

  @Test
  void aMessageLargerThanTheRingStreamsThrough() throws Exception {
    Pipe p = Pipe.open();
    byte[] big = new byte[5 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Thread t = new Thread(() -> {
        try {
          a.sendBytes(big);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      assertThat(Arrays.equals(b.recvBytes(), big)).isTrue();
      t.join();
    }
  }

  static void echo(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    while (true) {
      Object o = c.recv();
      if ("stop".equals(o)) {
        return;
      }
      c.send(o);
    }
  }

  @Test
  void aChildEchoesOverAPipe() throws Exception {
    Pipe p = Pipe.open();
    Process child = Process.builder().target(PipeTest::echo).args(p.conn2()).build();
    child.start();
    p.conn2().close();
    try (Connection c = p.conn1()) {
      for (int i = 0; i < 1000; i++) {
        Map<String, Object> m = new HashMap<>();
        m.put("i", i);
        c.send(m);
        assertThat(c.recv()).isEqualTo(m);
      }
      c.send("stop");
      child.join(Waits.JOIN);
      assertThat(child.exitCode()).isEqualTo(0);
      assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
      assertThatThrownBy(() -> c.send("x")).isInstanceOf(BrokenPipeException.class);
    }
  }
}
