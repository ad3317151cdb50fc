package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.transport.RingTransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.connection.ConnectionException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random mutation of the queue protocol, both ways: requests as a queue's owner parses them
 * ({@link QueueServer}, {@link QueueProtocol}: {@code [op][id][timeout][item]}), sent over authenticated links to the live
 * server of this process, and replies as a client parses them ({@link QueueClient}:
 * {@code [op][id][payload]}), sent by a fake owner. The owner must drop or answer a fuzzing link in
 * bounded time, withdraw whatever it left waiting when it goes (a get with a timeout of
 * {@code Long.MAX_VALUE} is legitimate and waits, until its link closes), keep serving a normal
 * client, and lose no thread to an uncaught throwable; a client only throws the library's
 * exceptions. The seeds are fixed: a failure names its seed and reruns the same.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class QueueProtocolFuzzTest {

  private static final long[] SEEDS = {1, 7, 42, 20_261_206};
  private static final int LINKS_A_SEED = 30;
  private static final int FRAMES_A_LINK = 8;
  private static final long LAST_FENCE = 0x7E57_FE4C_E000_0001L;
  private static final long[] TIMEOUTS = {0, QueueProtocol.FOREVER, 1, 1_000_000, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1};
  private static final byte[] REPLY_OPS = {
      QueueProtocol.R_OK, QueueProtocol.R_REFUSED, QueueProtocol.R_ITEM, QueueProtocol.R_VALUE,
      QueueProtocol.R_ERROR, QueueProtocol.R_CANCELLED};

  @Test
  void mutatedRequestsAreDroppedOrAnsweredAndTheOwnerKeepsServing() throws Exception {
    QueueServer server = QueueServer.get();
    QueueStore store = new QueueStore(3); // bounded: a put can wait too
    long queueId = Long.MAX_VALUE - 1_207;
    server.publish(queueId, store);
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    int linkThreads = threads("mp4j-queue-link");
    int frames = 0;
    int dropped = 0;
    try {
      for (long seed : SEEDS) {
        Random rnd = new Random(seed);
        for (int l = 0; l < LINKS_A_SEED; l++) {
          List<byte[]> sent = new ArrayList<>();
          for (int f = 0; f < FRAMES_A_LINK; f++) {
            sent.add(mutate(rnd, request(rnd)));
          }
          frames += sent.size();
          if (!fuzzOneLink(server, queueId, sent, "seed " + seed + ", link " + l)) {
            dropped++;
          }
          awaitNoWaiters(store, "seed " + seed + ", link " + l + " closed: the owner withdraws its waits");
        }
      }
      assertThat(dropped).as("some mutants are refused (the test reaches the error paths)").isPositive();
      assertThat(dropped).as("some links live to their fence (the test reaches the waits)").isLessThan(frames / FRAMES_A_LINK);

      // a normal client is still served, and nothing the fuzzing left behind takes its item
      QueueClient client = QueueClient.of(server.address(), queueId, ProcessHandle.current().pid());
      try {
        while (client.get(0) != null) {
          // drain what the fuzzing put
        }
        assertThat(client.put(new byte[] {4, 2}, -1)).isTrue();
        assertThat(client.get(TimeUnit.SECONDS.toNanos(10))).containsExactly(4, 2);
        assertThat(client.size()).isZero();
      } finally {
        client.release();
      }
      awaitThreads("mp4j-queue-link", linkThreads);
      assertThat(uncaught).as("no thread died of an uncaught throwable").isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  void mutatedRepliesGiveAValueOrTheLibrarysExceptions() throws Exception {
    byte[] key = Multiprocessing.currentProcess().authkey();
    int clientThreads = threads("mp4j-queue-client");
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try (ServerSocketChannel owner = ServerSocketChannel.open()) {
      owner.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String address = "tcp:" + ((InetSocketAddress) owner.getLocalAddress()).getPort();
      long queueId = 0;
      for (long seed : SEEDS) {
        Random rnd = new Random(seed);
        for (int c = 0; c < 40; c++) {
          String where = "seed " + seed + ", case " + c;
          boolean fuzzHello = rnd.nextInt(4) == 0;
          int op = rnd.nextInt(6);
          long seedOfOwner = rnd.nextLong();
          FutureTask<Void> fake = new FutureTask<>(() -> {
            fakeOwner(owner, key, fuzzHello, new Random(seedOfOwner));
            return null;
          });
          Thread t = new Thread(fake, "test-fake-queue-owner");
          t.setDaemon(true);
          t.start();
          long id = ++queueId;
          FutureTask<Object> call = new FutureTask<>(() -> {
            QueueClient client = QueueClient.of(address, id, 4242);
            try {
              switch (op) {
                case 0:
                  return client.get(-1);
                case 1:
                  return client.put(new byte[] {1}, -1);
                case 2:
                  return client.size();
                case 3:
                  return client.full();
                case 4:
                  return client.join(-1);
                default:
                  client.taskDone();
                  return null;
              }
            } finally {
              client.release();
            }
          });
          Thread caller = new Thread(call, "test-queue-caller");
          caller.setDaemon(true);
          caller.start();
          try {
            call.get(20, TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            throw new AssertionError(where + ": the client hangs on a mutated reply", e);
          } catch (ExecutionException e) {
            Throwable x = e.getCause();
            boolean library = x instanceof ConnectionException
                || (op == 5 && x instanceof IllegalStateException);
            if (!library) {
              throw new AssertionError(where + ": not the library's exception", x);
            }
          }
          try {
            fake.get(20, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            throw new AssertionError(where + ": the fake owner failed", e.getCause());
          }
          caller.join(10_000);
          t.join(10_000);
        }
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    awaitThreads("mp4j-queue-client", clientThreads);
    assertThat(uncaught).as("no thread died of an uncaught throwable").isEmpty();
  }

  @Test
  void aLengthBeyondTheLimitDropsTheLinkWithoutAllocatingIt() throws Exception {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try {
      // the owner's side: a request that claims nearly 2 GiB
      QueueServer server = QueueServer.get();
      QueueStore store = new QueueStore(0);
      long queueId = Long.MAX_VALUE - 1_208;
      server.publish(queueId, store);
      SocketChannel s = SocketChannel.open(QueueServer.parse(server.address()));
      RingTransport link = RingTransport.connect(s, Multiprocessing.currentProcess().authkey());
      try {
        byte[] hello = QueueProtocol.hello(queueId);
        link.send(hello, 0, hello.length);
        assertThat(link.receive(64)[0]).isEqualTo(QueueProtocol.R_OK);
        announce(link, Integer.MAX_VALUE - 8);
        assertThat(link.poll(TimeUnit.SECONDS.toNanos(10))).as("the owner drops the link").isTrue();
        assertThatThrownBy(() -> link.receive(64)).isInstanceOf(ConnectionException.class);
      } finally {
        link.close();
      }
      // the client's side: a reply that claims as much
      byte[] key = Multiprocessing.currentProcess().authkey();
      try (ServerSocketChannel owner = ServerSocketChannel.open()) {
        owner.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        String address = "tcp:" + ((InetSocketAddress) owner.getLocalAddress()).getPort();
        FutureTask<Void> fake = new FutureTask<>(() -> {
          try (SocketChannel a = owner.accept()) {
            RingTransport l = RingTransport.accept(a, key, 1 << 16);
            try {
              l.receive(QueueProtocol.HELLO_LIMIT);
              byte[] ok = QueueProtocol.reply(QueueProtocol.R_OK, 0, null);
              l.send(ok, 0, ok.length);
              l.receive(64); // the request
              announce(l, Integer.MAX_VALUE - 8);
              l.poll(TimeUnit.SECONDS.toNanos(20)); // until the client drops the link
            } finally {
              l.close();
            }
          }
          return null;
        });
        Thread t = new Thread(fake, "test-fake-queue-owner");
        t.setDaemon(true);
        t.start();
        QueueClient client = QueueClient.of(address, 1, 4242);
        try {
          FutureTask<Integer> size = new FutureTask<>(client::size);
          Thread caller = new Thread(size, "test-queue-caller");
          caller.setDaemon(true);
          caller.start();
          assertThatThrownBy(() -> size.get(20, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(ConnectionException.class);
        } finally {
          client.release();
        }
        fake.get(20, TimeUnit.SECONDS);
      }
      assertThat(uncaught).as("no thread died of an uncaught throwable").isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  /** Writes only a length prefix into the ring, as a hostile peer may: no such message follows. */
  private static void announce(RingTransport t, int len) throws ReflectiveOperationException {
    Method produce = RingTransport.class.getDeclaredMethod("produce", byte[].class, int.class, int.class,
        long.class, long.class);
    Method publish = RingTransport.class.getDeclaredMethod("publish", long.class);
    Field out = RingTransport.class.getDeclaredField("out");
    out.setAccessible(true);
    Object ring = out.get(t);
    Method writePosition = ring.getClass().getDeclaredMethod("writePosition");
    for (java.lang.reflect.AccessibleObject o : new java.lang.reflect.AccessibleObject[] {
        produce, publish, writePosition}) {
      o.setAccessible(true);
    }
    long start = (long) writePosition.invoke(ring);
    byte[] h = {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
    long wp = (long) produce.invoke(t, h, 0, 4, start, start);
    publish.invoke(t, wp);
  }

  /**
   * Connects as a client does, sends the frames and a fence, reads until the fence's answer or the
   * end of the link, then closes. Returns false if the owner dropped the link.
   */
  private static boolean fuzzOneLink(QueueServer server, long queueId, List<byte[]> frames, String where)
      throws Exception {
    SocketChannel s = SocketChannel.open(QueueServer.parse(server.address()));
    RingTransport link;
    try {
      link = RingTransport.connect(s, Multiprocessing.currentProcess().authkey());
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    try {
      byte[] hello = QueueProtocol.hello(queueId);
      link.send(hello, 0, hello.length);
      assertThat(link.receive(64)[0]).isEqualTo(QueueProtocol.R_OK);
      try {
        for (byte[] f : frames) {
          link.send(f, 0, f.length); // small: the ring never fills, even once the owner went
        }
        byte[] fence = QueueProtocol.request(QueueProtocol.FENCE, LAST_FENCE);
        link.send(fence, 0, fence.length);
      } catch (ConnectionException e) {
        return false; // dropped while sending
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !link.poll(left)) {
          throw new AssertionError(where + ": the owner neither answered the fence nor dropped the link");
        }
        byte[] r;
        try {
          r = link.receive(1 << 20);
        } catch (ConnectionException e) {
          return false; // dropped: a refused frame
        }
        assertThat(r.length).as(where + ": a reply has its op and id").isGreaterThanOrEqualTo(QueueProtocol.REPLY_HEADER);
        assertThat(REPLY_OPS).as(where + ": a known reply").contains(r[0]);
        if (r[0] == QueueProtocol.R_OK && QueueProtocol.id(r) == LAST_FENCE) {
          return true;
        }
      }
    } finally {
      link.close(); // withdraws what it left waiting
    }
  }

  /** A well-formed request of a random kind, with ids from a small set so that they repeat. */
  private static byte[] request(Random rnd) {
    byte op = (byte) (QueueProtocol.PUT + rnd.nextInt(QueueProtocol.FENCE)); // PUT to FENCE
    long id = 1 + rnd.nextInt(4);
    long timeout = TIMEOUTS[rnd.nextInt(TIMEOUTS.length)];
    byte[] item = new byte[rnd.nextInt(6)];
    rnd.nextBytes(item);
    ByteBuffer b = ByteBuffer.allocate(QueueProtocol.TIMED_HEADER + item.length);
    b.put(op);
    if (op == QueueProtocol.PUT) {
      b.put(item);
    } else {
      b.putLong(id);
      if (op == QueueProtocol.PUT_WAIT || op == QueueProtocol.GET || op == QueueProtocol.JOIN) {
        b.putLong(timeout);
        if (op == QueueProtocol.PUT_WAIT) {
          b.put(item);
        }
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  /** Mostly valid frames, the rest truncated, flipped, grown, retyped or garbage. */
  private static byte[] mutate(Random rnd, byte[] m) {
    switch (rnd.nextInt(8)) {
      case 0:
        return Arrays.copyOf(m, rnd.nextInt(m.length + 1));
      case 1: {
        byte[] c = m.clone();
        c[rnd.nextInt(c.length)] ^= (byte) (1 << rnd.nextInt(8));
        return c;
      }
      case 2: {
        byte[] c = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(16));
        return c;
      }
      case 3: {
        byte[] c = m.clone();
        c[0] = (byte) rnd.nextInt(256);
        return c;
      }
      case 4: {
        byte[] c = new byte[rnd.nextInt(24)];
        rnd.nextBytes(c);
        return c;
      }
      default:
        return m;
    }
  }

  /** Serves one client link: a (maybe mutated) answer to its hello, then mutated replies, then hangs up. */
  private static void fakeOwner(ServerSocketChannel owner, byte[] key, boolean fuzzHello, Random rnd)
      throws Exception {
    try (SocketChannel s = owner.accept()) {
      RingTransport link = RingTransport.accept(s, key, 1 << 16);
      try {
        link.receive(QueueProtocol.HELLO_LIMIT);
        byte[] ok = QueueProtocol.reply(QueueProtocol.R_OK, 0, null);
        byte[] hello = fuzzHello ? mutate(rnd, ok) : ok;
        link.send(hello, 0, hello.length);
        if (fuzzHello && (hello.length < QueueProtocol.REPLY_HEADER || hello[0] != QueueProtocol.R_OK)) {
          return; // the client refuses it
        }
        // one request, answered by a reply of any kind, then the end of the link
        if (!link.poll(TimeUnit.SECONDS.toNanos(10))) {
          return;
        }
        byte[] req;
        try {
          req = link.receive(1 << 16);
        } catch (ConnectionException e) {
          return; // the client went away
        }
        long id = req.length >= QueueProtocol.ID_HEADER ? QueueProtocol.id(req) : 0;
        byte[] payload = new byte[rnd.nextBoolean() ? 8 : rnd.nextInt(12)];
        rnd.nextBytes(payload);
        byte[] r = mutate(rnd, QueueProtocol.reply(REPLY_OPS[rnd.nextInt(REPLY_OPS.length)], id, payload));
        link.send(r, 0, r.length);
      } catch (ConnectionException e) {
        // the client hung up first
      } finally {
        link.close();
      }
    }
  }

  private static void awaitNoWaiters(QueueStore store, String what) throws ReflectiveOperationException {
    List<Collection<?>> lines = new ArrayList<>();
    for (String name : new String[] {"getters", "putters", "joiners"}) {
      Field f = QueueStore.class.getDeclaredField(name);
      f.setAccessible(true);
      lines.add((Collection<?>) f.get(store));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      store.size(); // takes the store's lock, so the reads below see the latest
      int n = 0;
      for (Collection<?> c : lines) {
        n += c.size();
      }
      if (n == 0) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": " + n + " waiter(s) left in the store");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a poll with a deadline, not a timed guess
    }
  }

  private static int threads(String name) {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        n++;
      }
    }
    return n;
  }

  private static void awaitThreads(String name, int most) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (threads(name) > most) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(threads(name) + " " + name + " threads left, " + most + " before");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a poll with a deadline, not a timed guess
    }
  }
}
