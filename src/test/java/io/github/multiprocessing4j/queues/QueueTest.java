package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queue between processes (§B.2). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class QueueTest {

  @SuppressWarnings("unchecked")
  static void produce(Args args) throws Exception {
    Queue<Object> q = args.get(0, Queue.class);
    int from = args.getInt(1);
    int n = args.getInt(2);
    for (int i = 0; i < n; i++) {
      q.put(from + i);
    }
  }

  @Test
  void manyProducersOneConsumerNothingLostOrDuplicated() throws Exception {
    Queue<Integer> q = new Queue<>();
    List<Process> ps = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      Process p = Process.builder().target(QueueTest::produce).args(q, k * 100_000, 5000).build();
      p.start();
      ps.add(p);
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 15000; i++) {
      assertThat(seen.add(q.get(Waits.JOIN))).isTrue();
    }
    for (Process p : ps) {
      p.join(Waits.JOIN);
      assertThat(p.exitCode()).isEqualTo(0);
    }
    assertThat(seen).hasSize(15000);
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < 5000; i++) {
        assertThat(seen).contains(k * 100_000 + i);
      }
    }
    assertThat(q.poll()).isEmpty();
  }

  @SuppressWarnings("unchecked")
  static void consume(Args args) throws Exception {
    Queue<Object> in = args.get(0, Queue.class);
    Queue<Object> out = args.get(1, Queue.class);
    long sum = 0;
    while (true) {
      Object o = in.get();
      if (o == null) {
        break;
      }
      sum += (Integer) o;
    }
    out.put(sum);
  }

  @Test
  void aProducerChildAndAConsumerChildOnOneQueue() throws Exception {
    Queue<Object> q = new Queue<>();
    Queue<Object> result = new Queue<>();
    Process consumer = Process.builder().target(QueueTest::consume).args(q, result).build();
    Process producer = Process.builder().target(QueueTest::produce).args(q, 1, 1000).build();
    consumer.start();
    producer.start();
    producer.join(Waits.JOIN);
    q.put(null);
    assertThat(result.get(Waits.JOIN)).isEqualTo(500500L);
    consumer.join(Waits.JOIN);
    assertThat(consumer.exitCode()).isEqualTo(0);
  }

  @SuppressWarnings("unchecked")
  static void putBigAndExit(Args args) throws Exception {
    args.get(0, Queue.class).put(new byte[1 << 20]);
  }

  @Test
  void aChildThatPutsABigItemAndExitsIsJoinableBeforeTheItemIsTaken() throws Exception {
    Queue<byte[]> q = new Queue<>();
    Process p = Process.builder().target(QueueTest::putBigAndExit).args(q).build();
    p.start();
    p.join(Waits.JOIN); // CPython: the child could not exit until the parent drained the pipe
    assertThat(p.exitCode()).isEqualTo(0);
    assertThat(q.get(Waits.JOIN)).hasSize(1 << 20);
  }

  @Test
  void aNonSerializableItemFailsInTheCallersThread() {
    Queue<Object> q = new Queue<>();
    assertThatThrownBy(() -> q.put(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    assertThat(q.qsize()).isZero();
  }

  @Test
  void boundedQueueFullAndEmpty() throws Exception {
    Queue<Integer> q = new Queue<>(2);
    q.put(1);
    q.put(2);
    assertThat(q.full()).isTrue();
    assertThatThrownBy(() -> q.putNowait(3)).isInstanceOf(QueueFullException.class);
    assertThat(q.offer(3, Duration.ofMillis(50))).isFalse();
    assertThat(q.get()).isEqualTo(1);
    assertThat(q.get()).isEqualTo(2);
    assertThatThrownBy(q::getNowait).isInstanceOf(QueueEmptyException.class);
    assertThatThrownBy(() -> q.get(Duration.ofMillis(50))).isInstanceOf(QueueEmptyException.class);
    q.close();
    assertThatThrownBy(() -> q.put(1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void emptyAfterCloseAnswersForAQueueThisProcessNeverPutToAndIsClosedForOneItPutTo() throws Exception {
    Queue<Integer> unused = new Queue<>();
    unused.close();
    assertThat(unused.empty()).isTrue(); // CPython: closing an unused queue does nothing
    Queue<Integer> used = new Queue<>();
    used.put(1);
    assertThat(used.get()).isEqualTo(1);
    used.close();
    assertThatThrownBy(used::empty).isInstanceOf(io.github.multiprocessing4j.connection.ConnectionException.class)
        .hasMessage("handle is closed");
    JoinableQueue<Integer> joinable = new JoinableQueue<>();
    joinable.put(1);
    joinable.close();
    assertThatThrownBy(joinable::empty).isInstanceOf(io.github.multiprocessing4j.connection.ConnectionException.class)
        .hasMessage("handle is closed");
    SimpleQueue<Integer> simple = new SimpleQueue<>();
    simple.close();
    assertThatThrownBy(simple::empty).isInstanceOf(io.github.multiprocessing4j.connection.ConnectionException.class)
        .hasMessage("handle is closed"); // CPython's SimpleQueue closes its pipe even unused
  }

  /** A class a filter can single out. */
  record Secret(String value) implements java.io.Serializable {
  }

  @Test
  void anItemTheFilterRefusesFailsTheGetNamingItsClassAndTheQueueGoesOn() throws Exception {
    Queue<Object> q = new Queue<>();
    q.setSerialFilter(info -> info.serialClass() == Secret.class
        ? java.io.ObjectInputFilter.Status.REJECTED : java.io.ObjectInputFilter.Status.UNDECIDED);
    q.put(new Secret("x"));
    q.put("fine");
    assertThatThrownBy(q::get).isInstanceOf(io.github.multiprocessing4j.connection.ConnectionException.class)
        .hasMessageContaining(Secret.class.getName()).hasMessageContaining("rejected");
    assertThat(q.get()).isEqualTo("fine");
  }
}
