package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.runtime.Limits;

import static io.github.multiprocessing4j.testing.DeepGraphs.depth;
import static io.github.multiprocessing4j.testing.DeepGraphs.nested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data that is deep, shaped to cost for ever, or too long, in one JVM: what the codec and the
 * channel filter make of it (issue 12, section 4).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HostileDataTest {

  /**
   * SerialDOS: {@code levels} levels of HashSets, each set of the two chains holding both sets of
   * the level below, so hashing the top set walks 2^levels paths.
   */
  static Set<Object> serialDos(int levels) {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < levels; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("foo"); // t1 differs from t2
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  private static Object decode(byte[] m) throws IOException {
    return Messages.decode(m, null);
  }

  /** Runs {@code work} on a thread with a stack of {@code stack} bytes, as the library's readers. */
  private static Object onThread(long stack, Callable work) throws Throwable {
    AtomicReference<Object> value = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        value.set(work.call());
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "small-stack", stack);
    t.start();
    t.join();
    if (thrown.get() != null) {
      throw thrown.get();
    }
    return value.get();
  }

  interface Callable {
    Object call() throws Exception;
  }

  @Test
  void aHashMapNested700DeepIsReceivedOnAnyThread() throws Throwable {
    byte[] m = Messages.encode(nested(700), "test");
    assertThat(depth(decode(m))).isEqualTo(700);
    // A reader thread with a small stack (the library's own use 64 and 128 KiB).
    assertThat(depth(onThread(64 * 1024, () -> decode(m)))).isEqualTo(700);
    // And sent from one: the encoder retries on a deeper stack too.
    byte[] again = (byte[]) onThread(64 * 1024, () -> Messages.encode(nested(700), "test"));
    assertThat(depth(decode(again))).isEqualTo(700);
  }

  @Test
  void compactMessagesAtTheirDeepestAreDecodedOnTheSmallestThreadStack() throws Throwable {
    // The compact forms nest at most MAX_DEPTH deep; interpreted, that can overflow the smallest
    // stack the JVM gives a thread (16 KiB asked for, rounded up), so decoding retries on DeepStack.
    byte[] m = Messages.encode(nested(ObjectCodec.MAX_DEPTH), "test");
    assertThat(ObjectCodec.javaSerialized(m, 0, m.length)).isFalse();
    assertThat(depth(onThread(16 * 1024, () -> decode(m)))).isEqualTo(ObjectCodec.MAX_DEPTH);
  }

  @Test
  void aGraphDeeperThanTheLimitIsRefusedNamingTheLimit() throws Throwable {
    byte[] m = (byte[]) onThread(64L << 20, () -> Messages.encode(nested(1100), "test"));
    assertThatThrownBy(() -> onThread(64 * 1024, () -> decode(m)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("-D" + Limits.MAX_DEPTH_PROPERTY);
  }

  @Test
  void serialDosIsRefusedPromptly() throws Exception {
    byte[] m = Messages.encode(serialDos(100), "test");
    assertThat(m.length).isLessThan(10_000);
    // CPU time of this process, which decodes: wall time on a loaded machine says nothing.
    long start = cpuNanos();
    assertThatThrownBy(() -> decode(m))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("-D" + Limits.MAX_SHARED_LEVELS_PROPERTY);
    // Refused after about 2^20 hash steps (milliseconds of CPU); before, 2^100.
    assertThat(TimeUnit.NANOSECONDS.toMillis(cpuNanos() - start)).isLessThan(5_000);
  }

  @Test
  void sharedReferencesAtAFewLevelsStillPass() throws Exception {
    Set<Object> shallow = serialDos(12);
    // (Its equals is as costly as hashing it many times over: compare the hash.)
    assertThat(decode(Messages.encode(shallow, "test")).hashCode()).isEqualTo(shallow.hashCode());
    // Many references to shared objects at one level: a list of the same enum constants.
    java.util.List<Object> same = new java.util.ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      same.add(i % 2 == 0 ? TimeUnit.SECONDS : java.time.DayOfWeek.MONDAY);
    }
    Map<String, Object> holder = new HashMap<>(Map.of("x", same));
    assertThat(decode(Messages.encode(holder, "test"))).isEqualTo(holder);
  }

  @Test
  void aMessageOverTheLimitFailsItsSenderNamingTheProperty() {
    byte[] big = new byte[Limits.maxMessageBytes() + 1];
    assertThatThrownBy(() -> Messages.encode(big, "the object sent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the object sent")
        .hasMessageContaining(String.valueOf(Limits.maxMessageBytes()))
        .hasMessageContaining("-D" + Limits.MAX_MESSAGE_BYTES_PROPERTY);
    // The largest byte array a message can carry is sent and received.
    byte[] fits = new byte[Limits.maxMessageBytes() - 8];
    assertThat(ObjectCodecTestAccess.length(fits)).isLessThanOrEqualTo(Limits.maxMessageBytes());
  }

  @Test
  void aReceiverRefusesAMessageOverTheLimitBeforeDecodingIt() {
    byte[] m = new byte[Limits.maxMessageBytes() + 1];
    assertThatThrownBy(() -> ObjectCodec.decode(m, 0, m.length,
        info -> ObjectInputFilter.Status.UNDECIDED))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("-D" + Limits.MAX_MESSAGE_BYTES_PROPERTY);
  }

  /** Encoded lengths, without keeping the message. */
  static final class ObjectCodecTestAccess {
    static int length(Object v) {
      return ObjectCodec.encode(v).length;
    }
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  /**
   * A forged compact lambda naming a gadget class as its capturing class: the channel filter's
   * deny-list rejects the class once it is loaded, before it is initialised or any of its code
   * runs, as it would reject it in a Java-serialized stream.
   */
  @Test
  void aCompactLambdaNamingADeniedClassIsRejectedBeforeItRuns() {
    ByteSink s = new ByteSink();
    s.writeByte(Tags.LAMBDA);
    String gadget = "javax/management/BadAttributeValueExpException";
    for (String text : new String[] {gadget, "java/lang/Runnable", "run", "()V", gadget, "toString",
        "()Ljava/lang/String;"}) {
      s.write(ObjectCodec.encode(text));
    }
    s.writeVarInt(5);
    s.write(ObjectCodec.encode("()V"));
    s.writeVarInt(0);
    assertThatThrownBy(() -> decode(s.toByteArray()))
        .isInstanceOf(java.io.InvalidClassException.class)
        .hasMessageContaining("javax.management.BadAttributeValueExpException")
        .hasMessageContaining("rejected by the deserialization filter");
  }
}
