package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.queues.QueueInternals;
import io.github.multiprocessing4j.sync.SyncInternals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.AuthenticationException;
import io.github.multiprocessing4j.connection.Client;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.testing.Reclaim;
import io.github.multiprocessing4j.testing.Waits;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that connect to this JVM's own sockets (queue server, wake socket, a pipe's listening end)
 * without the key, or without a word: they cost it nothing that lasts, and no thread each, and
 * the real peers are served meanwhile.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class HostilePeersTest {

  private static final byte[] WRONG = "wrong".getBytes(StandardCharsets.UTF_8);

  private static Path queueSocket() throws Exception {
    String a = QueueInternals.serverAddress();
    assumeTrue(a.startsWith("unix:"), "the queue server listens on a Unix socket");
    return Paths.get(a.substring("unix:".length()));
  }

  private static Path parkSocket() throws Exception {
    assumeTrue(SyncInternals.ensureParkListening(), "this JVM listens for wakes");
    return RuntimeDir.park().resolve(ProcessHandle.current().pid() + ".sock");
  }

  /** The socket of end 0 of a pipe whose end 0 listens in this JVM. */
  private static Path pipeSocket(Pipe p) {
    return RuntimeDir.sockets().resolve(
        p.toString().replaceAll(".*<Connection (pipe-\\d+) end 0.*", "$1") + "-0.sock");
  }

  /** What CPython's {@code Client(path, authkey=b"wrong")} does: answer the challenge with the wrong key. */
  private static void wrongKey(Path socket) {
    assertThatThrownBy(() -> Client.builder().authkey(WRONG).connect(socket))
        .isInstanceOf(AuthenticationException.class).hasMessage("digest sent was rejected");
  }

  @Test
  void threeHundredWrongKeysToEachSocketLeaveTheOwnersDescriptorCountWhereItWas() throws Exception {
    assumeTrue(Reclaim.canCountFds(), "descriptors can be counted (/proc/self/fd)");
    Path queue = queueSocket();
    Path park = parkSocket();
    Pipe p = Pipe.open();
    p.conn1().send("nobody reads this"); // end 0 is used here first: this JVM listens for end 1
    Path pipe = pipeSocket(p);
    assertThat(pipe).exists();
    for (Path s : List.of(queue, park, pipe)) {
      wrongKey(s); // the first may start what every later one shares (the handshake thread)
    }
    IntSupplier fds = Reclaim::openFds;
    int start = fds.getAsInt();
    for (int i = 0; i < 300; i++) {
      for (Path s : List.of(queue, park, pipe)) {
        wrongKey(s);
      }
    }
    // Each rejected peer is closed just after its #FAILURE# goes out: wait for the last ones.
    Waits.until(() -> fds.getAsInt() <= start + 10,
        "the descriptor count is back at " + start + " (+10) after 900 rejected peers", Waits.LONG);
    p.conn1().close();
    p.conn2().close();
  }

  static void answer(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    @SuppressWarnings("unchecked")
    Queue<String> q = (Queue<String>) args.get(1, Queue.class);
    q.put("put by the child");
    c.send("answered: " + c.recv());
  }

  private static int threads() {
    return Thread.getAllStackTraces().size();
  }

  @Test
  void silentPeersHoldNoThreadAndTheRealPeerIsServedWhileTheyWait() throws Exception {
    Path queue = queueSocket();
    Pipe p = Pipe.open();
    Queue<String> q = new Queue<>();
    p.conn1().send("hello"); // end 0 listens in this JVM
    Path pipe = pipeSocket(p);
    List<SocketChannel> silent = new ArrayList<>();
    try {
      int before = threads();
      for (int i = 0; i < 200; i++) {
        for (Path s : List.of(queue, pipe)) {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          silent.add(ch);
          ch.connect(UnixDomainSocketAddress.of(s)); // and never a word
        }
      }
      // The child connects after them all (it is started after): the owner accepted them first.
      Process child = Process.builder().target(HostilePeersTest::answer).args(p.conn2(), q).build();
      child.start();
      assertThat(q.get(Waits.LONG)).isEqualTo("put by the child");
      assertThat(p.conn1().recv()).isEqualTo("answered: hello");
      int during = threads();
      assertThat(during - before).as("threads added while 400 silent peers are connected (the child's own "
          + "pumps, waiter and links included)").isLessThan(25);
      assertThat(child.join(Waits.LONG)).isTrue();
      assertThat(child.exitCode()).isZero();
    } finally {
      for (SocketChannel ch : silent) {
        ch.close();
      }
      p.conn1().close();
    }
  }
}
