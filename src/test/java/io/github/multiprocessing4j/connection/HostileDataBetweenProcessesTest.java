package io.github.multiprocessing4j.connection;

import static io.github.multiprocessing4j.testing.DeepGraphs.depth;
import static io.github.multiprocessing4j.testing.DeepGraphs.nested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.pool.MaybeEncodingException;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.Waits;
import java.util.HashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Deep and oversized values between processes: pipes, queues and pools (issue 12, section 4). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class HostileDataBetweenProcessesTest {

  private static final int TOO_LONG = 100_000_001;

  /** Sends a 700-deep HashMap, then what sending 100,000,001 bytes did. */
  static void sendDeepThenTooLong(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    c.send(nested(700));
    try {
      c.send(new byte[TOO_LONG]);
      c.send("sent");
    } catch (IllegalArgumentException e) {
      c.send("refused: " + e.getMessage());
    }
  }

  @Test
  void aDeepHashMapCrossesAPipeAndAnOversizedOneFailsItsSender() throws Exception {
    Pipe p = Pipe.open();
    Process child = Process.builder().target(HostileDataBetweenProcessesTest::sendDeepThenTooLong)
        .args(p.conn2()).build();
    child.start();
    try (Connection c = p.conn1()) {
      assertThat(depth(c.recv())).isEqualTo(700);
      assertThat((String) c.recv()).startsWith("refused: ")
          .contains("-Dmultiprocessing4j.maxMessageBytes");
    } finally {
      if (!child.join(Waits.LONG)) {
        child.kill();
        child.join(Waits.LONG);
      }
    }
    assertThat(child.exitCode()).isZero();
  }

  @Test
  void inOneProcessAPipeCarriesADeepHashMapAndRefusesSerialDosPromptly() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      a.send(nested(700));
      assertThat(depth(b.recv())).isEqualTo(700);
      a.send(serialDos(100));
      // CPU time of this process, which decodes: wall time on a loaded machine says nothing.
      long start = cpuNanos();
      assertThatThrownBy(b::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining("-Dmultiprocessing4j.maxSharedLevels");
      // Before: for ever (2^100 steps). Refused after a few milliseconds of CPU.
      assertThat(TimeUnit.NANOSECONDS.toMillis(cpuNanos() - start)).isLessThan(5_000);
      a.send("still usable");
      assertThat(b.recv()).isEqualTo("still usable");
    }
  }

  /** 100 levels of HashSets whose two chains share their children (SerialDOS). */
  static java.util.Set<Object> serialDos(int levels) {
    java.util.Set<Object> root = new java.util.HashSet<>();
    java.util.Set<Object> s1 = root;
    java.util.Set<Object> s2 = new java.util.HashSet<>();
    for (int i = 0; i < levels; i++) {
      java.util.Set<Object> t1 = new java.util.HashSet<>();
      java.util.Set<Object> t2 = new java.util.HashSet<>();
      t1.add("foo");
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  @Test
  void aQueueRefusesAnOversizedItemInThePuttersThread() throws Exception {
    Queue<Object> q = new Queue<>();
    try {
      assertThatThrownBy(() -> q.put(new byte[100 << 20]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-Dmultiprocessing4j.maxMessageBytes");
      q.put("after");
      assertThat(q.get()).isEqualTo("after");
    } finally {
      q.close();
      q.joinThread();
    }
  }

  @Test
  void aPoolReturnsADeepResultAndFailsAnOversizedOne() throws Exception {
    try (Pool pool = new Pool(1)) {
      assertThat(depth(pool.apply(() -> nested(620)))).isEqualTo(620);
      assertThatThrownBy(() -> pool.apply(() -> new byte[100 << 20]))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(MaybeEncodingException.class)
          .hasMessageContaining("-Dmultiprocessing4j.maxMessageBytes");
      assertThat(pool.apply(() -> 7)).isEqualTo(7);
    }
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }
}
