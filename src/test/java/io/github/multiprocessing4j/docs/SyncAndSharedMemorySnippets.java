package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.shared.SharedMemory;
import io.github.multiprocessing4j.shared.Value;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.Held;
import io.github.multiprocessing4j.sync.Lock;

/** docs/sync-and-shared-memory.md's snippets. */
final class SyncAndSharedMemorySnippets {

  private SyncAndSharedMemorySnippets() {}

  static Process lockAndEvent() throws InterruptedException {
    // snippet:lock-and-event
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
    // end:lock-and-event
    return p;
  }

  @SuppressWarnings("try") // the held lock is only closed
  static void sharedMemory() throws InterruptedException {
    // snippet:shared-memory
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
    // end:shared-memory
  }
}
