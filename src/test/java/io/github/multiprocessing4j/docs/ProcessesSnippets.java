package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Context;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.RemoteException;
import io.github.multiprocessing4j.pool.Pool;
import java.util.concurrent.TimeUnit;

/** docs/processes.md's snippets. */
final class ProcessesSnippets {

  private ProcessesSnippets() {}

  static Process failureAndOnExit() throws Exception {
    // snippet:failure-and-on-exit
    Process p = new Process(a -> {
      throw new IllegalStateException("boom");
    });
    p.start();
    p.onExit().thenAccept(done -> System.out.println(done.name() + " ended: " + done.exitCode()))
        .get(30, TimeUnit.SECONDS); // e.g. "Process-3 ended: 1"
    RemoteException e = p.failure().orElseThrow();
    System.out.println(e.remoteClassName() + ": " + e.remoteMessage()); // java.lang.IllegalStateException: boom
    // end:failure-and-on-exit
    return p;
  }

  /** Not run (it would wait for a debugger): compiled, so that the page shows a working call. */
  static Process debugAChild() {
    // snippet:debug-a-child
    Process p = Process.builder()
        .target(Worker.class)
        .jvmOptions("-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:5005")
        .build();
    p.start(); // the child prints "Listening for transport dt_socket at address: 5005" and waits
    // end:debug-a-child
    return p;
  }

  static void forkserverContext() throws Exception {
    // snippet:forkserver-context
    Context ctx = Multiprocessing.getContext("forkserver");
    Process p = ctx.process(a -> System.out.println(Multiprocessing.getStartMethod()));
    p.start();
    p.join();                                 // the child printed "forkserver"
    System.out.println(p.name());             // ForkServerProcess-N
    try (Pool pool = ctx.pool(2)) {
      System.out.println(pool.apply(() -> Multiprocessing.currentProcess().name())); // ForkServerPoolWorker-N
    }
    // end:forkserver-context
  }
}
