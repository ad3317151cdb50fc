package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.testing.Waits;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Connection contract between a parent and its child (§B.1), one body run against every
 * {@link ConnectionKind} and both start methods: the child gets a pipe end as an argument, or the
 * listener's address and connects with the authkey it inherited; the child's end sends, the
 * parent's end receives (and on a duplex channel both ways).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ConnectionBetweenProcessesContractTest {

  private static final List<String> START_METHODS = List.of("spawn", "forkserver");

  static Stream<Arguments> everyKind() {
    return combinations(Arrays.asList(ConnectionKind.values()));
  }

  static Stream<Arguments> duplexKinds() {
    return combinations(Stream.of(ConnectionKind.values()).filter(ConnectionKind::duplex).toList());
  }

  static Stream<Arguments> pipeKinds() {
    return combinations(Stream.of(ConnectionKind.values()).filter(k -> !k.socket()).toList());
  }

  private static Stream<Arguments> combinations(List<ConnectionKind> kinds) {
    return kinds.stream().flatMap(k -> START_METHODS.stream().map(m -> Arguments.of(k, m)));
  }

  /** In the child: its end of the channel, whichever kind it is. */
  private static Connection childEnd(Args args) throws InterruptedException {
    Object end = args.get(0);
    return end instanceof SocketAddress ? Client.connect((SocketAddress) end) : (Connection) end;
  }

  /**
   * One channel with its far end for a child: a pipe end it is given, or a listener whose address
   * it connects to. Closing closes whatever is still open here.
   */
  private static final class Link implements AutoCloseable {
    private final ConnectionKind kind;
    private final Listener listener;
    private final Connection childs;
    private Connection mine;

    Link(ConnectionKind kind) throws Exception {
      this.kind = kind;
      if (kind.socket()) {
        listener = kind.listener();
        childs = null;
      } else {
        ConnectionKind.Channel ch = kind.open();
        listener = null;
        childs = ch.sender();
        mine = ch.receiver();
      }
    }

    /** The child's argument. */
    Object forChild() {
      return kind.socket() ? listener.address() : childs;
    }

    /** Starts the child and returns this process's end: the pipe end kept, or the accepted socket. */
    Connection start(Process child) throws InterruptedException {
      child.start();
      if (kind.socket()) {
        mine = listener.accept(Waits.JOIN).orElseThrow(() -> new AssertionError("the child never connected"));
      } else {
        childs.close(); // as CPython's idiom: this process's copy goes, the child's remains
      }
      return mine;
    }

    @Override
    public void close() {
      if (mine != null) {
        mine.close();
      }
      if (childs != null) {
        childs.close();
      }
      if (listener != null) {
        listener.close();
      }
    }
  }

  private static Process child(String method, Target target, Link link, Object... more) {
    Object[] args = new Object[more.length + 1];
    args[0] = link.forChild();
    System.arraycopy(more, 0, args, 1, more.length);
    return Process.builder().startMethod(method).target(target).args(args)
        .stderr(ChildOutput.discard()).build();
  }

  private static void cleanUp(Process child) throws InterruptedException {
    if (child.isAlive()) {
      child.kill();
    }
    if (child.pid() != null) {
      child.join(Waits.JOIN);
    }
  }

  static void echo(Args args) throws Exception {
    Connection c = childEnd(args);
    while (true) {
      Object o = c.recv();
      if ("stop".equals(o)) {
        return;
      }
      c.send(o);
    }
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("duplexKinds")
  void aChildEchoes(ConnectionKind kind, String method) throws Exception {
    try (Link link = new Link(kind)) {
      Process child = child(method, ConnectionBetweenProcessesContractTest::echo, link);
      try {
        Connection c = link.start(child);
        for (int i = 0; i < 1000; i++) {
          Map<String, Object> m = new HashMap<>();
          m.put("i", i);
          c.send(m);
          assertThat(c.recv()).isEqualTo(m);
        }
        c.send("stop");
        assertThat(child.join(Waits.JOIN)).isTrue();
        assertThat(child.exitCode()).isEqualTo(0);
        assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
        ConnectionContractTest.assertSendingBreaks(kind, c);
      } finally {
        cleanUp(child);
      }
    }
  }

  static void sendAndExit(Args args) throws Exception {
    Connection c = childEnd(args);
    for (int i = 0; i < args.getInt(1); i++) {
      c.sendBytes(new byte[] {(byte) i});
    }
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("everyKind")
  void whatAChildSentBeforeItExitedIsReceivedThenEndOfStream(ConnectionKind kind, String method) throws Exception {
    try (Link link = new Link(kind)) {
      Process child = child(method, ConnectionBetweenProcessesContractTest::sendAndExit, link, 100);
      try {
        Connection c = link.start(child);
        // nothing read yet: the data waits in the ring or the socket, as in a pipe
        assertThat(child.join(Waits.JOIN)).isTrue();
        assertThat(child.exitCode()).isEqualTo(0);
        for (int i = 0; i < 100; i++) {
          assertThat(c.recvBytes()).containsExactly((byte) i);
        }
        assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
        assertThat(c.poll()).isTrue();
      } finally {
        cleanUp(child);
      }
    }
  }

  static void failAtOnce(Args args) {
    throw new IllegalStateException("dies before using its end");
  }

  /** Pipes only: a child that dies before connecting to a listener leaves nothing to accept. */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("pipeKinds")
  void aChildThatDiesBeforeUsingItsEndIsTheEndOfTheStream(ConnectionKind kind, String method) throws Exception {
    try (Link link = new Link(kind)) {
      Process child = child(method, ConnectionBetweenProcessesContractTest::failAtOnce, link);
      try {
        Connection c = link.start(child);
        assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
        assertThat(child.join(Waits.JOIN)).isTrue();
        assertThat(child.exitCode()).isEqualTo(1);
      } finally {
        cleanUp(child);
      }
    }
  }

  static void readyThenWait(Args args) throws Exception {
    Connection c = childEnd(args);
    c.sendBytes("ready".getBytes(StandardCharsets.UTF_8));
    if (c.isReadable()) {
      c.recv();
    } else {
      Thread.sleep(Waits.UNTIL_KILLED.toMillis());
    }
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("everyKind")
  void aKilledPeerIsAnErrorOnEachOperationNotAHang(ConnectionKind kind, String method) throws Exception {
    try (Link link = new Link(kind)) {
      Process child = child(method, ConnectionBetweenProcessesContractTest::readyThenWait, link);
      try {
        Connection c = link.start(child);
        assertThat(new String(c.recvBytes(), StandardCharsets.UTF_8)).isEqualTo("ready");
        child.kill();
        assertThat(child.join(Waits.JOIN)).isTrue();
        assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
        if (kind.duplex()) {
          ConnectionContractTest.assertSendingBreaks(kind, c);
        }
      } finally {
        cleanUp(child);
      }
    }
  }
}
