package io.github.multiprocessing4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.connection.Client;
import io.github.multiprocessing4j.connection.Connection;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The handshake thread: it outlives whatever its takers throw, and drops the oldest of too many. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class AuthenticatorTest {

  private static final byte[] KEY = "the key".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private Future<Connection> connect(ExecutorService ex, Path socket) {
    return ex.submit(() -> Client.builder().authkey(KEY).connect(socket));
  }

  @Test
  void aTakerThatThrowsCostsItsSocketAndTheThreadGoesOn() throws Exception {
    Path socket = dir.resolve("s.sock");
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Future<Connection> first = connect(ex, socket);
      SocketChannel s1 = server.accept();
      Authenticator.submit(s1, KEY, TimeUnit.SECONDS.toNanos(30), ch -> {
        throw new OutOfMemoryError("thrown by the taker, on purpose");
      });
      try (Connection c = first.get(30, TimeUnit.SECONDS)) { // it passed; the taker then failed
        assertThat(c.poll(java.time.Duration.ofSeconds(30))).isTrue(); // the end of the stream: closed
      }
      assertThat(s1.isOpen()).isFalse();
      Future<Connection> second = connect(ex, socket);
      SocketChannel s2 = server.accept();
      CompletableFuture<SocketChannel> taken = new CompletableFuture<>();
      Authenticator.submit(s2, KEY, TimeUnit.SECONDS.toNanos(30), taken::complete);
      Connection c = second.get(30, TimeUnit.SECONDS);
      SocketChannel ch = taken.get(30, TimeUnit.SECONDS);
      assertThat(ch.isOpen()).isTrue();
      ch.close();
      c.close();
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void beyondTheLimitTheOldestSilentPeerIsDropped() throws Exception {
    Path socket = dir.resolve("s.sock");
    List<SocketChannel> peers = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket), Authenticator.MAX_PENDING + 8);
      for (int i = 0; i <= Authenticator.MAX_PENDING; i++) {
        SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        peers.add(peer);
        Authenticator.submit(server.accept(), KEY, TimeUnit.SECONDS.toNanos(60), ch -> ch.close());
      }
      // The first peer is sent the challenge, then dropped (one more than the limit came): it reads
      // the end of the stream, long before its 60 s deadline.
      ByteBuffer b = ByteBuffer.allocate(4096);
      int n;
      do {
        b.clear();
        n = peers.get(0).read(b);
      } while (n > 0);
      assertThat(n).isEqualTo(-1);
      assertThat(Authenticator.pending()).isLessThanOrEqualTo(Authenticator.MAX_PENDING);
    } finally {
      for (SocketChannel p : peers) {
        p.close();
      }
    }
  }
}
