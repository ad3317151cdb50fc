package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.testing.Waits;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CPython's reference counting: an object lives while a proxy to it, in any process, does. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ManagerReferenceTest {

  @Test
  void aProxyStoredInAManagedObjectKeepsItsObjectAlive() {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      assertThat(m.objectCount()).isZero();
      CounterApi c = m.get("Counter", CounterApi.class);
      CounterApi holder = m.get("Counter", CounterApi.class);
      holder.keep(c); // the server's own proxy holds a second reference
      CounterApi again = (CounterApi) holder.kept(); // and this one a third
      assertThat(m.objectCount()).isEqualTo(2);
      ((BaseProxy) c).close();
      ((BaseProxy) c).close(); // idempotent
      assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
      ((BaseProxy) again).close();
      assertThat(m.objectCount()).as("the stored proxy keeps the counter").isEqualTo(2);
      assertThat(((CounterApi) holder.kept()).increment()).isEqualTo(1);
      ((BaseProxy) holder).close();
      assertThat(m.objectCount()).as("the holder is gone; the counter goes when the server collects its proxy")
          .isLessThanOrEqualTo(1);
    }
  }

  @Test
  void closingTheOnlyProxyDropsTheObjectAtOnce() {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      CounterApi child = c.child();
      assertThat(m.objectCount()).isEqualTo(2);
      ((BaseProxy) child).close();
      assertThat(m.objectCount()).isEqualTo(1);
      ((BaseProxy) c).close();
      assertThat(m.objectCount()).isZero();
    }
  }

  static void holdUntilKilled(Args args) throws Exception {
    CounterApi c = args.get(0, CounterApi.class);
    c.increment();
    try (Connection ready = args.get(1, Connection.class)) {
      ready.send("holding");
    }
    new CountDownLatch(1).await(); // until the test kills this process
  }

  @Test
  void theReferencesOfAClientProcessThatDiesAreDropped() throws Exception {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      Pipe pipe = Pipe.open();
      Process p = Process.builder().target(ManagerReferenceTest::holdUntilKilled).args(c, pipe.conn2()).build();
      p.start();
      try (Connection ready = pipe.conn1()) {
        assertThat(ready.recv()).isEqualTo("holding");
      }
      ((BaseProxy) c).close();
      assertThat(m.objectCount()).as("the child still holds a reference").isEqualTo(1);
      p.kill();
      assertThat(p.join(Waits.JOIN)).isTrue();
      Waits.until(() -> m.objectCount() == 0, "the dead client's reference to be dropped");
    }
  }

  static void incrementOnce(Args args) {
    args.get(0, CounterApi.class).increment();
  }

  @Test
  void aProxyClosedRightAfterItsChildStartedStillReachesTheChild() throws Exception {
    try (BaseManager m = BaseManagerTest.counters()) {
      m.start();
      CounterApi c = m.get("Counter", CounterApi.class);
      CounterApi holder = m.get("Counter", CounterApi.class);
      Process p = Process.builder().target(ManagerReferenceTest::incrementOnce).args(c).build();
      p.start();
      ((BaseProxy) c).close(); // before the child can have read its arguments: a JVM takes longer to start
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).as("the child found its counter").isZero();
      Waits.until(() -> m.objectCount() == 1, "the counter to go with the child's reference");
      assertThat(holder.value()).isZero();
    }
  }
}
