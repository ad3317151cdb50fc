package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.managers.BaseManager;
import io.github.multiprocessing4j.managers.Registration;
import io.github.multiprocessing4j.managers.ManagerServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** docs/managers.md's snippets. */
final class ManagersSnippets {

  private ManagersSnippets() {}

  // snippet:counter-type
  /** What a proxy of a counter offers: the methods called in the manager's process. */
  public interface CounterApi {
    int increment();

    int value();

    List<Integer> history();
  }

  /** The object the manager owns; it need not implement the interface, only have its methods. */
  static final class Counter implements CounterApi {
    private final List<Integer> history = new ArrayList<>();
    private int value;

    Counter(int start) {
      value = start;
    }

    @Override
    public synchronized int increment() {
      history.add(value);
      return ++value;
    }

    @Override
    public synchronized int value() {
      return value;
    }

    @Override
    public synchronized List<Integer> history() {
      return new ArrayList<>(history);
    }
  }
  // end:counter-type

  static void baseManager() throws InterruptedException {
    // snippet:base-manager
    try (BaseManager manager = new BaseManager()) {
      manager.register(Registration.of("Counter", CounterApi.class, args -> new Counter((Integer) args[0]))
          .exposed("increment", "value", "history"));
      manager.start();                                   // the server: a child process, BaseManager-N
      CounterApi counter = manager.get("Counter", CounterApi.class, 10);
      List<Process> children = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Process p = new Process(a -> a.get(0, CounterApi.class).increment(), counter);   // a proxy argument
        p.start();
        children.add(p);
      }
      for (Process p : children) {
        p.join();
      }
      System.out.println(counter.value());               // 13
      counter.history().add(99);                         // a copy: the server's history is unchanged
      System.out.println(counter.history().size());      // 3
    }                                                    // shut down: the server process ends
    // end:base-manager
  }

  /** Compiled, not run: it serves for ever (RemoteManagerTest runs the same in two JVMs). */
  static ManagerServer remoteServer(byte[] key) {
    // snippet:remote-server
    BaseManager manager = BaseManager.builder()
        .address(new InetSocketAddress("0.0.0.0", 50000)).authkey(key)   // every interface: other machines
        .register("Counter", CounterApi.class, args -> new Counter(0))
        .build();
    ManagerServer server = manager.getServer();       // listens; or manager.start(): a child process
    server.serveForever();                            // until server.close() in another thread
    // end:remote-server
    return server;
  }

  /** Compiled, not run: it needs the server above. */
  static int remoteClient(byte[] key) {
    // snippet:remote-client
    BaseManager client = BaseManager.builder()      // in any JVM that can reach the address
        .address(new InetSocketAddress("server.example", 50000)).authkey(key).build();
    client.connect();
    CounterApi c = client.get("Counter", CounterApi.class);
    // end:remote-client
    return c.increment();
  }
}
