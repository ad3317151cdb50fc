package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process-wide deserialization filter, set in code or as a system property children inherit. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SerialFilterTest {

  private static final String PROPERTY = "multiprocessing4j.serialFilter";

  /** A class the filters single out. */
  record Secret(String value) implements Serializable {
  }

  @Test
  void theProcessWideFilterRefusesAClassOnEveryChannel() throws Exception {
    Multiprocessing.setSerialFilter(info -> info.serialClass() == Secret.class
        ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
    try {
      Pipe p = Pipe.open();
      try (Connection a = p.conn1(); Connection b = p.conn2()) {
        a.send(List.of(new Secret("nested")));
        a.send("fine");
        assertThatThrownBy(b::recv).isInstanceOf(ConnectionException.class)
            .hasMessageContaining(Secret.class.getName());
        assertThat(b.recv()).isEqualTo("fine");
      }
    } finally {
      Multiprocessing.setSerialFilter(null);
    }
    Pipe p = Pipe.open();
    try (Connection a = p.conn1(); Connection b = p.conn2()) {
      a.send(new Secret("allowed again"));
      assertThat(b.recv()).isEqualTo(new Secret("allowed again"));
    }
  }

  static void receive(Args args) throws Exception {
    Connection c = args.get(0, Connection.class);
    try {
      System.out.println("received " + c.recv());
    } catch (ConnectionException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }

  @Test
  void aChildInheritsTheFilterPatternOfTheSystemProperty() throws Exception {
    Multiprocessing.setSerialFilter(null); // this JVM reads the property once, now: not the pattern below
    System.setProperty(PROPERTY, "!" + Secret.class.getName());
    Process child;
    CapturedLines out = new CapturedLines();
    Pipe p = Pipe.open();
    try {
      child = Process.builder().target(SerialFilterTest::receive).args(p.conn2()).stdout(out.output()).build();
      child.start();
    } finally {
      System.clearProperty(PROPERTY);
    }
    p.conn2().close();
    try (Connection c = p.conn1()) {
      c.send(new Secret("x"));
      child.join(Waits.JOIN);
    }
    assertThat(out.text()).startsWith("refused: ").contains(Secret.class.getName());
  }
}
