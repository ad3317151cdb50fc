package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Process;
import java.time.Duration;

/** README.md's statement snippets (the quick start is {@link Hello}, the target {@link Worker}). */
final class ReadmeSnippets {

  private ReadmeSnippets() {}

  static Process workerBuilder() throws InterruptedException {
    // snippet:worker-builder
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
    // end:worker-builder
    return worker;
  }
}
