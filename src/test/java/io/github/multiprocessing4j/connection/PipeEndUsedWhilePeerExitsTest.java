package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.queues.JoinableQueue;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * What a child sent on a pipe before it ended is received, also when the parent uses its end for
 * the first time while the child is ending: the parent's first use meets the child's end mid-exit
 * (its socket closes during the authkey handshake), which must count as a peer that ended, not as
 * a failed connection. Before the fix, 7 of 8 rounds failed with {@code PeerClosedException} or
 * "Connection reset".
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class PipeEndUsedWhilePeerExitsTest {

  private static final int ROUNDS = 8;

  /** Takes a number from the queue, sends its square on the pipe, marks the task done and ends. */
  @SuppressWarnings("unchecked")
  static void squareOnce(Args a) throws Exception {
    JoinableQueue<Integer> in = a.get(0, JoinableQueue.class);
    Connection out = a.get(1, Connection.class);
    int n = in.get();
    out.send(n * n);
    in.taskDone();
  }

  @ParameterizedTest(name = "duplex={0}")
  @ValueSource(booleans = {false, true})
  void theMessageOfAChildThatIsEndingIsReceived(boolean duplex) throws Exception {
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      JoinableQueue<Integer> tasks = new JoinableQueue<>();
      Pipe results = Pipe.open(duplex);
      Process worker = new Process(PipeEndUsedWhilePeerExitsTest::squareOnce, tasks, results.conn2());
      try {
        worker.start();
        results.conn2().close();
        tasks.put(round);
        tasks.join(); // the child sent, and is ending now
        try {
          Object got = results.conn1().recv();
          if (!Integer.valueOf(round * round).equals(got)) {
            failures.add("round " + round + ": got " + got);
          }
        } catch (RuntimeException e) {
          failures.add("round " + round + ": " + e);
        }
        worker.join(Waits.LONG);
        assertThat(worker.exitCode()).as("round %d: the child's exit code", round).isZero();
      } finally {
        if (worker.isAlive()) {
          worker.kill();
          worker.join(Waits.LONG);
        }
        results.conn1().close();
        tasks.close();
      }
    }
    assertThat(failures).isEmpty();
  }
}
