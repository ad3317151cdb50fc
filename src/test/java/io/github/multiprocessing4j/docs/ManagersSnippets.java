package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.managers.AcquirerProxy;
import io.github.multiprocessing4j.managers.ArrayProxy;
import io.github.multiprocessing4j.managers.AsyncResultProxy;
import io.github.multiprocessing4j.managers.BaseManager;
import io.github.multiprocessing4j.managers.ConditionProxy;
import io.github.multiprocessing4j.managers.JoinableQueueProxy;
import io.github.multiprocessing4j.managers.Registration;
import io.github.multiprocessing4j.managers.ManagerServer;
import io.github.multiprocessing4j.managers.Namespace;
import io.github.multiprocessing4j.managers.PoolProxy;
import io.github.multiprocessing4j.managers.SyncManager;
import io.github.multiprocessing4j.managers.ValueProxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  @SuppressWarnings("unchecked") // the children read the proxies as raw Map and List
  static void syncManager() throws InterruptedException {
    // snippet:sync-manager
    try (SyncManager manager = new SyncManager()) {
      manager.start();                                    // Manager(): a child process, SyncManager-N
      Map<String, Object> d = manager.dict();
      List<Integer> l = manager.list();
      Namespace ns = manager.namespace();
      Process p = new Process(a -> {
        a.get(0, Map.class).put("child", 1);
        a.get(1, List.class).add(42);
        a.get(2, Namespace.class).set("x", "from the child");
      }, d, l, ns);
      p.start();
      p.join();
      System.out.println(d.get("child") + " " + l + " " + ns.get("x"));   // 1 [42] from the child

      d.put("a", new ArrayList<>(List.of(1)));
      List<Integer> a = (List<Integer>) d.get("a");       // a copy
      a.add(2);                                           // changes nothing on the server
      System.out.println(d.get("a"));                     // [1]
      d.put("a", a);                                      // re-assign
      System.out.println(d.get("a"));                     // [1, 2]

      d.put("inner", manager.dict());                     // a proxy stored in a managed dict
      ((Map<String, Object>) d.get("inner")).put("n", 5);   // read back as a proxy: the inner dict changes
    }
    // end:sync-manager
  }

  @SuppressWarnings({"unchecked", "try"}) // the children read the value as a raw ValueProxy; the hold is its scope
  static void managedLocks() throws InterruptedException {
    // snippet:managed-locks
    try (SyncManager manager = new SyncManager()) {
      manager.start();
      ConditionProxy changed = manager.condition();       // a threading.Condition in the manager's process
      ValueProxy<Integer> count = manager.value(0);
      List<Process> children = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Process p = new Process(a -> {
          ConditionProxy cond = a.get(0, ConditionProxy.class);
          ValueProxy<Integer> c = a.get(1, ValueProxy.class);
          try (AcquirerProxy.Hold h = cond.hold()) {      // one process at a time: get, then set
            c.set(c.get() + 1);
            cond.signalAll();                             // notify_all()
          }
        }, changed, count);
        p.start();
        children.add(p);
      }
      try (AcquirerProxy.Hold h = changed.hold()) {
        changed.waitFor(() -> count.get() == 2);          // wait_for: the predicate runs here
      }
      System.out.println(count.get());                    // 2
      for (Process p : children) {
        p.join();
      }
      AcquirerProxy lock = manager.rLock();
      lock.acquire();
      lock.acquire();                                     // reentrant: its owner is this thread
      System.out.println(lock);                           // <RLock(..., 2)>: the manager's object
    }
    // end:managed-locks
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

  @SuppressWarnings("unchecked") // the child reads the queue proxy as a raw JoinableQueueProxy
  static void arraysQueuesAndPools() throws Exception {
    // snippet:arrays-queues-pools
    try (SyncManager manager = new SyncManager()) {
      manager.start();
      ArrayProxy a = manager.array('i', 3);               // Array('i', [0, 0, 0])
      JoinableQueueProxy<Integer> q = manager.joinableQueue();
      Process p = new Process(args -> {
        JoinableQueueProxy<Integer> jobs = args.get(0, JoinableQueueProxy.class);
        ArrayProxy out = args.get(1, ArrayProxy.class);
        for (int i = 0; i < 3; i++) {
          int job = jobs.take();
          out.set(job, job * 10L);
          jobs.taskDone();                                // this job is done
        }
      }, q, a);
      p.start();
      for (int i = 0; i < 3; i++) {
        q.put(i);
      }
      q.join();                                           // returns once every job is done
      System.out.println(a.toList());                     // [0, 10, 20]
      p.join();

      PoolProxy pool = manager.pool(2);                   // a Pool in the manager's process
      System.out.println(pool.map(x -> x * x, List.of(1, 2, 3)));      // [1, 4, 9]
      AsyncResultProxy<Integer> r = pool.applyAsync(() -> 6 * 7);       // a proxy of its AsyncResult
      System.out.println(r.get(Duration.ofSeconds(30)));  // 42
    }                                                     // the pool's workers end with the manager
    // end:arrays-queues-pools
  }
}
