package io.github.multiprocessing4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake thread ends at exit: a thread left waiting in {@code select()} makes HotSpot wait
 * 300 ms before the JVM exits (a manager's shutdown took 330 ms for it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class AuthenticatorExitTest {

  /** Starts the handshake thread, runs the exit actions, and reports whether the thread ended. */
  public static final class Fixture {
    public static void main(String[] args) throws Exception {
      try (ServerSocketChannel ss = ServerSocketChannel.open()) {
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(ss.getLocalAddress());
        Authenticator.submit(ss.accept(), "key".getBytes(), TimeUnit.SECONDS.toNanos(30), ch -> { });
        Thread handshakes = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("mp4j-handshakes")).findFirst().orElseThrow();
        ExitActions.runAll();
        handshakes.join(); // bounded by the test's timeout
        System.out.println("the handshake thread ended");
        client.close();
      }
    }
  }

  @Test
  void theHandshakeThreadEndsWithTheExitActions() throws Exception {
    try (JavaMain jvm = JavaMain.start(Fixture.class)) {
      jvm.awaitStdout("the handshake thread ended", Waits.JOIN);
      assertThat(jvm.waitFor(Waits.JOIN)).isZero();
    }
  }
}
