package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, section 1: once a child's {@code put} returned, every operation that happens after it
 * in another process (through a {@code Barrier}, an {@code Event}, a pipe, another queue or the
 * putter's exit) sees the item: in the order of {@code get}, in {@code qsize}/{@code empty} and in
 * {@code join}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class QueueCausalOrderTest {

  private static final int PRODUCERS = 3;
  private static final int ROUNDS = 1000;
  private static final int PAIRED_ROUNDS = 20;

  /** Puts {@code round * PRODUCERS + id} after each round of a barrier the producers share. */
  static void producer(Args args) throws Exception {
    Object q = args.get(0);
    Barrier rounds = args.get(1, Barrier.class);
    int id = args.getInt(2);
    for (int r = 0; r < ROUNDS; r++) {
      int item = r * PRODUCERS + id;
      if (q instanceof SimpleQueue) {
        @SuppressWarnings("unchecked")
        SimpleQueue<Integer> s = (SimpleQueue<Integer>) q;
        s.put(item);
      } else {
        @SuppressWarnings("unchecked")
        Queue<Integer> u = (Queue<Integer>) q;
        u.put(item);
      }
      rounds.await(Waits.LONG);
    }
  }

  /** Starts the producers, reads every item, and counts the items that came after a later round's. */
  private static int roundOrderViolations(Object q, Getter get) throws Exception {
    Barrier rounds = new Barrier(PRODUCERS);
    List<Process> ps = new ArrayList<>();
    int violations = 0;
    try {
      for (int id = 0; id < PRODUCERS; id++) {
        Process p = Process.builder().target(QueueCausalOrderTest::producer).args(q, rounds, id).build();
        p.start();
        ps.add(p);
      }
      int latest = 0;
      for (int i = 0; i < PRODUCERS * ROUNDS; i++) {
        int round = get.get() / PRODUCERS;
        if (round < latest) {
          violations++;
        }
        latest = Math.max(latest, round);
      }
      for (Process p : ps) {
        p.join(Waits.LONG);
        assertThat(p.exitCode()).isEqualTo(0);
      }
    } finally {
      for (Process p : ps) {
        if (p.isAlive()) {
          p.kill();
        }
        p.join(Waits.LONG);
      }
    }
    return violations;
  }

  /** A get that may throw. */
  interface Getter {
    int get() throws Exception;
  }

  @Test
  void aRoundOfPutsThroughASimpleQueueArrivesBeforeAnyPutOfTheNextRound() throws Exception {
    SimpleQueue<Integer> q = new SimpleQueue<>();
    int violations = roundOrderViolations(q, q::get);
    System.out.println("SimpleQueue: " + violations + " round-order violations in " + PRODUCERS * ROUNDS + " items");
    assertThat(violations).as("items that came after an item of a later round").isZero();
  }

  @Test
  void aRoundOfPutsThroughAnUnboundedQueueArrivesBeforeAnyPutOfTheNextRound() throws Exception {
    Queue<Integer> q = new Queue<>();
    int violations = roundOrderViolations(q, () -> q.get(Waits.LONG));
    System.out.println("Queue: " + violations + " round-order violations in " + PRODUCERS * ROUNDS + " items");
    assertThat(violations).as("items that came after an item of a later round").isZero();
  }

  /** Each round: meets the parent, puts one item, sets the event. */
  static void putThenSet(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<Integer> q = args.get(0, Queue.class);
    Barrier start = args.get(1, Barrier.class);
    Event put = args.get(2, Event.class);
    for (int r = 0; r < PAIRED_ROUNDS; r++) {
      start.await(Waits.LONG);
      q.put(r);
      put.set();
    }
  }

  /** Runs {@link #putThenSet} in a child; {@code check} runs in each round once the event is set. */
  private static int pairedRounds(Queue<Integer> q, Check check) throws Exception {
    Barrier start = new Barrier(2);
    Event put = new Event();
    Process p = Process.builder().target(QueueCausalOrderTest::putThenSet).args(q, start, put).build();
    int violations = 0;
    try {
      p.start();
      for (int r = 0; r < PAIRED_ROUNDS; r++) {
        start.await(Waits.LONG);
        assertThat(put.await(Waits.LONG)).isTrue();
        put.clear(); // before the next meeting: the child sets it again only after that
        if (!check.holds(r)) {
          violations++;
        }
      }
      p.join(Waits.LONG);
      assertThat(p.exitCode()).isEqualTo(0);
    } finally {
      if (p.isAlive()) {
        p.kill();
      }
      p.join(Waits.LONG);
    }
    return violations;
  }

  /** One round's check. */
  interface Check {
    boolean holds(int round) throws Exception;
  }

  @Test
  void joinDoesNotReturnBeforeTheTaskDoneOfAnItemAChildPutBeforeSettingAnEvent() throws Exception {
    JoinableQueue<Integer> q = new JoinableQueue<>();
    int violations = pairedRounds(q, r -> {
      boolean early = q.join(Duration.ZERO); // the item is put, its task_done is not called yet
      assertThat(q.get(Waits.LONG)).isEqualTo(r);
      q.taskDone();
      assertThat(q.join(Waits.LONG)).isTrue();
      return !early;
    });
    System.out.println("JoinableQueue: join() returned before task_done() in " + violations + " of " + PAIRED_ROUNDS + " rounds");
    assertThat(violations).as("rounds where join() returned before the task was done").isZero();
  }

  @Test
  void qsizeAndEmptySeeAnItemAChildPutBeforeSettingAnEvent() throws Exception {
    Queue<Integer> q = new Queue<>();
    int violations = pairedRounds(q, r -> {
      boolean seen = q.qsize() == 1 && !q.empty();
      assertThat(q.get(Waits.LONG)).isEqualTo(r);
      return seen;
    });
    System.out.println("Queue: qsize/empty missed the item in " + violations + " of " + PAIRED_ROUNDS + " rounds");
    assertThat(violations).as("rounds where qsize() or empty() missed the item").isZero();
  }

  /** Rounds of {@link #putOnTwoQueues}. */
  private static final int TWO_QUEUE_ROUNDS = 100;

  /**
   * Each round: meets the parent, puts a large item on the first queue (its link takes longer to
   * apply it), then a small one on the second.
   */
  static void putOnTwoQueues(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<byte[]> first = args.get(0, Queue.class);
    @SuppressWarnings("unchecked")
    Queue<Integer> second = args.get(1, Queue.class);
    Barrier start = args.get(2, Barrier.class);
    for (int r = 0; r < TWO_QUEUE_ROUNDS; r++) {
      start.await(Waits.LONG);
      byte[] large = new byte[256 * 1024];
      large[0] = (byte) r;
      first.put(large);
      second.put(r);
    }
  }

  @Test
  void anItemPutBeforeAnItemOfAnotherQueueIsThereOnceThatOneIsTaken() throws Exception {
    Queue<byte[]> first = new Queue<>();
    Queue<Integer> second = new Queue<>();
    Barrier start = new Barrier(2);
    Process p = Process.builder().target(QueueCausalOrderTest::putOnTwoQueues).args(first, second, start).build();
    int violations = 0;
    try {
      p.start();
      for (int r = 0; r < TWO_QUEUE_ROUNDS; r++) {
        start.await(Waits.LONG);
        assertThat(second.get(Waits.LONG)).isEqualTo(r);
        if (first.qsize() != 1) {
          violations++;
        }
        assertThat(first.get(Waits.LONG)[0]).isEqualTo((byte) r);
      }
      p.join(Waits.LONG);
      assertThat(p.exitCode()).isEqualTo(0);
    } finally {
      if (p.isAlive()) {
        p.kill();
      }
      p.join(Waits.LONG);
    }
    System.out.println("Queue: the first queue's item was missing in " + violations + " of " + TWO_QUEUE_ROUNDS + " rounds");
    assertThat(violations).as("rounds where the item put first was not there yet").isZero();
  }

  /** Each round: waits for the parent's message, puts one item, answers over the pipe. */
  static void putThenSend(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<Integer> q = args.get(0, Queue.class);
    Connection c = args.get(1, Connection.class);
    for (int r = 0; r < PAIRED_ROUNDS; r++) {
      c.recv();
      q.put(r);
      c.send(r);
    }
  }

  @Test
  void qsizeSeesAnItemAChildPutBeforeSendingOnAPipe() throws Exception {
    Queue<Integer> q = new Queue<>();
    Pipe pipe = Pipe.open();
    Process p = Process.builder().target(QueueCausalOrderTest::putThenSend).args(q, pipe.conn2()).build();
    int violations = 0;
    try {
      p.start();
      pipe.conn2().close();
      for (int r = 0; r < PAIRED_ROUNDS; r++) {
        pipe.conn1().send("go");
        assertThat(pipe.conn1().recv()).isEqualTo(r);
        if (q.qsize() != 1) {
          violations++;
        }
        assertThat(q.get(Waits.LONG)).isEqualTo(r);
      }
      p.join(Waits.LONG);
      assertThat(p.exitCode()).isEqualTo(0);
    } finally {
      pipe.conn1().close();
      if (p.isAlive()) {
        p.kill();
      }
      p.join(Waits.LONG);
    }
    System.out.println("Queue: qsize missed the item sent before a pipe message in " + violations + " of " + PAIRED_ROUNDS + " rounds");
    assertThat(violations).as("rounds where qsize() missed the item").isZero();
  }

  /** Waits for the event, then puts to the queue of its (by then stopped) parent, then exits. */
  static void putToAStoppedOwnerThenExit(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<Integer> q = args.get(0, Queue.class);
    Event go = args.get(1, Event.class);
    q.qsize(); // connected while the owner still answers
    System.out.println("connected");
    go.await(Waits.LONG);
    q.put(1);
  }

  /** Owns a queue, starts a grandchild that puts to it, says its pid, joins it. */
  static void ownerOfAQueue(Args args) throws Exception {
    Queue<Integer> q = new Queue<>();
    Process g = Process.builder().target(QueueCausalOrderTest::putToAStoppedOwnerThenExit).args(q, args.get(0))
        .stdout(io.github.multiprocessing4j.ChildOutput.inherit()).build();
    g.start();
    System.out.println("grandchild " + g.pid());
    g.join();
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
  void anOwnerThatStoppedAnsweringDoesNotHoldThePuttersExit() throws Exception {
    Event go = new Event();
    CapturedLines out = new CapturedLines();
    Process owner = Process.builder().target(QueueCausalOrderTest::ownerOfAQueue).args(go).stdout(out.output()).build();
    owner.start();
    Long grandchild = null;
    try {
      grandchild = Pids.find(out.await("grandchild ", Waits.LONG), "grandchild ");
      out.await("connected", Waits.LONG);
      Multiprocessing.kill(owner.pid(), 19); // SIGSTOP: its link answers nothing now
      long t0 = System.nanoTime();
      go.set();
      long pid = grandchild;
      // Unbounded, the exit would wait for the fence's answer as long as the owner is stopped.
      assertThat(Pids.awaitGone(pid, Waits.LONG))
          .as("the putter exited while its queue's owner was stopped").isTrue();
      System.out.println("the putter exited " + (System.nanoTime() - t0) / 1_000_000 + " ms after it was let go");
    } finally {
      Multiprocessing.kill(owner.pid(), 18); // SIGCONT
      Pids.killQuietly(grandchild);
      owner.join(Waits.LONG);
    }
    assertThat(owner.exitCode()).isEqualTo(0);
  }

  static final int BURST = 100_000;

  static void putManyThenExit(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    Queue<Integer> q = args.get(0, Queue.class);
    for (int i = 0; i < BURST; i++) {
      q.put(i);
    }
  }

  @Test
  void everyItemAChildPutBeforeItExitedIsInTheQueueOnceItIsJoined() throws Exception {
    Queue<Integer> q = new Queue<>();
    Process p = Process.builder().target(QueueCausalOrderTest::putManyThenExit).args(q).build();
    try {
      p.start();
      p.join(Waits.LONG);
      assertThat(p.exitCode()).isEqualTo(0);
      int seen = q.qsize();
      System.out.println("Queue: " + seen + " of " + BURST + " items seen once the putter was joined");
      assertThat(seen).isEqualTo(BURST);
      for (int i = 0; i < BURST; i++) {
        assertThat(q.getNowait()).isEqualTo(i);
      }
    } finally {
      if (p.isAlive()) {
        p.kill();
      }
      p.join(Waits.LONG);
    }
  }
}
