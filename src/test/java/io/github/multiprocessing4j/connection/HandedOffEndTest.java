package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipe end handed to a child that dies before connecting, after the parent dropped its copy and
 * garbage collection ran: the other end still learns that nobody can use the peer end any more.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class HandedOffEndTest {

  @Test
  void recvFailsOnceTheChildThatGotTheOtherEndDiedWithoutConnectingEvenAfterTheProgramDroppedThatEnd() throws Exception {
    Pipe pipe = Pipe.open();
    Connection mine = pipe.conn1();
    CapturedLines err = new CapturedLines(); // the JVM's complaint: asserted, not left in the build's output
    Process p = Process.builder().target((Args a) -> { }).jvmOptions("-XX:+NoSuchFlag").args(pipe.conn2())
        .stderr(err.output()).build();
    p.start();
    pipe.conn2().close();
    pipe = null; // the program keeps no copy of the child's end
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isEqualTo(1);
    assertThat(err.await("Unrecognized VM option 'NoSuchFlag'", Waits.JOIN)).isNotNull();
    // poll returns true when recv would not block: a message or the end of the stream.
    assertThat(mine.poll(Duration.ofSeconds(10))).as("the end of the stream is seen").isTrue();
    assertThatThrownBy(mine::recvBytes).isInstanceOf(PeerClosedException.class);
    mine.close();
  }
}
