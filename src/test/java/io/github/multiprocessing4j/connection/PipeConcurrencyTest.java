package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One end used by a sending and a receiving thread at once, as the Transport contract allows. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class PipeConcurrencyTest {

  private static final int N = 20_000; // about 3 MB each way: the senders never wait for room

  private static byte[] message(int i) {
    byte[] m = new byte[1 + i % 300];
    for (int k = 0; k < m.length; k++) {
      m[k] = (byte) (i + k);
    }
    return m;
  }

  private static Background<Void> sender(Connection c) {
    return Background.run(() -> {
      for (int i = 0; i < N; i++) {
        c.sendBytes(message(i));
      }
      return null;
    });
  }

  private static Background<List<String>> receiver(Connection c) {
    return Background.run(() -> {
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < N && wrong.isEmpty(); i++) {
        byte[] got;
        try {
          got = c.recvBytes(1000); // a corrupt length prefix fails here instead of waiting for ever
        } catch (ConnectionException e) {
          wrong.add("message " + i + ": " + e.getMessage());
          break;
        }
        if (!java.util.Arrays.equals(got, message(i))) {
          wrong.add("message " + i + ": " + got.length + " bytes, expected " + message(i).length);
        }
      }
      return wrong;
    });
  }

  @Test
  void anEndSendsInOneThreadWhileItReceivesInAnother() throws Exception {
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      Background<Void> aSends = sender(a);
      Background<Void> bSends = sender(b);
      Background<List<String>> aReceives = receiver(a);
      Background<List<String>> bReceives = receiver(b);
      assertThat(aReceives.get(Waits.JOIN)).isEmpty();
      assertThat(bReceives.get(Waits.JOIN)).isEmpty();
      aSends.get(Waits.JOIN);
      bSends.get(Waits.JOIN);
    }
  }
}
