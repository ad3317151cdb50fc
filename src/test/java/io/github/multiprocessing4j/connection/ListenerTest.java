package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import io.github.multiprocessing4j.testing.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Listener and Client: addresses, accepting, and connections over sockets (§B.1). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ListenerTest {

  private static final byte[] KEY = "listener-test-key".getBytes(StandardCharsets.US_ASCII);

  /** The two kinds of address, for the tests that must hold over both. */
  enum Kind {
    UNIX {
      @Override
      Listener open() {
        return Listener.builder().authkey(KEY).open(); // the default address is a Unix socket
      }
    },
    TCP {
      @Override
      Listener open() {
        return Listener.builder().authkey(KEY).address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .open();
      }
    };

    abstract Listener open();
  }

  /** Accepts one client while it connects with {@link #KEY}: {server end, client end}. */
  static Connection[] connectedPair(Listener l) throws Exception {
    Background<Connection> client = Background.run(() -> Client.connect(l.address(), KEY));
    Connection server = l.accept();
    return new Connection[] {server, client.get(Waits.JOIN)};
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void objectsAndBytesGoBothWaysWithTheirBoundaries(Kind kind) throws Exception {
    byte[] big = new byte[3 << 20]; // more than one write and more than the first read buffer
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    try (Listener l = kind.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        client.sendBytes("a".getBytes(StandardCharsets.US_ASCII));
        client.sendBytes(new byte[0]);
        client.sendBytes("xbcx".getBytes(StandardCharsets.US_ASCII), 1, 2);
        client.send(Map.of("k", List.of(1, 2)));
        client.send(null);
        server.send(new ArrayList<>(List.of("reply")));
        assertThat(server.recvBytes()).containsExactly('a');
        assertThat(server.recvBytes()).isEmpty();
        assertThat(server.recvBytes()).containsExactly('b', 'c');
        assertThat(server.recv()).isEqualTo(Map.of("k", List.of(1, 2)));
        assertThat(server.recv()).isNull();
        assertThat(client.recv()).isEqualTo(List.of("reply"));
        Background<Void> sender = Background.run(() -> {
          server.sendBytes(big);
          return null;
        });
        assertThat(Arrays.equals(client.recvBytes(), big)).isTrue();
        sender.get(Waits.JOIN);
        assertThat(server.poll()).isFalse();
        assertThat(client.poll()).isFalse();
      }
    }
  }

  @Test
  void theDefaultAddressIsAUnixSocketInThePrivateRuntimeDirectoryDeletedOnClose() throws Exception {
    Listener l = Listener.open();
    SocketAddress a = l.address();
    if (!(a instanceof UnixDomainSocketAddress)) {
      // no Unix sockets on this system: the documented fallback
      assertThat(((InetSocketAddress) a).getAddress().isLoopbackAddress()).isTrue();
      l.close();
      return;
    }
    Path p = ((UnixDomainSocketAddress) a).getPath();
    assertThat(p.getParent()).isEqualTo(RuntimeDir.sockets());
    assertThat(p.getFileName().toString()).matches("listener-[0-9a-f]{8}");
    assertThat(p).exists();
    Background<Connection> client = Background.run(() -> Client.connect(p)); // default authkey on both sides
    try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
      c.send("hi");
      assertThat(s.recv()).isEqualTo("hi");
    }
    l.close();
    assertThat(p).doesNotExist();
    assertThat(l.isClosed()).isTrue();
  }

  @Test
  void portZeroListensOnTheChosenPort() throws Exception {
    try (Listener l = Listener.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      InetSocketAddress a = (InetSocketAddress) l.address();
      assertThat(a.getPort()).isPositive();
      assertThat(a.getAddress().isLoopbackAddress()).isTrue();
      Background<Connection> client = Background.run(() -> Client.connect(
          InetSocketAddress.createUnresolved(a.getAddress().getHostAddress(), a.getPort())));
      try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
        s.sendBytes(new byte[] {42});
        assertThat(c.recvBytes()).containsExactly(42);
      }
    }
  }

  @Test
  void aUnixSocketAtAGivenPathIsDeletedOnClose(@TempDir Path dir) throws Exception {
    Path p = dir.resolve("s.sock");
    Listener l = Listener.open(p);
    assertThat(l.address()).isEqualTo(UnixDomainSocketAddress.of(p));
    assertThat(p).exists();
    Background<Connection> client = Background.run(() -> Client.connect(p));
    try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
      c.sendBytes(new byte[] {1});
      assertThat(s.recvBytes()).containsExactly(1);
    }
    l.close();
    l.close(); // idempotent
    assertThat(p).doesNotExist();
  }

  @Test
  void bindingToAnAddressInUseFailsNamingIt(@TempDir Path dir) throws Exception {
    try (Listener first = Listener.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      InetSocketAddress a = (InetSocketAddress) first.address();
      assertThatThrownBy(() -> Listener.open(a))
          .isInstanceOf(ConnectionException.class)
          .hasMessageContaining("cannot listen on " + a.getAddress().getHostAddress() + ":" + a.getPort())
          .hasMessageContaining("in use");
    }
    Path p = dir.resolve("taken");
    Files.write(p, new byte[0]);
    assertThatThrownBy(() -> Listener.open(p))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("cannot listen on " + p)
        .hasMessageContaining("must not exist");
    assertThat(p).exists(); // not ours: left alone
  }

  @Test
  void acceptAfterCloseSaysTheListenerIsClosed() {
    Listener l = Listener.open();
    l.close();
    assertThatThrownBy(l::accept).isInstanceOf(ConnectionException.class).hasMessage("listener is closed");
    assertThatThrownBy(() -> l.accept(Duration.ofSeconds(1)))
        .isInstanceOf(ConnectionException.class).hasMessage("listener is closed");
    assertThat(l.toString()).contains("closed");
  }

  @Test
  void closeWakesAThreadWaitingInAccept() throws Exception {
    Listener l = Listener.open();
    Background<Connection> waiting = Background.run(l::accept);
    waiting.awaitBlockedInSelect(Waits.JOIN);
    l.close();
    assertThatThrownBy(() -> waiting.get(Waits.JOIN))
        .isInstanceOf(ConnectionException.class).hasMessage("listener is closed");
  }

  @Test
  void anInterruptedAcceptThrowsInterruptedExceptionAndTheListenerStillWorks() throws Exception {
    try (Listener l = Listener.builder().authkey(KEY).open()) {
      Background<Connection> waiting = Background.run(l::accept);
      waiting.awaitBlockedInSelect(Waits.JOIN);
      waiting.interrupt();
      assertThatThrownBy(() -> waiting.get(Waits.JOIN)).isInstanceOf(InterruptedException.class);
      try (RawPeer silent = RawPeer.connect(l.address())) { // and while authenticating
        Background<Connection> authenticating = Background.run(l::accept);
        silent.expectChallenge();
        authenticating.awaitBlockedInSelect(Waits.JOIN);
        authenticating.interrupt();
        assertThatThrownBy(() -> authenticating.get(Waits.JOIN)).isInstanceOf(InterruptedException.class);
        assertThat(silent.seesEndOfStream()).isTrue();
      }
      Connection[] pair = connectedPair(l);
      try (Connection s = pair[0]; Connection c = pair[1]) {
        c.send("after");
        assertThat(s.recv()).isEqualTo("after");
      }
    }
  }

  @Test
  void closeAbortsAHandshakeInProgress() throws Exception {
    Listener l = Listener.builder().authkey(KEY).open();
    try (RawPeer silent = RawPeer.connect(l.address())) {
      Background<Connection> accepting = Background.run(l::accept);
      silent.expectChallenge(); // the listener now waits for the answer
      accepting.awaitBlockedInSelect(Waits.JOIN);
      l.close();
      assertThatThrownBy(() -> accepting.get(Waits.JOIN))
          .isInstanceOf(ConnectionException.class).hasMessage("listener is closed");
      assertThat(silent.seesEndOfStream()).isTrue();
    }
  }

  @Test
  void acceptWithATimeoutReturnsEmptyWhenNobodyComes() throws Exception {
    try (Listener l = Listener.open()) {
      long t0 = System.nanoTime();
      assertThat(l.accept(Duration.ofMillis(200))).isEmpty();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
      assertThat(l.accept(Duration.ZERO)).isEmpty();
      assertThat(l.accept(Duration.ofSeconds(-1))).isEmpty();
      Background<Connection> client = Background.run(() -> Client.connect(l.address()));
      Optional<Connection> s = l.accept(Waits.JOIN);
      assertThat(s).isPresent();
      try (Connection server = s.get(); Connection c = client.get(Waits.JOIN)) {
        c.send(1);
        assertThat(server.recv()).isEqualTo(1);
      }
    }
  }

  @Test
  void lastAcceptedIsTheAddressOfTheLastClient() throws Exception {
    try (Listener l = Kind.TCP.open()) {
      assertThat(l.lastAccepted()).isEmpty();
      try (RawPeer raw = RawPeer.connect(l.address())) {
        Background<Void> auth = Background.run(() -> {
          raw.authenticateAsClient(KEY);
          return null;
        });
        try (Connection s = l.accept()) {
          auth.get(Waits.JOIN);
          assertThat(l.lastAccepted()).contains(raw.channel.getLocalAddress());
          assertThat(s.toString()).contains("from " + InetAddress.getLoopbackAddress().getHostAddress());
        }
      }
    }
  }

  @SuppressWarnings("try") // closes an end early on purpose
  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void aClosedPeerIsSeenAfterEverythingItSent(Kind kind) throws Exception {
    try (Listener l = kind.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        client.send("one");
        client.sendBytes(new byte[0]);
        client.close();
        assertThat(client.isClosed()).isTrue();
        assertThatThrownBy(() -> client.send("x")).isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
        assertThat(server.recv()).isEqualTo("one");
        assertThat(server.recvBytes()).isEmpty();
        assertThat(server.poll(Waits.JOIN)).isTrue(); // the end of the stream is "readable"
        assertThat(server.poll()).isTrue();
        assertThatThrownBy(server::recv).isInstanceOf(PeerClosedException.class);
        assertThatThrownBy(server::recvBytes).isInstanceOf(PeerClosedException.class);
      }
    }
  }

  @Test
  void aMessageLongerThanMaxLengthIsABadMessageLengthAndTheEndTurnsUnreadable() throws Exception {
    try (Listener l = Kind.UNIX.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        client.sendBytes(new byte[11]);
        assertThatThrownBy(() -> server.recvBytes(10))
            .isInstanceOf(ConnectionException.class)
            .hasMessageStartingWith("bad message length")
            .hasMessageContaining("11 bytes");
        assertThat(server.isReadable()).isFalse();
        assertThatThrownBy(server::recvBytes).isInstanceOf(ConnectionException.class)
            .hasMessage("connection is write-only");
        assertThatThrownBy(() -> server.recvBytes(-1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("negative maxlength");
        server.send("still writable");
        assertThat(client.recv()).isEqualTo("still writable");
      }
    }
  }

  @Test
  void recvBytesIntoFillsTheBufferOrThrowsBufferTooShortWithTheWholeMessage() throws Exception {
    try (Listener l = Kind.TCP.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        client.sendBytes(new byte[] {1, 2, 3});
        client.sendBytes(new byte[] {4, 5, 6, 7});
        client.sendBytes(new byte[] {8});
        byte[] buf = new byte[6];
        assertThat(server.recvBytesInto(buf, 2)).isEqualTo(3);
        assertThat(buf).containsExactly(0, 0, 1, 2, 3, 0);
        assertThatThrownBy(() -> server.recvBytesInto(buf, 3))
            .isInstanceOfSatisfying(BufferTooShortException.class,
                e -> assertThat(e.message()).containsExactly(4, 5, 6, 7));
        assertThat(server.recvBytesInto(buf)).isEqualTo(1); // the long one was consumed
        assertThat(buf[0]).isEqualTo((byte) 8);
        assertThatThrownBy(() -> server.recvBytesInto(buf, 7)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("offset too large");
      }
    }
  }

  @Test
  void pollWaitsForAMessageWithoutConsumingIt() throws Exception {
    try (Listener l = Kind.UNIX.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        assertThat(server.poll()).isFalse();
        long t0 = System.nanoTime();
        assertThat(server.poll(Duration.ofMillis(100))).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        Background<Boolean> polling = Background.run(() -> server.poll(Waits.JOIN));
        polling.awaitBlockedInSelect(Waits.JOIN);
        client.send("m");
        assertThat(polling.get(Waits.JOIN)).isTrue();
        assertThat(server.poll()).isTrue();
        assertThat(server.poll(Duration.ZERO)).isTrue();
        assertThat(server.recv()).isEqualTo("m");
        assertThat(server.poll()).isFalse();
      }
    }
  }

  @SuppressWarnings("try") // closes an end early on purpose
  @Test
  void closingAConnectionFailsARecvWaitingInAnotherThreadWithHandleIsClosed() throws Exception {
    try (Listener l = Kind.UNIX.open()) {
      for (int i = 0; i < 20; i++) { // the race it guards against is in the wake-up
        Connection[] pair = connectedPair(l);
        try (Connection server = pair[0]; Connection client = pair[1]) {
          Background<Object> receiving = Background.run(server::recv);
          receiving.awaitBlockedInSelect(Waits.JOIN);
          server.close();
          assertThatThrownBy(() -> receiving.get(Waits.JOIN))
              .isInstanceOf(ConnectionException.class).hasMessage("handle is closed");
          assertThat(client.poll(Waits.JOIN)).isTrue(); // and the peer sees the end of the stream
          assertThatThrownBy(client::recv).isInstanceOf(PeerClosedException.class);
        }
      }
    }
  }

  @Test
  void withoutAuthenticationBothSidesMustSaySo() throws Exception {
    try (Listener l = Listener.builder().noAuthentication().open()) {
      assertThat(l.toString()).contains("no authentication");
      Background<Connection> client = Background.run(() -> Client.builder().noAuthentication().connect(l.address()));
      try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
        c.send("plain");
        assertThat(s.recv()).isEqualTo("plain");
      }
      // A client that expects a challenge waits for one, and gives up at its timeout (CPython hangs)
      Background<Connection> expecting = Background.run(() -> Client.builder().authkey(KEY)
          .timeout(Duration.ofMillis(300)).connect(l.address()));
      try (Connection s = l.accept()) {
        assertThatThrownBy(() -> expecting.get(Waits.JOIN))
            .isInstanceOf(AuthenticationException.class).hasMessageContaining("within 300 ms");
        assertThat(s.poll(Waits.JOIN)).isTrue();
        assertThatThrownBy(s::recv).isInstanceOf(PeerClosedException.class);
      }
    }
  }

  @Test
  void anEmptyAuthkeyIsAKeyLikeAnyOther() throws Exception {
    try (Listener l = Listener.builder().authkey(new byte[0]).open()) {
      Background<Connection> good = Background.run(() -> Client.connect(l.address(), new byte[0]));
      try (Connection s = l.accept(); Connection c = good.get(Waits.JOIN)) {
        c.send(1);
        assertThat(s.recv()).isEqualTo(1);
      }
      Background<Connection> bad = Background.run(() -> Client.connect(l.address(), new byte[] {1}));
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class).hasMessage("digest received was wrong");
      assertThatThrownBy(() -> bad.get(Waits.JOIN)).isInstanceOf(AuthenticationException.class)
          .hasMessage("digest sent was rejected");
    }
  }

  @Test
  void aRefusedConnectionNamesTheAddress(@TempDir Path dir) throws Exception {
    InetSocketAddress freed;
    try (Listener l = Kind.TCP.open()) {
      freed = (InetSocketAddress) l.address();
    }
    assertThatThrownBy(() -> Client.connect(freed))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("cannot connect to " + freed.getAddress().getHostAddress() + ":" + freed.getPort())
        .hasMessageContaining("refused");
    Path missing = dir.resolve("nobody.sock");
    assertThatThrownBy(() -> Client.connect(missing))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("cannot connect to " + missing);
    assertThatThrownBy(() -> Client.connect(new SocketAddress() { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UnixDomainSocketAddress");
  }

  @Test
  void severalThreadsAcceptDifferentClientsAndASlowHandshakeHoldsUpOnlyItsOwn() throws Exception {
    try (Listener l = Listener.builder().authkey(KEY).open(); RawPeer slow = RawPeer.connect(l.address())) {
      Background<Connection> first = Background.run(l::accept); // takes the slow one
      slow.expectChallenge();
      first.awaitBlockedInSelect(Waits.JOIN);
      Background<Connection> client = Background.run(() -> Client.connect(l.address(), KEY));
      try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
        c.send("fast");
        assertThat(s.recv()).isEqualTo("fast");
      }
      slow.shutdownOutput();
      assertThatThrownBy(() -> first.get(Waits.JOIN)).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("did not complete the authkey challenge");
    }
  }

  @Test
  void aConnectionFromAListenerCannotBePassedToAChild() throws Exception {
    try (Listener l = Kind.UNIX.open()) {
      Connection[] pair = connectedPair(l);
      try (Connection server = pair[0]; Connection client = pair[1]) {
        Process p = Process.builder().target(a -> { }).args(server).build();
        assertThatThrownBy(p::start).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Listener's address");
        assertThat(client.isClosed()).isFalse();
      }
    }
  }

  static void connectBack(io.github.multiprocessing4j.Args args) throws Exception {
    try (Connection c = Client.connect(args.get(0, SocketAddress.class))) { // the inherited authkey
      c.send("hello from " + ProcessHandle.current().pid());
      c.send(c.recv());
    }
  }

  @Test
  void aChildConnectsWithTheAuthkeyItInherited() throws Exception {
    try (Listener l = Listener.open()) {
      Process child = Process.builder().target(ListenerTest::connectBack).args(l.address()).build();
      child.start();
      try (Connection c = l.accept(Waits.JOIN).orElseThrow()) {
        assertThat(c.recv()).isEqualTo("hello from " + child.pid());
        c.send(List.of("echo"));
        assertThat(c.recv()).isEqualTo(List.of("echo"));
        assertThat(child.join(Waits.JOIN)).isTrue();
        assertThat(child.exitCode()).isZero();
      } finally {
        if (child.isAlive()) {
          child.kill();
          child.join();
        }
      }
    }
  }
}
