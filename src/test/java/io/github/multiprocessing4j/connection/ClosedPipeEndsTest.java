package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.transport.RingTransport;
import io.github.multiprocessing4j.testing.Collected;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a closed pipe end leaves behind: nothing the library still refers to (its mapping is freed with it). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ClosedPipeEndsTest {

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
    assertThat(Collected.await(collected, refs.size(), 10_000)).isEqualTo(refs.size());
  }
}
