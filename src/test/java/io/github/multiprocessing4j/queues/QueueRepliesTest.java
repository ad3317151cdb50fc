package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.connection.ConnectionException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Replies to another process's requests, sent by whichever thread completes them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueueRepliesTest {

  @Test
  void anItemPutByAnInterruptedThreadReachesTheRemoteGetterItWasHandedTo() throws Exception {
    QueueServer server = QueueServer.get();
    QueueStore store = new QueueStore(0);
    long id = Long.MAX_VALUE - 11;
    server.publish(id, store);
    QueueClient client = QueueClient.of(server.address(), id, ProcessHandle.current().pid());
    try {
      FutureTask<byte[]> get = new FutureTask<>(() -> client.get(-1));
      Thread getter = new Thread(get, "test-remote-get");
      getter.setDaemon(true);
      getter.start();
      awaitGetters(store, 1);
      Thread.currentThread().interrupt(); // e.g. a worker thread being cancelled
      try {
        assertThat(store.put(new byte[] {9}, false, null)).isNull(); // handed to the remote getter
      } finally {
        assertThat(Thread.interrupted()).as("the flag is kept").isTrue();
      }
      assertThat(get.get(10, TimeUnit.SECONDS)).containsExactly(9);
    } finally {
      client.release();
    }
  }

  @Test
  void anOwnerThatHangsUpDuringTheHandshakeIsReportedAsEnded() throws Exception {
    // What a getter sees when the queue's owner is killed between accept and the handshake's end.
    try (ServerSocketChannel owner = ServerSocketChannel.open()) {
      owner.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Void> hangUp = CompletableFuture.runAsync(() -> {
        try (SocketChannel accepted = owner.accept()) {
          accepted.setOption(StandardSocketOptions.SO_LINGER, 0); // a reset, as a kill gives
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      String address = "tcp:" + ((InetSocketAddress) owner.getLocalAddress()).getPort();
      assertThatThrownBy(() -> QueueClient.of(address, 5, 4242))
          .isInstanceOf(ConnectionException.class)
          .hasMessageStartingWith("cannot connect to queue 5 of process 4242: the process that created the "
              + "queue has ended (");
      hangUp.get(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitGetters(QueueStore store, int n) throws ReflectiveOperationException {
    Field f = QueueStore.class.getDeclaredField("getters");
    f.setAccessible(true);
    Collection<?> getters = (Collection<?>) f.get(store);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      store.size(); // takes the store's lock, so the read below sees the latest
      if (getters.size() >= n) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the remote get did not reach the store");
      }
      Thread.onSpinWait();
    }
  }
}
