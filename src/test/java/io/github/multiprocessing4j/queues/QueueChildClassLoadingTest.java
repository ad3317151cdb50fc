package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.ClassLoadLog;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's first queue operation is part of its start-up: every class it loads costs it (about
 * 0.3 ms each), and initialising SLF4J (about 80 classes and a service lookup over the class path)
 * cost more than the rest of the first put. A child that puts on a queue loads no logging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class QueueChildClassLoadingTest {

  @SuppressWarnings("unchecked")
  static void putOne(Args args) throws InterruptedException {
    ((Queue<Object>) args.get(0)).put("one");
  }

  @Test
  void aChildsFirstPutLoadsNoLogging(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Queue<Object> q = new Queue<>();
    try {
      Process p = Process.builder().startMethod("spawn").target(QueueChildClassLoadingTest::putOne).args(q)
          .jvmOptions(ClassLoadLog.option(log)).build();
      p.start();
      assertThat(q.get(Waits.JOIN)).isEqualTo("one");
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
    } finally {
      q.close();
    }
    List<String> loaded = ClassLoadLog.classes(log);
    assertThat(loaded).as("the child's classes").contains(QueueClient.class.getName());
    assertThat(loaded).as("logging in a child that put on a queue")
        .noneMatch(c -> c.startsWith("org.slf4j.") || c.endsWith(".internal.runtime.Log"));
  }
}
