package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Collected;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a released queue link leaves behind: nothing the library still refers to. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ClosedQueueLinksTest {

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
    assertThat(Collected.await(collected, 1, 10_000)).isEqualTo(1);
    assertThat(link.get()).isNull();
  }

  private static Object linkOf(QueueClient c) throws ReflectiveOperationException {
    java.lang.reflect.Field f = QueueClient.class.getDeclaredField("link");
    f.setAccessible(true);
    return f.get(c);
  }
}
