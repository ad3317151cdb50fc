package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Listener and Client against peers that do not play by the rules: a raw socket as the attacker,
 * sending a wrong key, garbage, truncated or oversized frames, forbidden classes or nothing at all;
 * and a raw socket posing as a listener to a Client. Each test also checks that the listener then
 * serves an honest client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ListenerSecurityTest {

  private static final byte[] KEY = "the-right-key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WRONG = "a-wrong-key".getBytes(StandardCharsets.US_ASCII);

  /** The listener still serves a client with the right key. */
  private static void servesAnHonestClient(Listener l) throws Exception {
    Background<Connection> client = Background.run(() -> Client.connect(l.address(), KEY));
    try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
      c.send("honest");
      assertThat(s.recv()).isEqualTo("honest");
      s.send("served");
      assertThat(c.recv()).isEqualTo("served");
    }
  }

  private static Listener listener() {
    return Listener.builder().authkey(KEY).open();
  }

  // ---- (1) a wrong key

  @Test
  void aWrongKeyIsRejectedTheConnectionClosedAndTheNextClientServed() throws Exception {
    try (Listener l = listener(); RawPeer attacker = RawPeer.connect(l.address())) {
      Background<byte[]> verdict = Background.run(() -> attacker.answerChallenge(WRONG));
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class)
          .hasMessage("digest received was wrong");
      assertThat(verdict.get(Waits.JOIN)).isEqualTo(RawPeer.FAILURE);
      assertThat(attacker.seesEndOfStream()).isTrue();
      servesAnHonestClient(l);
    }
  }

  @Test
  void aClientWithAWrongKeyIsToldItsDigestWasRejected() throws Exception {
    try (Listener l = listener()) {
      Background<Connection> client = Background.run(() -> Client.connect(l.address(), WRONG));
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class)
          .hasMessage("digest received was wrong");
      assertThatThrownBy(() -> client.get(Waits.JOIN)).isInstanceOf(AuthenticationException.class)
          .hasMessage("digest sent was rejected");
      servesAnHonestClient(l);
    }
  }

  // ---- (2) garbage instead of the answer

  static Stream<Arguments> garbage() {
    return Stream.of(
        Arguments.of("a short framed message", framed("hello"), true,
            "unsupported message length, missing digest prefix, or unsupported digest: message=b'hello'"),
        Arguments.of("an unsupported digest", framed("{sha1}0123456789abcdefghij"), true,
            "unsupported message length, missing digest prefix, or unsupported digest: message=b'{sha1}"),
        Arguments.of("a digest of the wrong length", framed("{sha256}short"), true,
            "expected 'sha256' of length 32 got 5"),
        Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false,
            "longer than 256 bytes"));
  }

  private static byte[] framed(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return java.nio.ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void garbageInsteadOfTheAnswerIsRejected(String what, byte[] bytes, boolean failureSent, String message)
      throws Exception {
    try (Listener l = listener(); RawPeer attacker = RawPeer.connect(l.address())) {
      Background<byte[]> reply = Background.run(() -> {
        attacker.expectChallenge();
        attacker.sendRaw(bytes);
        return failureSent ? attacker.receiveFrame() : null;
      });
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class).hasMessageContaining(message);
      if (failureSent) { // as CPython: #FAILURE# for any answer it cannot accept
        assertThat(reply.get(Waits.JOIN)).isEqualTo(RawPeer.FAILURE);
      } else {
        reply.get(Waits.JOIN);
      }
      assertThat(attacker.seesEndOfStream()).isTrue();
      servesAnHonestClient(l);
    }
  }

  // ---- (3) a truncated frame

  @Test
  void aTruncatedFrameDuringTheHandshakeFailsThatClientOnly() throws Exception {
    try (Listener l = listener(); RawPeer attacker = RawPeer.connect(l.address())) {
      Background<Void> send = Background.run(() -> {
        attacker.expectChallenge();
        attacker.sendLength(100);
        attacker.sendRaw(new byte[10]);
        attacker.shutdownOutput(); // the listener sees the end of the stream
        return null;
      });
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("did not complete the authkey challenge")
          .hasMessageContaining("got end of file during message");
      send.get(Waits.JOIN);
      servesAnHonestClient(l);
    }
  }

  @Test
  void aTruncatedFrameAfterTheHandshakeIsAnEndOfFileDuringMessage() throws Exception {
    try (Listener l = listener(); RawPeer attacker = RawPeer.connect(l.address())) {
      Background<Void> auth = Background.run(() -> {
        attacker.authenticateAsClient(KEY);
        return null;
      });
      try (Connection s = l.accept()) {
        auth.get(Waits.JOIN);
        attacker.sendLength(100);
        attacker.sendRaw(new byte[10]);
        attacker.shutdownOutput(); // the listener sees the end of the stream
        assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
            .hasMessageContaining("got end of file during message");
      }
      servesAnHonestClient(l);
    }
  }

  // ---- (4) oversized length prefixes

  @Test
  void anOversizedLengthPrefixDuringTheHandshakeIsRefusedUnread() throws Exception {
    try (Listener l = listener(); RawPeer attacker = RawPeer.connect(l.address())) {
      Background<Void> send = Background.run(() -> {
        attacker.expectChallenge();
        attacker.sendLength(0x7FFFFFFF);
        return null;
      });
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("longer than 256 bytes");
      send.get(Waits.JOIN);
      assertThat(attacker.seesEndOfStream()).isTrue();
      servesAnHonestClient(l);
    }
  }

  /**
   * Bytes allocated by this thread so far, to show that a length prefix was not believed. Through
   * reflection: the tests are compiled into the module, which does not read java.management.
   */
  private static long allocatedByThisThread() throws Exception {
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    Class<?> hotspot;
    try {
      hotspot = Class.forName("com.sun.management.ThreadMXBean");
    } catch (ClassNotFoundException e) {
      hotspot = null;
    }
    assumeThat(hotspot != null && hotspot.isInstance(bean)).as("per-thread allocation counters").isTrue();
    assumeThat((Boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean)).isTrue();
    return (Long) hotspot.getMethod("getThreadAllocatedBytes", long.class).invoke(bean, Thread.currentThread().getId());
  }

  @Test
  void anOversizedLengthPrefixAfterTheHandshakeIsNotAllocated() throws Exception {
    try (Listener l = listener()) {
      // 2 GiB announced, 10 bytes sent: the receiver reads what comes, it does not allocate 2 GiB
      try (RawPeer attacker = RawPeer.connect(l.address())) {
        Connection s = acceptAuthenticated(l, attacker);
        attacker.sendLength(0x7FFFFFFF);
        attacker.sendRaw(new byte[10]);
        attacker.shutdownOutput(); // the listener sees the end of the stream
        long before = allocatedByThisThread();
        assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
            .hasMessageContaining("got end of file during message");
        assertThat(allocatedByThisThread() - before).isLessThan(64L << 20);
        s.close();
      }
      // the same prefix against a maximum: refused before anything is read
      try (RawPeer attacker = RawPeer.connect(l.address()); Connection s = acceptAuthenticated(l, attacker)) {
        attacker.sendLength(0x7FFFFFFF);
        assertThatThrownBy(() -> s.recvBytes(1000)).isInstanceOf(ConnectionException.class)
            .hasMessageContaining("bad message length").hasMessageContaining("2147483647 bytes");
      }
      // -1 and an 8-byte length of 2^63 - 1: more than any array, refused at once
      try (RawPeer attacker = RawPeer.connect(l.address()); Connection s = acceptAuthenticated(l, attacker)) {
        attacker.sendLongLength(Long.MAX_VALUE);
        long before = allocatedByThisThread();
        assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
            .hasMessageContaining("bad message length").hasMessageContaining(Long.toString(Long.MAX_VALUE));
        assertThat(allocatedByThisThread() - before).isLessThan(64L << 20);
      }
      // -1 and an 8-byte length over 2^63 (negative as a long), or a negative prefix: not this
      // protocol, and nothing after it can be trusted
      for (long bad : new long[] {-1L, Long.MIN_VALUE}) {
        try (RawPeer attacker = RawPeer.connect(l.address()); Connection s = acceptAuthenticated(l, attacker)) {
          attacker.sendLongLength(bad);
          attacker.sendRaw(new byte[] {0, 0, 0, 1, 42});
          assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
              .hasMessageContaining("bad message length").hasMessageContaining("negative");
          assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
              .hasMessageContaining("negative");
        }
      }
      try (RawPeer attacker = RawPeer.connect(l.address()); Connection s = acceptAuthenticated(l, attacker)) {
        attacker.sendLength(-2);
        assertThatThrownBy(s::recvBytes).isInstanceOf(ConnectionException.class)
            .hasMessageContaining("the length prefix -2 is negative");
      }
      servesAnHonestClient(l);
    }
  }

  private static Connection acceptAuthenticated(Listener l, RawPeer peer) throws Exception {
    Background<Void> auth = Background.run(() -> {
      peer.authenticateAsClient(KEY);
      return null;
    });
    Connection s = l.accept();
    auth.get(Waits.JOIN);
    return s;
  }

  // ---- (5) a class the filter does not allow

  /** Stands for a deserialization gadget: its readObject must never run. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean READ = new AtomicBoolean();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      READ.set(true);
    }
  }

  @Test
  void aClassTheFilterRejectsIsNamedAndNotDeserializedAndTheListenerServesOthers() throws Exception {
    ObjectInputFilter onlyJdkCollections = ObjectInputFilter.Config.createFilter("java.lang.*;java.util.*;!*");
    try (Listener l = Listener.builder().authkey(KEY).serialFilter(onlyJdkCollections).open();
        RawPeer attacker = RawPeer.connect(l.address());
        Connection s = acceptAuthenticated(l, attacker)) {
      attacker.sendObject(new Gadget());
      attacker.sendObject(new ArrayList<>(List.of(new Gadget())));
      attacker.sendObject(new ArrayList<>(List.of(1, "two")));
      assertThatThrownBy(s::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining(Gadget.class.getName())
          .hasMessageContaining("rejected");
      assertThatThrownBy(s::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining(Gadget.class.getName())
          .hasMessageContaining("rejected");
      assertThat(Gadget.READ).isFalse();
      assertThat(s.recv()).isEqualTo(List.of(1, "two")); // the stream is still in step
      // every accepted connection has the filter, also one from an honest client
      Background<Connection> client = Background.run(() -> Client.connect(l.address(), KEY));
      try (Connection s2 = l.accept(); Connection c = client.get(Waits.JOIN)) {
        c.send(new Gadget());
        c.send("fine");
        assertThatThrownBy(s2::recv).isInstanceOf(ConnectionException.class)
            .hasMessageContaining(Gadget.class.getName()).hasMessageContaining("rejected");
        assertThat(s2.recv()).isEqualTo("fine");
      }
      assertThat(Gadget.READ).isFalse();
    }
  }

  @Test
  void aClientConnectionAndAPipeEndApplyTheirFilterToo() throws Exception {
    ObjectInputFilter noGadgets = ObjectInputFilter.Config.createFilter("!" + Gadget.class.getName());
    try (Listener l = listener()) {
      Background<Connection> client = Background.run(() -> Client.builder().authkey(KEY).serialFilter(noGadgets)
          .connect(l.address()));
      try (Connection s = l.accept(); Connection c = client.get(Waits.JOIN)) {
        s.send(new Gadget());
        assertThatThrownBy(c::recv).isInstanceOf(ConnectionException.class)
            .hasMessageContaining(Gadget.class.getName()).hasMessageContaining("rejected");
      }
    }
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      b.setSerialFilter(noGadgets);
      a.send(new Gadget());
      assertThatThrownBy(b::recv).isInstanceOf(ConnectionException.class)
          .hasMessageContaining(Gadget.class.getName()).hasMessageContaining("rejected");
      b.setSerialFilter(null);
      a.send(new Gadget());
      assertThat(b.recv()).isInstanceOf(Gadget.class);
    }
    assertThat(Gadget.READ).isTrue(); // the one allowed through was really read
    Gadget.READ.set(false);
  }

  // ---- (6) a client that says nothing

  @Test
  void aSilentClientIsDroppedAfterTheHandshakeTimeoutAndTheNextOneServed() throws Exception {
    try (Listener l = Listener.builder().authkey(KEY).handshakeTimeout(Duration.ofMillis(300)).open();
        RawPeer silent = RawPeer.connect(l.address())) {
      long t0 = System.nanoTime();
      assertThatThrownBy(l::accept).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("did not complete the authkey challenge within 300 ms");
      long took = System.nanoTime() - t0;
      assertThat(took).isBetween(TimeUnit.MILLISECONDS.toNanos(300), Waits.JOIN.toNanos());
      silent.expectChallenge();
      assertThat(silent.seesEndOfStream()).isTrue();
      servesAnHonestClient(l);
    }
  }

  @Test
  void aClientThatStallsHalfWayThroughTheHandshakeIsDroppedToo() throws Exception {
    try (Listener l = Listener.builder().authkey(KEY).handshakeTimeout(Duration.ofMillis(500)).open();
        RawPeer slow = RawPeer.connect(l.address())) {
      Background<Connection> accepting = Background.run(l::accept);
      // a right answer, and then no challenge of its own
      assertThat(slow.answerChallenge(KEY)).isEqualTo(RawPeer.WELCOME);
      assertThatThrownBy(() -> accepting.get(Waits.JOIN)).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("within 500 ms");
      assertThat(slow.seesEndOfStream()).isTrue();
      servesAnHonestClient(l);
    }
  }

  // ---- a raw socket posing as a listener to a Client

  /** A raw listener on a Unix socket in {@code dir}; {@code script} plays its side. */
  private static <T> T againstRawListener(Path dir, RawScript script, Client.Builder client) throws Exception {
    Path p = dir.resolve("fake.sock");
    try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ss.bind(UnixDomainSocketAddress.of(p));
      Background<Connection> connecting = Background.run(() -> client.connect(p));
      try (RawPeer server = new RawPeer(ss.accept())) {
        script.play(server);
        Connection c = connecting.get(Waits.JOIN);
        c.close();
        throw new AssertionError("the client accepted the fake listener");
      } catch (AuthenticationException | ConnectionException e) {
        @SuppressWarnings("unchecked")
        T t = (T) e;
        return t;
      }
    }
  }

  interface RawScript {
    void play(RawPeer server) throws Exception;
  }

  @Test
  void aClientRefusesAListenerThatSendsSomethingElseThanAChallenge(@TempDir Path dir) throws Exception {
    Exception e = againstRawListener(dir, server -> server.sendFrame(RawPeer.ascii("HTTP/1.1 200 OK")),
        Client.builder().authkey(KEY));
    assertThat(e).isInstanceOf(AuthenticationException.class)
        .hasMessage("Protocol error, expected challenge: message=b'HTTP/1.1 200 OK'");
  }

  @Test
  void aClientRefusesAListenerThatAnnouncesAnOversizedMessage(@TempDir Path dir) throws Exception {
    Exception e = againstRawListener(dir, server -> server.sendLength(0x7FFFFFFF),
        Client.builder().authkey(KEY));
    assertThat(e).isInstanceOf(AuthenticationException.class).hasMessageContaining("longer than 256 bytes");
  }

  @Test
  void aClientGivesUpOnASilentListenerAtItsTimeout(@TempDir Path dir) throws Exception {
    Exception e = againstRawListener(dir, server -> { }, Client.builder().authkey(KEY).timeout(Duration.ofMillis(300)));
    assertThat(e).isInstanceOf(AuthenticationException.class).hasMessageContaining("within 300 ms");
  }

  @Test
  void aClientRefusesAListenerThatDoesNotKnowTheKey(@TempDir Path dir) throws Exception {
    // mutual authentication: the fake listener welcomes any answer, then cannot answer the client's challenge
    Exception e = againstRawListener(dir, server -> {
      byte[] random = new byte[40];
      server.sendFrame(RawPeer.concat(RawPeer.CHALLENGE, RawPeer.concat(RawPeer.ascii("{sha256}"), random)));
      server.receiveFrame();
      server.sendFrame(RawPeer.WELCOME);
      byte[] theirs = server.expectChallenge();
      server.sendFrame(RawPeer.response(WRONG, theirs));
      assertThat(server.receiveFrame()).isEqualTo(RawPeer.FAILURE);
    }, Client.builder().authkey(KEY));
    assertThat(e).isInstanceOf(AuthenticationException.class).hasMessage("digest received was wrong");
  }

  @Test
  void aClientRefusesAModernChallengeWithoutADigestPrefix(@TempDir Path dir) throws Exception {
    Exception e = againstRawListener(dir, server -> server.sendFrame(RawPeer.concat(RawPeer.CHALLENGE, new byte[40])),
        Client.builder().authkey(KEY).timeout(Duration.ofSeconds(5)));
    assertThat(e).isInstanceOf(AuthenticationException.class)
        .hasMessageStartingWith("unsupported message length, missing digest prefix, or unsupported digest");
  }

  @Test
  void aLegacyChallengeIsAnsweredInMd5EvenWhenItStartsWithABrace(@TempDir Path dir) throws Exception {
    // CPython 3.11 and older send 20 random bytes; those may look like "{x}..." (CPython decides by
    // the length first)
    byte[] legacy = RawPeer.ascii("{x}01234567890123456");
    assertThat(legacy).hasSize(20);
    Path p = dir.resolve("legacy.sock");
    try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ss.bind(UnixDomainSocketAddress.of(p));
      Background<Connection> connecting = Background.run(() -> Client.connect(UnixDomainSocketAddress.of(p), KEY));
      try (RawPeer server = new RawPeer(ss.accept())) {
        server.sendFrame(RawPeer.concat(RawPeer.CHALLENGE, legacy));
        assertThat(server.receiveFrame()).isEqualTo(RawPeer.hmac("HmacMD5", KEY, legacy));
        server.sendFrame(RawPeer.WELCOME);
        server.sendFrame(RawPeer.response(KEY, server.expectChallenge()));
        assertThat(server.receiveFrame()).isEqualTo(RawPeer.WELCOME);
        try (Connection c = connecting.get(Waits.JOIN)) {
          server.sendFrame(new byte[] {7});
          assertThat(c.recvBytes()).containsExactly(7);
        }
      }
    }
  }

  // ---- the same attacks against a Listener in a child process

  static void childListener(Args args) throws Exception {
    Connection report = args.get(0, Connection.class);
    try (Listener l = Listener.builder().handshakeTimeout(Duration.ofSeconds(5)).open()) {
      report.send(l.address());
      for (int i = 0; i < 2; i++) {
        try {
          l.accept().close();
          report.send("accepted an attacker");
        } catch (AuthenticationException e) {
          report.send("rejected: " + e.getMessage());
        }
      }
      try (Connection c = l.accept()) {
        c.send("echo " + c.recv());
      }
    }
  }

  @Test
  void aListenerInAChildRejectsAttackersAndServesThePeerWithTheInheritedKey() throws Exception {
    Pipe pipe = Pipe.open();
    Process child = Process.builder().target(ListenerSecurityTest::childListener).args(pipe.conn2()).build();
    child.start();
    pipe.conn2().close();
    try (Connection report = pipe.conn1()) {
      SocketAddress address = report.recv(SocketAddress.class);
      try (RawPeer attacker = RawPeer.connect(address)) {
        assertThat(attacker.answerChallenge(WRONG)).isEqualTo(RawPeer.FAILURE);
      }
      assertThat(report.recv()).isEqualTo("rejected: digest received was wrong");
      try (RawPeer attacker = RawPeer.connect(address)) {
        attacker.expectChallenge();
        attacker.sendLength(0x7FFFFFFF);
        assertThat(attacker.seesEndOfStream()).isTrue();
      }
      assertThat((String) report.recv()).startsWith("rejected: ").contains("longer than 256 bytes");
      try (Connection c = Client.connect(address)) { // this process's authkey, which the child inherited
        c.send("hi");
        assertThat(c.recv()).isEqualTo("echo hi");
      }
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
