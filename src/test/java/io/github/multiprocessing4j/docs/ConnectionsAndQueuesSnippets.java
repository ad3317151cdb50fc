package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
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
}
