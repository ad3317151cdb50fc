package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.testing.ClassLoadLog;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that decodes anything through {@link java.io.ObjectInputStream} initialises the JDK's
 * serialization filter configuration, which looks for a logger on the whole class path (75 to
 * 117 ms in a cold worker with 20 jars). What a pool worker needs before its first result (its
 * pipe end, the task's method reference) and a spawned process's pipe end and method-reference
 * target have compact forms: such a child never loads {@code ObjectInputStream}. Spawned, not
 * forked from a spare: a spare's warm-up loads Java serialization while it waits, for the
 * processes that still need it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ChildDeserializationTest {

  static Object staticNoop() {
    return "done";
  }

  static void sendHello(Args args) throws InterruptedException {
    Connection c = (Connection) args.get(0);
    c.send("hello from the child");
    c.close();
  }

  /** The classes loaded just before {@code ObjectInputStream}, to tell who needed it. */
  private static String before(List<String> classes) {
    int i = classes.indexOf("java.io.ObjectInputStream");
    return i < 0 ? "" : String.join(", ", classes.subList(Math.max(0, i - 30), i));
  }

  @Test
  void aPoolWorkerReachesItsFirstResultWithoutObjectInputStream(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("worker-classes.log");
    try (Pool pool = Pool.builder().processes(1)
        .workerOptions(w -> w.startMethod("spawn").jvmOptions(ClassLoadLog.option(log)))
        .build()) {
      assertThat(pool.<Object>apply(ChildDeserializationTest::staticNoop)).isEqualTo("done");
    }
    List<String> classes = ClassLoadLog.classes(log);
    assertThat(classes).as("the worker's classes")
        .contains("io.github.multiprocessing4j.pool.PoolWorker", "java.lang.invoke.SerializedLambda");
    assertThat(classes).as("Java deserialization in a pool worker, after %s", before(classes))
        .doesNotContain("java.io.ObjectInputStream");
  }

  @Test
  void aSpawnedProcessGivenAPipeEndReadsItWithoutObjectInputStream(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("child-classes.log");
    Pipe pipe = Pipe.open();
    Process p = Process.builder().target(ChildDeserializationTest::sendHello)
        .args(pipe.conn1()).startMethod("spawn").jvmOptions(ClassLoadLog.option(log)).build();
    p.start();
    try {
      assertThat(pipe.conn2().recv()).isEqualTo("hello from the child");
      p.join(Waits.JOIN);
      assertThat(p.exitCode()).isZero();
    } finally {
      if (p.isAlive()) {
        p.kill();
        p.join(Waits.JOIN);
      }
      pipe.conn2().close();
    }
    List<String> classes = ClassLoadLog.classes(log);
    assertThat(classes).as("the child's classes").contains(ChildRuntime.class.getName());
    assertThat(classes).as("Java deserialization in a child given a pipe end and a method reference,"
        + " after %s", before(classes))
        .doesNotContain("java.io.ObjectInputStream");
  }
}
