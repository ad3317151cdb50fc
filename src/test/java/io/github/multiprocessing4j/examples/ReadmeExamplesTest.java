package io.github.multiprocessing4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Context;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.shared.SharedMemory;
import io.github.multiprocessing4j.shared.Value;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's examples as code that compiles and runs, so the README cannot rot. Keep each test
 * body identical in substance to its README snippet (the README's comments are assertions here).
 * Child output is pumped into {@code System.out}/{@code System.err}, which these tests capture.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ReadmeExamplesTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  /** README, "Quick start". */
  @Test
  void quickStart() throws InterruptedException {
    Process p = new Process(a -> System.out.println("hello, " + a.get(0)), "bob");
    p.start();                        // a child JVM runs the lambda
    p.join();
    System.out.println(p.exitCode()); // 0

    assertThat(p.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("hello, bob\n0\n");
  }

  /** README, "A target class with options". */
  public static class Worker implements Target {
    @Override
    public void run(Args args) {
      String file = args.getString(0);
      int retries = args.kwarg("retries", Integer.class, 1);
      System.out.println(Process.currentProcess().name() + " reads " + file + ", retries=" + retries
          + ", mode=" + System.getProperty("app.mode"));
    }
  }

  /** README, "A target class with options". */
  @Test
  void targetClassWithOptions() throws InterruptedException {
    Process worker = Process.builder()
        .target(Worker.class)
        .name("worker")
        .args("input.csv")
        .kwarg("retries", 3)
        .jvmOptions("-Xmx256m")
        .systemProperty("app.mode", "batch")
        .build();
    worker.start();
    if (!worker.join(Duration.ofSeconds(30))) {
      worker.terminate();
      worker.join();
    }
    // prints "worker reads input.csv, retries=3, mode=batch"

    assertThat(worker.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("worker reads input.csv, retries=3, mode=batch\n");
  }

  /** README, "Beyond CPython": failure() and onExit(). */
  @Test
  void failureAndOnExit() throws Exception {
    Process p = new Process(a -> {
      throw new IllegalStateException("boom");
    });
    p.start();
    p.onExit().thenAccept(done -> System.out.println(done.name() + " ended: " + done.exitCode()))
        .get(30, TimeUnit.SECONDS); // e.g. "Process-3 ended: 1"
    RemoteException e = p.failure().orElseThrow();
    System.out.println(e.remoteClassName() + ": " + e.remoteMessage()); // java.lang.IllegalStateException: boom

    assertThat(p.exitCode()).isEqualTo(1);
    assertThat(captured(out)).matches("Process-\\d+ ended: 1\njava.lang.IllegalStateException: boom\n");
    assertThat(e.remoteStackTrace()).startsWith("java.lang.IllegalStateException: boom");
    assertThat(captured(err)).startsWith("Process " + p.name() + ":\njava.lang.IllegalStateException: boom");
  }

  /** README, "Pipes, connections and queues". */
  @Test
  @SuppressWarnings("unchecked")
  void pipesAndQueues() throws InterruptedException {
    Pipe pipe = Pipe.open();
    Process p = new Process(a -> a.get(0, Connection.class).send(Arrays.asList(42, null, "hello")),
        pipe.conn2());
    p.start();
    pipe.conn2().close();                       // the child has its own copy
    System.out.println(pipe.conn1().recv());    // [42, null, hello]
    p.join();

    Queue<String> q = new Queue<>();
    Process producer = new Process(a -> {
      Queue<String> out = a.get(0, Queue.class);
      for (int i = 0; i < 3; i++) {
        out.put("item " + i);
      }
    }, q);
    producer.start();
    for (int i = 0; i < 3; i++) {
      System.out.println(q.get(Duration.ofSeconds(10))); // item 0, item 1, item 2
    }
    producer.join();

    assertThat(p.exitCode()).isZero();
    assertThat(producer.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("[42, null, hello]\nitem 0\nitem 1\nitem 2\n");
  }

  /** README, "Locks and synchronisation". */
  @Test
  void locks() throws InterruptedException {
    Lock lock = new Lock();
    Event done = new Event();
    Process p = new Process(a -> {
      try (Held held = a.get(0, Lock.class).hold()) {  // released at the end of the block
        if (held.ownerDied()) {
          System.out.println("child: the previous owner died holding the lock: repair the shared state");
        }
        System.out.println("child: in the critical section");
      }
      a.get(1, Event.class).set();
    }, lock, done);
    lock.acquire();
    try {
      p.start();
      System.out.println("parent: in the critical section");   // the child waits for the lock
    } finally {
      lock.release();
    }
    done.await();
    p.join();

    assertThat(p.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("parent: in the critical section\nchild: in the critical section\n");
  }

  private static String captured(ByteArrayOutputStream stream) {
    return stream.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  /** README, "How a child JVM is started", contexts. */
  @Test
  void contexts() throws Exception {
    Context ctx = Multiprocessing.getContext("forkserver");
    Process p = ctx.process(a -> System.out.println(Multiprocessing.getStartMethod()));
    p.start();
    p.join();                                 // the child printed "forkserver"
    System.out.println(p.name());             // ForkServerProcess-N
    try (Pool pool = ctx.pool(2)) {
      System.out.println(pool.apply(() -> Multiprocessing.currentProcess().name())); // ForkServerPoolWorker-N
    }

    assertThat(captured(out)).matches("forkserver\nForkServerProcess-\\d+\nForkServerPoolWorker-\\d+\n");
  }

  /** README, "Pools and executors". */
  @Test
  void poolsAndExecutors() throws Exception {
    try (Pool pool = new Pool(2)) {
      System.out.println(pool.map(x -> x * x, List.of(1, 2, 3, 4)));          // [1, 4, 9, 16]
      AsyncResult<Long> pid = pool.applyAsync(Multiprocessing::getpid);
      System.out.println(pid.get(Duration.ofSeconds(30)) != Multiprocessing.getpid()); // true
      try {
        pool.apply(() -> Integer.parseInt("not a number"));
      } catch (ExecutionException e) {
        System.out.println(e.getCause());  // java.lang.NumberFormatException: For input string: "not a number"
      }
    }

    try (ProcessPoolExecutor executor = new ProcessPoolExecutor(2)) {
      Future<String> f = executor.submit(() -> "hello from " + Multiprocessing.currentProcess().name());
      System.out.println(f.get());          // hello from SpawnProcess-N
    }

    assertThat(captured(out)).matches("\\[1, 4, 9, 16\\]\ntrue\n"
        + "java.lang.NumberFormatException: For input string: \"not a number\"\n"
        + "hello from SpawnProcess-\\d+\n");
  }

  /** README, "Shared memory". */
  @Test
  @SuppressWarnings("try") // the held lock is only closed
  void sharedMemory() throws InterruptedException {
    try (SharedMemory shm = SharedMemory.create(16)) {          // a random name: psm_1a2b3c4d
      shm.buf().putInt(0, 21);
      Process p = new Process(a -> {
        SharedMemory same = a.get(0, SharedMemory.class);       // attached by name in the child
        same.buf().putInt(4, same.buf().getInt(0) * 2);
      }, shm);
      p.start();
      p.join();
      System.out.println(shm.buf().getInt(4));                  // 42
      shm.unlink();                                             // the name goes; mappings stay
    }

    RawValue counter = RawValue.create('i');                     // an int, 0
    RawArray squares = RawArray.create('d', 4);                  // 4 doubles, 0.0
    Process p = new Process(a -> {
      RawValue c = a.get(0, RawValue.class);
      RawArray sq = a.get(1, RawArray.class);
      for (int i = 0; i < 1000; i++) {
        c.incrementAndGet();                                     // atomic, no lock
      }
      for (int i = 0; i < sq.length(); i++) {
        sq.set(i, (double) i * i);
      }
    }, counter, squares);
    p.start();
    for (int i = 0; i < 1000; i++) {
      counter.incrementAndGet();
    }
    p.join();
    System.out.println(counter.get() + " " + squares.toList());  // 2000 [0.0, 1.0, 4.0, 9.0]

    Value total = Value.create('q', 0L);                         // with its own RLock
    try (Held held = total.hold()) {                             // CPython's `with total.get_lock():`
      total.set(total.getLong() + 5);                            // get and set re-enter the RLock
    }
    System.out.println(total);                                   // <Synchronized wrapper for c_longlong(5)>

    assertThat(p.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("42\n2000 [0.0, 1.0, 4.0, 9.0]\n<Synchronized wrapper for c_longlong(5)>\n");
  }
}
