package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.shared.TypeCode;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/** SyncManager's Array and JoinableQueue (§B.6), used from children. One manager for the class. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedArrayAndJoinableQueueTest {

  private static SharedManager shared;
  private static SyncManager manager;

  @BeforeAll
  static void startManager(TestInfo info) {
    shared = SharedManager.start(info);
    manager = shared.manager;
  }

  @AfterAll
  static void shutDownManager() throws InterruptedException {
    shared.stop();
  }

  static void fillOne(Args args) {
    ArrayProxy a = args.get(0, ArrayProxy.class);
    int i = args.getInt(1);
    a.set(i, (i + 1) * 10L);
  }

  @Test
  void anArrayIsFilledByThreeChildren() throws Exception {
    ArrayProxy a = manager.array('i', 3);
    assertThat(a.toList()).containsExactly(0, 0, 0);
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Process p = Process.builder().target(ManagedArrayAndJoinableQueueTest::fillOne).args(a, i).build();
      p.start();
      ps.add(p);
    }
    for (Process p : ps) {
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
    }
    assertThat(a.toList()).containsExactly(10, 20, 30);
    assertThat(a.length()).isEqualTo(3);
    assertThat(a.typeCode()).isEqualTo(TypeCode.of('i'));
    assertThat(a.get(-1)).isEqualTo(30);
    assertThat(a.getInt(1)).isEqualTo(20);
    assertThat(a.slice(1, 3)).containsExactly(20, 30);
    a.setSlice(0, 2, List.of(1, 2));
    assertThat(a.toList()).containsExactly(1, 2, 30);
    assertThat(a.toString()).isEqualTo("array('i', [1, 2, 30])");
  }

  @Test
  void anArrayRefusesAnIndexOutOfRangeAndAValueOfTheWrongKind() {
    ArrayProxy a = manager.array('d', List.of(1.5, 2.5));
    assertThat(a.getDouble(0)).isEqualTo(1.5);
    a.set(1, 4.0);
    assertThat(a.toList()).containsExactly(1.5, 4.0);
    assertThatThrownBy(() -> a.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> a.set(5, 1.0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> a.set(0, "x")).isInstanceOf(IllegalArgumentException.class);
    ArrayProxy bytes = manager.array('b', List.of(200));
    assertThat(bytes.get(0)).as("wraps around as C").isEqualTo((byte) -56);
    assertThatThrownBy(() -> manager.array('z', 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @SuppressWarnings("unchecked")
  static void consume(Args args) throws Exception {
    JoinableQueueProxy<Integer> q = args.get(0, JoinableQueueProxy.class);
    List<Integer> done = args.get(1, List.class);
    int n = args.getInt(2);
    for (int i = 0; i < n; i++) {
      Integer item = q.poll(Waits.LONG.toMillis(), TimeUnit.MILLISECONDS);
      done.add(item); // before taskDone: join() must not return before this is in the list
      q.taskDone();
    }
  }

  @SuppressWarnings("unchecked")
  static void produceItems(Args args) throws Exception {
    JoinableQueueProxy<Integer> q = args.get(0, JoinableQueueProxy.class);
    for (int i = 0; i < args.getInt(1); i++) {
      q.put(i);
    }
  }

  @Test
  void joinReturnsOnceAConsumerInAnotherProcessCalledTaskDoneForEveryItem() throws Exception {
    JoinableQueueProxy<Integer> q = manager.joinableQueue();
    List<Integer> done = manager.list();
    int n = 20;
    Process consumer = Process.builder().target(ManagedArrayAndJoinableQueueTest::consume).args(q, done, n).build();
    Process producer = Process.builder().target(ManagedArrayAndJoinableQueueTest::produceItems).args(q, n).build();
    consumer.start();
    producer.start();
    assertThat(producer.join(Waits.LONG)).isTrue();
    assertThat(q.join(Waits.LONG)).as("join returned").isTrue();
    assertThat(new ArrayList<>(done)).as("every item done before join returned").hasSize(n);
    q.join(); // nothing unfinished: returns at once
    assertThat(consumer.join(Waits.LONG)).isTrue();
    assertThat(consumer.exitCode()).isZero();
    assertThat(producer.exitCode()).isZero();
  }

  @Test
  void joinWaitsForAnItemNotYetDone() throws Exception {
    JoinableQueueProxy<String> q = manager.joinableQueue(1);
    q.put("a");
    assertThat(q.join(Duration.ZERO)).as("one unfinished").isFalse();
    assertThat(q.take()).isEqualTo("a");
    assertThat(q.join(Duration.ZERO)).as("taken but not done").isFalse();
    assertThat(q.offer("b")).isTrue();
    assertThat(q.offer("c")).as("maxsize 1: not added, not counted").isFalse();
    assertThat(q.take()).isEqualTo("b");
    q.taskDone();
    q.taskDone();
    assertThat(q.join(Duration.ZERO)).isTrue();
  }

  @Test
  void taskDoneCalledTooManyTimesIsAnError() throws Exception {
    JoinableQueueProxy<String> q = manager.joinableQueue();
    assertThatThrownBy(q::taskDone).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("task_done() called too many times");
    q.put("x");
    q.take();
    q.taskDone();
    assertThatThrownBy(q::taskDone).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("task_done() called too many times");
  }
}
