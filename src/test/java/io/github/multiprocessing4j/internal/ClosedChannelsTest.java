package io.github.multiprocessing4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a closed link leaves behind: nothing the library still refers to (its mapping is freed with it). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ClosedChannelsTest {

  private static final byte[] KEY = "test key".getBytes(StandardCharsets.UTF_8);

  @Test
  void closedPipeEndsCanBeCollectedWithTheirMappings() throws Exception {
    ReferenceQueue<Object> collected = new ReferenceQueue<>();
    List<WeakReference<Object>> refs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path[] files = PipeEndpoint.create();
      RingTransport a = PipeEndpoint.claim(files[0], files[1], 0, KEY, () -> false);
      RingTransport b = PipeEndpoint.claim(files[0], files[1], 1, KEY, () -> false);
      a.send(new byte[] {42}, 0, 1);
      assertThat(b.receive(16)).containsExactly(42);
      a.close();
      b.close();
      refs.add(new WeakReference<>(a, collected));
      refs.add(new WeakReference<>(b, collected));
    }
    assertThat(awaitCollected(collected, refs.size(), 10_000)).isEqualTo(refs.size());
  }

  @Test
  void closedQueueLinksCanBeCollected() throws Exception {
    QueueServer server = QueueServer.get();
    QueueStore store = new QueueStore(0);
    long id = Long.MAX_VALUE - 7;
    server.publish(id, store);
    QueueClient client = QueueClient.of(server.address(), id, ProcessHandle.current().pid());
    client.putNoReply(new byte[] {7});
    assertThat(client.get(-1)).containsExactly(7);
    ReferenceQueue<Object> collected = new ReferenceQueue<>();
    WeakReference<Object> link = new WeakReference<>(linkOf(client), collected);
    client.release();
    client = null;
    assertThat(awaitCollected(collected, 1, 10_000)).isEqualTo(1);
    assertThat(link.get()).isNull();
  }

  private static Object linkOf(QueueClient c) throws ReflectiveOperationException {
    java.lang.reflect.Field f = QueueClient.class.getDeclaredField("link");
    f.setAccessible(true);
    return f.get(c);
  }

  /** Collects garbage until {@code n} references were enqueued or the time is up; returns how many were. */
  static int awaitCollected(ReferenceQueue<Object> q, int n, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    int got = 0;
    while (got < n && System.nanoTime() - deadline < 0) {
      System.gc();
      while (got < n && q.remove(50) != null) {
        got++;
      }
    }
    return got;
  }
}
