package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;

// The README's target class; ReadmeSnippets.workerBuilder starts it.

// snippet:worker-target
public class Worker implements Target {
  @Override
  public void run(Args args) {
    String file = args.getString(0);
    int retries = args.kwarg("retries", Integer.class, 1);
    System.out.println(Process.currentProcess().name() + " reads " + file + ", retries=" + retries
        + ", mode=" + System.getProperty("app.mode"));
  }
}
// end:worker-target
