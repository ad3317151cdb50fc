package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Queues used from other processes (§B.2): remote gets, bounded puts, tasks, grandchildren, death. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class QueueBetweenProcessesTest {

  @TempDir
  Path tmp;

  @SuppressWarnings("unchecked")
  static <T> Queue<T> queue(Args args, int i) {
    return args.get(i, Queue.class);
  }

  static void getWithTimeout(Args args) throws Exception {
    Queue<Object> q = queue(args, 0);
    long t0 = System.nanoTime();
    try {
      q.get(Duration.ofMillis(300));
      System.out.println("unexpected item");
    } catch (QueueEmptyException e) {
      System.out.println("empty after ms " + (System.nanoTime() - t0) / 1_000_000);
    }
    System.out.println("then " + q.get(Waits.JOIN));
    try {
      q.getNowait();
    } catch (QueueEmptyException e) {
      System.out.println("nowait empty");
    }
  }

  @Test
  void aRemoteGetTimesOutAsEmptyThenGetsTheNextItem() throws Exception {
    Queue<String> q = new Queue<>();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(QueueBetweenProcessesTest::getWithTimeout).args(q).stdout(out.output()).build();
    p.start();
    String line = out.await("empty after ms ", Waits.JOIN);
    assertThat(Long.parseLong(line.substring("empty after ms ".length()))).isBetween(290L, 20_000L); // late on a busy machine, never early
    q.put("item");
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
    assertThat(out.lines()).contains("then item", "nowait empty");
  }

  static void putTwo(Args args) throws Exception {
    Queue<Object> q = queue(args, 0);
    q.put("first", Duration.ofSeconds(5));
    System.out.println("full=" + q.full() + " qsize=" + q.qsize());
    try {
      q.put("second", Duration.ofMillis(200));
      System.out.println("unexpected room");
    } catch (QueueFullException e) {
      System.out.println("full after timeout");
    }
    System.out.println("offer=" + q.offer("second"));
  }

  @Test
  void aRemotePutToABoundedQueueWaitsForRoomAndTimesOutAsFull() throws Exception {
    Queue<String> q = new Queue<>(1);
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(QueueBetweenProcessesTest::putTwo).args(q).stdout(out.output()).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
    assertThat(out.lines()).containsExactly("full=true qsize=1", "full after timeout", "offer=false");
    assertThat(q.get()).isEqualTo("first");
    assertThat(q.poll()).isEmpty();
  }

  static void worker(Args args) throws Exception {
    @SuppressWarnings("unchecked")
    JoinableQueue<Integer> tasks = args.get(0, JoinableQueue.class);
    Queue<Integer> results = queue(args, 1);
    while (true) {
      Integer t = tasks.get();
      if (t == null) {
        tasks.taskDone();
        return;
      }
      results.put(t * t);
      tasks.taskDone();
    }
  }

  @Test
  void joinableQueueJoinReturnsOnceEveryTaskIsDoneInTheWorkers() throws Exception {
    JoinableQueue<Integer> tasks = new JoinableQueue<>();
    Queue<Integer> results = new Queue<>();
    Process a = Process.builder().target(QueueBetweenProcessesTest::worker).args(tasks, results).build();
    Process b = Process.builder().target(QueueBetweenProcessesTest::worker).args(tasks, results).build();
    a.start();
    b.start();
    for (int i = 1; i <= 100; i++) {
      tasks.put(i);
    }
    tasks.put(null);
    tasks.put(null);
    tasks.join();
    long sum = 0;
    for (int i = 0; i < 100; i++) {
      sum += results.get(Duration.ofSeconds(1)); // all there: join() saw every task done
    }
    assertThat(sum).isEqualTo(338350);
    a.join(Waits.JOIN);
    b.join(Waits.JOIN);
    assertThatThrownBy(tasks::taskDone).isInstanceOf(IllegalStateException.class)
        .hasMessage("task_done() called too many times");
    assertThat(tasks.join(Duration.ZERO)).isTrue();
  }

  static void taskDoneTooOften(Args args) {
    @SuppressWarnings("unchecked")
    JoinableQueue<Integer> tasks = args.get(0, JoinableQueue.class);
    try {
      tasks.taskDone();
    } catch (IllegalStateException e) {
      System.out.println(e.getMessage());
    }
  }

  @Test
  void taskDoneTooOftenFailsInTheRemoteCaller() throws Exception {
    JoinableQueue<Integer> tasks = new JoinableQueue<>();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(QueueBetweenProcessesTest::taskDoneTooOften).args(tasks).stdout(out.output()).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(out.lines()).containsExactly("task_done() called too many times");
  }

  static void grandchildPuts(Args args) throws Exception {
    queue(args, 0).put("from the grandchild");
  }

  @SuppressWarnings("unchecked")
  static void middle(Args args) throws Exception {
    Queue<String> q = new Queue<>();
    SimpleQueue<String> up = args.get(0, SimpleQueue.class);
    Process g = Process.builder().target(QueueBetweenProcessesTest::grandchildPuts).args(q).build();
    g.start();
    up.put(q.get(Waits.JOIN) + " via the child");
    g.join();
  }

  @Test
  void aQueueCreatedInAChildServesAGrandchild() throws Exception {
    SimpleQueue<String> up = new SimpleQueue<>();
    Process p = Process.builder().target(QueueBetweenProcessesTest::middle).args(up).build();
    p.start();
    assertThat(up.get()).isEqualTo("from the grandchild via the child");
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
    up.close();
    assertThatThrownBy(up::get).isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
    assertThatThrownBy(up::empty).isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
  }

  static void blockedGetter(Args args) throws Exception {
    Queue<Object> q = queue(args, 0);
    Path report = Path.of(args.getString(1));
    System.out.println("waiting");
    try {
      q.get();
      Files.writeString(report, "got an item");
    } catch (ConnectionException e) {
      Files.writeString(report, "error: " + e.getMessage());
    }
  }

  static void ownerOfAQueue(Args args) throws Exception {
    Queue<Object> q = new Queue<>();
    Process c = Process.builder().target(QueueBetweenProcessesTest::blockedGetter).args(q, args.getString(0))
        .stdout(io.github.multiprocessing4j.ChildOutput.inherit()).build();
    c.start();
    System.out.println("child " + c.pid());
    c.join();
  }

  @Test
  void aGetterWhoseQueueOwnerIsKilledGetsAnErrorNotAHang() throws Exception {
    Path report = tmp.resolve("report");
    CapturedLines out = new CapturedLines();
    Process owner = Process.builder().target(QueueBetweenProcessesTest::ownerOfAQueue).args(report.toString())
        .stdout(out.output()).build();
    owner.start();
    Long childPid = null;
    try {
      childPid = Pids.find(out.await("child ", Waits.JOIN), "child ");
      out.await("waiting", Waits.JOIN);
      owner.kill();
      owner.join(Waits.JOIN);
      Waits.until(() -> Files.exists(report), "Files.exists(report)");
      long pid = childPid;
      assertThat(Pids.awaitGone(pid, Waits.JOIN)).isTrue();
      assertThat(Files.readString(report, StandardCharsets.UTF_8)).startsWith("error: ").contains("has ended");
    } finally {
      Pids.killQuietly(childPid);
      owner.join(Waits.JOIN);
    }
  }

  static void getForever(Args args) throws Exception {
    Queue<Object> q = queue(args, 0);
    q.qsize(); // connected
    System.out.println("blocked");
    System.out.println("got " + q.get());
  }

  @Test
  void aRemoteGetterWaitsWithoutBurningACore() throws Exception {
    Queue<String> q = new Queue<>();
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(QueueBetweenProcessesTest::getForever).args(q).stdout(out.output()).build();
    p.start();
    out.await("blocked", Waits.JOIN);
    ProcessHandle h = ProcessHandle.of(p.pid()).orElseThrow();
    Duration used = io.github.multiprocessing4j.testing.IdleCpu.quietestSecond(h, Duration.ofMillis(150), 10);
    assertThat(used).as("CPU used by a process blocked in get() for 1 s").isLessThan(Duration.ofMillis(150));
    q.put("x");
    p.join(Waits.JOIN);
    assertThat(out.lines()).contains("got x");
  }

  static void putOne(Args args) throws Exception {
    queue(args, 0).put(args.get(1));
  }

  @Test
  void theQueueServerRefusesAWrongKeyAndGarbageAndGoesOnServing() throws Exception {
    Queue<String> q = new Queue<>();
    Process first = Process.builder().target(QueueBetweenProcessesTest::putOne).args(q, "first").build();
    first.start(); // publishes the queue: its server now listens
    assertThat(q.get(Waits.JOIN)).isEqualTo("first");
    first.join(Waits.JOIN);
    Path socket = io.github.multiprocessing4j.internal.runtime.RuntimeDir.sockets().resolve("queues.sock");
    assertThatThrownBy(() -> io.github.multiprocessing4j.connection.Client.builder()
        .authkey("not the key".getBytes(StandardCharsets.UTF_8)).connect(socket))
        .isInstanceOf(io.github.multiprocessing4j.connection.AuthenticationException.class)
        .hasMessage("digest sent was rejected");
    try (java.nio.channels.SocketChannel raw = java.nio.channels.SocketChannel.open(
        java.net.UnixDomainSocketAddress.of(socket))) {
      raw.write(java.nio.ByteBuffer.wrap(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3}));
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
      int n;
      do {
        b.clear();
        n = raw.read(b); // the challenge, then the end of the stream: the server hung up
      } while (n > 0);
      assertThat(n).isEqualTo(-1);
    }
    Process second = Process.builder().target(QueueBetweenProcessesTest::putOne).args(q, "second").build();
    second.start();
    assertThat(q.get(Waits.JOIN)).isEqualTo("second");
    second.join(Waits.JOIN);
    assertThat(second.exitCode()).isEqualTo(0);
  }

  static void closeOneCopyUseTheOther(Args args) throws Exception {
    Queue<Object> a = queue(args, 0);
    Queue<Object> b = queue(args, 1);
    a.put("from a");
    a.close();
    b.put("from b after a closed");
  }

  @Test
  void closingOneCopyOfAQueueLeavesAnotherCopyInTheSameProcessWorking() throws Exception {
    Queue<String> q = new Queue<>();
    Process p = Process.builder().target(QueueBetweenProcessesTest::closeOneCopyUseTheOther).args(q, q).build();
    p.start();
    assertThat(q.get(Waits.JOIN)).isEqualTo("from a");
    assertThat(q.get(Waits.JOIN)).isEqualTo("from b after a closed");
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
  }

  static void emptyAfterClose(Args args) throws Exception {
    Queue<Object> holding = queue(args, 0);
    Queue<Object> idle = queue(args, 1);
    Queue<Object> putTo = queue(args, 2);
    idle.close();
    System.out.println("unused empty=" + idle.empty());
    holding.close();
    System.out.println("unused holding an item empty=" + holding.empty());
    putTo.put("from the child");
    putTo.close();
    try {
      System.out.println("used empty=" + putTo.empty());
    } catch (ConnectionException e) {
      System.out.println("used: " + e.getMessage());
    }
  }

  @Test
  void emptyAfterCloseInAChildAnswersForAQueueItNeverPutToAndIsClosedForOneItPutTo() throws Exception {
    Queue<String> holding = new Queue<>();
    Queue<String> idle = new Queue<>();
    Queue<String> putTo = new Queue<>();
    holding.put("held");
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(QueueBetweenProcessesTest::emptyAfterClose).args(holding, idle, putTo)
        .stdout(out.output()).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).isEqualTo(0);
    assertThat(out.lines()).containsExactly("unused empty=true", "unused holding an item empty=false",
        "used: handle is closed");
    assertThat(putTo.get(Waits.JOIN)).isEqualTo("from the child");
  }
}
