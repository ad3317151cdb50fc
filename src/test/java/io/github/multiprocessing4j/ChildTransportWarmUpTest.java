package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.ClassLoadLog;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that receives a pipe end or a queue loads what its first operation needs on a thread of
 * its own, while it is still starting: the JDK's Unix-domain sockets with their secure random,
 * the selector, the library's transport classes. The targets here never use what they receive;
 * they only wait for the warm-up to end, so whatever the class-load log shows of the transport
 * came from the warm-up. Spawned, not forked from a spare, whose own warm-up loads sockets too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ChildTransportWarmUpTest {

  /** Waits for the warm-up thread, if there is one, and touches nothing it was given. */
  static void awaitWarmUp(Args args) throws InterruptedException {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("mp4j-transport-warm-up")) {
        t.join(TimeUnit.SECONDS.toMillis(60));
        if (t.isAlive()) {
          throw new IllegalStateException("the warm-up thread still runs after 60 s");
        }
      }
    }
  }

  private static List<String> classesOfAChildGiven(Path log, Object arg, String... jvmOptions)
      throws Exception {
    String[] options = new String[jvmOptions.length + 1];
    options[0] = ClassLoadLog.option(log);
    System.arraycopy(jvmOptions, 0, options, 1, jvmOptions.length);
    Process p = Process.builder().target(ChildTransportWarmUpTest::awaitWarmUp).args(arg)
        .startMethod("spawn").jvmOptions(options).build();
    p.start();
    try {
      p.join(Waits.JOIN);
      assertThat(p.exitCode()).as("the child's exit code").isZero();
    } finally {
      if (p.isAlive()) {
        p.kill();
        p.join(Waits.JOIN);
      }
    }
    return ClassLoadLog.classes(log);
  }

  @Test
  void aChildGivenAPipeEndLoadsWhatItsFirstSendNeedsBeforeUsingIt(@TempDir Path dir) throws Exception {
    Pipe pipe = Pipe.open();
    try {
      List<String> classes = classesOfAChildGiven(dir.resolve("pipe.log"), pipe.conn1());
      assertThat(classes).as("the classes of a child that never used its pipe end").contains(
          "sun.nio.ch.UnixDomainSockets", "java.security.SecureRandom", "sun.nio.ch.EPollSelectorImpl",
          "io.github.multiprocessing4j.internal.transport.RingTransport",
          "io.github.multiprocessing4j.internal.transport.Handshake",
          "io.github.multiprocessing4j.connection.PipeEndpoint",
          "io.github.multiprocessing4j.connection.Connection$PeerAbandoned",
          "io.github.multiprocessing4j.internal.transport.RingTransport$Wakeup",
          "io.github.multiprocessing4j.internal.transport.WakeupSocket$Watch",
          "io.github.multiprocessing4j.internal.codec.Messages$Decoding",
          "io.github.multiprocessing4j.internal.transport.RingTransport$DataReady",
          "io.github.multiprocessing4j.internal.transport.PutFence$AtExit");
    } finally {
      pipe.conn1().close();
      pipe.conn2().close();
    }
  }

  @Test
  void aChildGivenAQueueLoadsWhatItsFirstPutNeedsBeforeUsingIt(@TempDir Path dir) throws Exception {
    Queue<Object> q = new Queue<>();
    try {
      List<String> classes = classesOfAChildGiven(dir.resolve("queue.log"), q);
      assertThat(classes).as("the classes of a child that never used its queue").contains(
          "sun.nio.ch.UnixDomainSockets", "io.github.multiprocessing4j.internal.transport.RingTransport",
          "io.github.multiprocessing4j.queues.QueueClient", "io.github.multiprocessing4j.queues.QueueProtocol",
          "io.github.multiprocessing4j.queues.QueueClient$Replies");
    } finally {
      q.close();
    }
  }

  @Test
  void theWarmUpCanBeTurnedOff(@TempDir Path dir) throws Exception {
    Pipe pipe = Pipe.open();
    try {
      List<String> classes = classesOfAChildGiven(dir.resolve("off.log"), pipe.conn1(),
          "-Dmultiprocessing4j.transportWarmUp=false");
      assertThat(classes).as("the classes of a child told not to warm up").contains(ChildRuntime.class.getName())
          .doesNotContain("sun.nio.ch.UnixDomainSockets",
              "io.github.multiprocessing4j.internal.transport.TransportWarmUp$Run");
    } finally {
      pipe.conn1().close();
      pipe.conn2().close();
    }
  }

  @Test
  void aChildGivenNeitherDoesNotWarmUp(@TempDir Path dir) throws Exception {
    List<String> classes = classesOfAChildGiven(dir.resolve("none.log"), "just a string");
    assertThat(classes).as("the classes of a child given a string").contains(ChildRuntime.class.getName())
        .doesNotContain("sun.nio.ch.UnixDomainSockets",
            "io.github.multiprocessing4j.internal.transport.TransportWarmUp$Run");
  }
}
