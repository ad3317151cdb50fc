package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.queues.QueueInternals;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.sync.Lock;
import java.time.Duration;

/**
 * A fixture JVM for {@link PrivateDirsTest}: uses a pipe, a lock, a queue and a child that takes
 * the same lock (so finds the parent's segments and wake sockets), then prints where its files went
 * and {@code fine}. Any failure is an uncaught exception (exit status 1).
 */
public final class PrivateDirsMain {

  private PrivateDirsMain() {}

  /** The child: takes the parent's lock while the parent waits for it, then puts to the queue. */
  static void child(Args args) throws Exception {
    Lock lock = args.get(0, Lock.class);
    @SuppressWarnings("unchecked")
    Queue<String> q = (Queue<String>) args.get(1, Queue.class);
    lock.acquire();
    try {
      q.put("child took the lock; its segments are in " + RuntimeDir.segments());
    } finally {
      lock.release();
    }
  }

  /**
   * Runs the checks.
   *
   * @param args unused
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    Duration wait = Duration.ofSeconds(60);
    Pipe p = Pipe.open();
    p.conn1().send("through the pipe");
    System.out.println("pipe: " + p.conn2().recv());
    Lock lock = new Lock();
    Queue<String> q = new Queue<>();
    lock.acquire(); // the child waits for it: it must be woken through the wake socket or its re-check
    Process child = Process.builder().target(PrivateDirsMain::child).args(lock, q).build();
    child.start();
    lock.release();
    System.out.println("queue: " + q.get(wait));
    child.join(wait);
    System.out.println("child exit code: " + child.exitCode());
    System.out.println("runtime: " + RuntimeDir.get());
    System.out.println("sockets: " + RuntimeDir.sockets());
    System.out.println("segments: " + RuntimeDir.segments());
    System.out.println("park: " + RuntimeDir.park());
    System.out.println("queue server: " + QueueInternals.serverAddress());
    System.out.println(child.exitCode() != null && child.exitCode() == 0 ? "fine" : "child failed");
  }
}
