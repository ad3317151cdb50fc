package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.runtime.RuntimeDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A pipe's files (its ring in shared memory, its state file) go once both ends are closed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class PipeFilesTest {

  private static List<String> pipeFiles() throws IOException {
    List<String> all = new ArrayList<>();
    for (Path dir : new Path[] {RuntimeDir.get(), RuntimeDir.shm()}) {
      try (Stream<Path> s = Files.list(dir)) {
        // a listening end's socket file goes with its acceptor thread, a moment after close
        all.addAll(s.map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith("pipe-") && !n.endsWith(".sock")).collect(Collectors.toList()));
      }
    }
    return all;
  }

  @Test
  void closingBothEndsOfAnUnusedPipeRemovesItsFiles() throws Exception {
    List<String> before = pipeFiles();
    Pipe p = Pipe.open();
    p.conn1().close();
    p.conn2().close();
    assertThat(pipeFiles()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void closingBothEndsOfAPipeUsedAtOneEndRemovesItsFiles() throws Exception {
    List<String> before = pipeFiles();
    Pipe p = Pipe.open();
    p.conn1().send("never received");
    p.conn1().close();
    p.conn2().close();
    assertThat(pipeFiles()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void closingBothEndsOfAUsedPipeRemovesItsFiles() throws Exception {
    List<String> before = pipeFiles();
    Pipe p = Pipe.open();
    p.conn1().send("hello");
    assertThat(p.conn2().recv()).isEqualTo("hello");
    p.conn2().close();
    p.conn1().close();
    assertThat(pipeFiles()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void anEndClosedUnusedStillLetsItsPeerReadWhatItSent() throws Exception {
    Pipe p = Pipe.open(false);
    p.conn1().close(); // the receiving end, never used
    try (Connection c = p.conn2()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.send("x")).isInstanceOf(BrokenPipeException.class);
    }
    Pipe q = Pipe.open();
    q.conn1().send("kept");
    q.conn1().close(); // the file stays: the other end may still come and read
    try (Connection c = q.conn2()) {
      assertThat(c.recv()).isEqualTo("kept");
      org.assertj.core.api.Assertions.assertThatThrownBy(c::recv).isInstanceOf(PeerClosedException.class);
    }
  }
}
