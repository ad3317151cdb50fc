package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.connection.Readiness;
import io.github.multiprocessing4j.queues.JoinableQueue;
import io.github.multiprocessing4j.queues.Queue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** docs/connections-and-queues.md's snippets. */
final class ConnectionsAndQueuesSnippets {

  private ConnectionsAndQueuesSnippets() {}

  @SuppressWarnings("unchecked") // a.get(0, Queue.class) is a raw Queue
  static List<Process> pipeAndQueue() throws InterruptedException {
    // snippet:pipe-and-queue
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
    // end:pipe-and-queue
    return List.of(p, producer);
  }

  @SuppressWarnings("unchecked") // a.get(i, JoinableQueue.class) and a.get(i, Queue.class) are raw
  static Process joinableQueueAndReadiness() throws InterruptedException {
    // snippet:joinable-queue-and-readiness
    JoinableQueue<Integer> tasks = new JoinableQueue<>();
    Queue<Integer> results = new Queue<>();
    Process worker = new Process(a -> {
      JoinableQueue<Integer> in = a.get(0, JoinableQueue.class);
      Queue<Integer> out = a.get(1, Queue.class);
      for (int i = 0; i < 3; i++) {
        int n = in.get();
        out.put(n * n);
        in.taskDone();
      }
    }, tasks, results);
    worker.start();
    for (int i = 1; i <= 3; i++) {
      tasks.put(i);
    }
    tasks.join();                                // returns once taskDone() was called for each item
    for (int i = 0; i < 3; i++) {
      System.out.println(results.get());         // 1, 4, 9
    }
    List<Process> ended = Readiness.wait(List.of(worker), Duration.ofSeconds(30));
    System.out.println(ended.contains(worker));  // true: the worker has ended
    worker.join();
    // end:joinable-queue-and-readiness
    return worker;
  }
}
