package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.sync.Condition;
import io.github.multiprocessing4j.sync.Lock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compact forms of the library's by-name objects ({@link Tags#REF}) and of serializable
 * lambdas ({@link Tags#LAMBDA}): round trips through {@link ObjectCodec} and {@link ValueCodec},
 * the filter's say over every class before it runs code, and forged messages refused with the
 * codec's {@link ObjectStreamException}s only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CompactFormsTest {

  /** A serializable function of the tests. */
  interface Fn extends Serializable {
    Object apply(Object x);
  }

  /** A serializable string function, for a bound method reference. */
  interface StrFn extends Serializable {
    String apply(String s);
  }

  static final AtomicInteger NEVER_INITIALISED_INITS = new AtomicInteger();
  static final AtomicInteger INITIALISED_ON_ALLOW_INITS = new AtomicInteger();

  /** Has a serializable lambda; its initialiser must not run unless the filter allows it. */
  static final class NeverInitialised {
    static {
      NEVER_INITIALISED_INITS.incrementAndGet();
    }

    static Fn make() {
      return x -> x;
    }
  }

  /** As {@link NeverInitialised}: the control, which a filter allows. */
  static final class InitialisedOnAllow {
    static {
      INITIALISED_ON_ALLOW_INITS.incrementAndGet();
    }

    static Fn make() {
      return x -> x;
    }
  }

  /** Has a serializable lambda and an initialiser that throws. */
  static final class FailingInit {
    static {
      fail();
    }

    static void fail() {
      throw new IllegalStateException("boom in the static initialiser");
    }

    static Fn make() {
      return x -> x;
    }
  }

  /** Not compact: a lambda capturing it falls back to Java serialization. */
  record Box(int value) implements Serializable {
  }

  static Object twice(Object x) {
    return 2 * (Integer) x;
  }

  private static final ObjectInputFilter ALLOW_ALL = info -> ObjectInputFilter.Status.ALLOWED;

  private static Object decode(byte[] m, ObjectInputFilter filter) throws IOException {
    return ObjectCodec.decode(m, 0, m.length, filter);
  }

  private static Object roundTrip(Object v, int tag) throws IOException {
    byte[] m = ObjectCodec.encode(v);
    assertThat(m[0] & 0xFF).as("the tag of %s", v).isEqualTo(tag);
    return decode(m, SerialFilters.channel());
  }

  private static ObjectInputFilter rejecting(Class<?> c) {
    return info -> info.serialClass() == c ? ObjectInputFilter.Status.REJECTED
        : ObjectInputFilter.Status.UNDECIDED;
  }

  private static ObjectInputFilter maxArray(long n) {
    return info -> info.arrayLength() > n ? ObjectInputFilter.Status.REJECTED
        : ObjectInputFilter.Status.UNDECIDED;
  }

  // ---- round trips

  @Test
  void aStaticMethodReferenceIsCompactAndWorks() throws IOException {
    Fn f = CompactFormsTest::twice;
    Fn back = (Fn) roundTrip(f, Tags.LAMBDA);
    assertThat(back.apply(21)).isEqualTo(42);
    // Much shorter than Java serialization's form, which repeats SerializedLambda's descriptor.
    assertThat(ObjectCodec.encode(f).length).isLessThan(JavaSerialization.serialize(f, "f").length / 2);
  }

  @Test
  void aBoundMethodReferenceCarriesItsCompactReceiver() throws IOException {
    StrFn f = "abc"::concat;
    StrFn back = (StrFn) roundTrip(f, Tags.LAMBDA);
    assertThat(back.apply("d")).isEqualTo("abcd");
  }

  @Test
  void aCapturingLambdaCarriesItsCompactValues() throws IOException {
    int k = 5;
    List<Object> list = new ArrayList<>(List.of(1, "two", List.of(3)));
    long[] longs = {7L, 8L};
    Fn f = x -> k + list.size() + longs.length + (Integer) x;
    Fn back = (Fn) roundTrip(f, Tags.LAMBDA);
    assertThat(back.apply(100)).isEqualTo(110);
  }

  @Test
  void aLambdaCapturingANonCompactObjectFallsBackToJavaSerialization() throws IOException {
    Box box = new Box(3);
    Date date = new Date(0);
    Fn f = x -> box.value() + (Integer) x + (int) date.getTime();
    Fn back = (Fn) roundTrip(f, Tags.SERIALIZED);
    assertThat(back.apply(4)).isEqualTo(7);
  }

  @Test
  void aLambdaMetTwiceIsJavaSerializedSoThatItStaysOneObject() throws IOException {
    Fn f = CompactFormsTest::twice;
    List<?> back = (List<?>) roundTrip(new ArrayList<>(List.of(f, f)), Tags.SERIALIZED);
    assertThat(back.get(0)).isSameAs(back.get(1));
  }

  @Test
  void aLockIsCompactAndIsTheSameLock() throws Exception {
    Lock lock = new Lock();
    Lock back = (Lock) roundTrip(lock, Tags.REF);
    assertThat(back.acquire(false, null)).isTrue();
    try {
      assertThat(lock.acquire(false, null)).as("the original, while the copy holds it").isFalse();
    } finally {
      back.release();
    }
    assertThat(lock.acquire(false, null)).isTrue();
    lock.release();
  }

  @Test
  void aConditionIsCompactWithItsLockAsACompactPart() throws Exception {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    byte[] m = ObjectCodec.encode(c);
    assertThat(m[0] & 0xFF).isEqualTo(Tags.REF);
    // The part, the lock, is itself a reference inside the condition's.
    assertThat(indexOf(m, (byte) Tags.REF, 1)).isPositive();
    Condition back = (Condition) decode(m, SerialFilters.channel());
    assertThat(back.acquire(false, null)).isTrue();
    try {
      assertThat(lock.acquire(false, null)).as("the condition's lock, held through the copy").isFalse();
    } finally {
      back.release();
    }
  }

  @Test
  void aQueueIsCompactAndIsTheSameQueue() throws Exception {
    Queue<Object> q = new Queue<>();
    try {
      @SuppressWarnings("unchecked")
      Queue<Object> back = (Queue<Object>) roundTrip(q, Tags.REF);
      back.put("through the copy");
      assertThat(q.get(Duration.ofSeconds(10))).isEqualTo("through the copy");
    } finally {
      q.close();
    }
  }

  @Test
  void aPipeEndIsCompactAndTalksToItsPeer() throws Exception {
    Pipe p = Pipe.open();
    Connection back = (Connection) roundTrip(p.conn1(), Tags.REF);
    back.send("hello");
    assertThat(p.conn2().recv()).isEqualTo("hello");
    back.close();
    p.conn2().close();
  }

  @Test
  void theBootstrapFrameCarriesCompactValuesWithoutJavaSerialization() throws Exception {
    Lock lock = new Lock();
    Fn f = CompactFormsTest::twice;
    List<Object> numbers = new ArrayList<>(List.of(1, 2, 3));
    for (Object v : new Object[] {lock, f, numbers}) {
      byte[] b = write(v, "argument #1");
      assertThat(b[0] & 0xFF).as("the tag of %s", v).isEqualTo(Tags.COMPACT);
    }
    assertThat(((Fn) read(write(f, "argument #1"), "argument #1")).apply(4)).isEqualTo(8);
    assertThat(read(write(numbers, "argument #1"), "argument #1")).isEqualTo(numbers);
    Lock back = (Lock) read(write(lock, "argument #1"), "argument #1");
    assertThat(back.acquire(false, null)).isTrue();
    assertThat(lock.acquire(false, null)).isFalse();
    back.release();
    // Not compact: Java serialization, as before.
    assertThat(write(new Box(1), "argument #1")[0] & 0xFF).isEqualTo(Tags.SERIALIZED);
    assertThat(read(write(new Box(1), "argument #1"), "argument #1")).isEqualTo(new Box(1));
  }

  @Test
  void theBootstrapFrameCarriesAPipeEnd() throws Exception {
    Pipe p = Pipe.open();
    byte[] b = write(p.conn1(), "argument #0");
    assertThat(b[0] & 0xFF).isEqualTo(Tags.COMPACT);
    Connection back = (Connection) read(b, "argument #0");
    back.send(42);
    assertThat(p.conn2().recv()).isEqualTo(42);
    back.close();
    p.conn2().close();
  }

  @Test
  void bootstrapErrorsNameTheArgument() throws Exception {
    Pipe p = Pipe.open();
    p.conn1().close();
    // A closed end has no compact form (its writeReplace throws): Java serialization reports it.
    assertThatThrownBy(() -> write(p.conn1(), "argument #1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argument #1").hasMessageContaining("closed");
    p.conn2().close();
    Fn f = CompactFormsTest::twice;
    byte[] b = write(f, "argument #1");
    byte[] truncated = Arrays.copyOf(b, b.length - 3);
    truncated[1] = (byte) (truncated[1] - 3); // the length, one byte for a short message
    assertThatThrownBy(() -> read(truncated, "argument #1"))
        .isInstanceOf(IOException.class).hasMessageContaining("argument #1")
        .hasCauseInstanceOf(StreamCorruptedException.class);
    // One value on its own (a process's target): the same form, and nothing may follow it.
    assertThat(ValueCodec.encode(f, "target")).containsExactly(b);
    assertThat(((Fn) ValueCodec.decode(b, "target")).apply(1)).isEqualTo(2);
    byte[] longer = Arrays.copyOf(b, b.length + 1);
    assertThatThrownBy(() -> ValueCodec.decode(longer, "target"))
        .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("target");
  }

  // ---- filtering

  @Test
  void aFilterRejectingSerializedLambdaStopsALambda() {
    byte[] m = ObjectCodec.encode((Fn) CompactFormsTest::twice);
    assertThatThrownBy(() -> decode(m, rejecting(SerializedLambda.class)))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("java.lang.invoke.SerializedLambda");
  }

  @Test
  void aFilterRejectingTheCapturingClassStopsItBeforeItsInitialiserRuns() throws Exception {
    byte[] m = lambdaMessage(NeverInitialised.class.getName(), "x", List.of());
    assertThatThrownBy(() -> decode(m, rejecting(NeverInitialised.class)))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining(NeverInitialised.class.getName())
        .hasMessageContaining("capturing class");
    assertThat(NEVER_INITIALISED_INITS).hasValue(0);
    // The control: allowed, the class initialises (and then refuses the forged method).
    byte[] control = lambdaMessage(InitialisedOnAllow.class.getName(), "x", List.of());
    assertThatThrownBy(() -> decode(control, rejecting(NeverInitialised.class)))
        .isInstanceOf(InvalidObjectException.class);
    assertThat(INITIALISED_ON_ALLOW_INITS).hasValue(1);
  }

  @Test
  void aFilterRejectingObjectRefStopsAReference() {
    byte[] m = ObjectCodec.encode(new Lock());
    assertThatThrownBy(() -> decode(m, rejecting(io.github.multiprocessing4j.internal.access.ObjectRef.class)))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("ObjectRef");
  }

  @Test
  void anArrayLengthLimitStopsCapturedArgumentsAndParts() throws IOException {
    int a = 1;
    int b = 2;
    int c = 3;
    Fn f = x -> a + b + c;
    byte[] m = ObjectCodec.encode(f);
    assertThat(m[0] & 0xFF).isEqualTo(Tags.LAMBDA);
    assertThat(((Fn) decode(m, maxArray(3))).apply(0)).isEqualTo(6);
    assertThatThrownBy(() -> decode(m, maxArray(2)))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("captured arguments").hasMessageContaining("length 3");
    byte[] cond = ObjectCodec.encode(new Condition(new Lock()));
    assertThat(decode(cond, maxArray(2))).isInstanceOf(Condition.class);
    assertThatThrownBy(() -> decode(cond, maxArray(1)))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("parts of a reference").hasMessageContaining("length 2");
  }

  // ---- forged and broken messages

  @Test
  void aLambdaOfAnUnknownClassIsRefusedNamingIt() {
    byte[] m = lambdaMessage("com.example.NoSuchClass", "x", List.of());
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(InvalidClassException.class).hasMessageContaining("com.example.NoSuchClass");
  }

  @Test
  void aLambdaOfAClassWithoutSerializableLambdasIsRefusedNamingIt() {
    byte[] m = lambdaMessage("java.util.ArrayList", "x", List.of());
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(InvalidClassException.class).hasMessageContaining("java.util.ArrayList")
        .hasMessageContaining("$deserializeLambda$");
  }

  @Test
  void aLambdaWhoseMethodIsNotInTheClassIsRefusedNamingIt() {
    byte[] m = lambdaMessage(CompactFormsTest.class.getName(), "noSuchMethod", List.of());
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class)
        .hasMessageContaining(CompactFormsTest.class.getName())
        .hasMessageContaining("noSuchMethod")
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLambdaWithACapturedArgumentOfTheWrongTypeIsRefused() throws IOException {
    int k = 5;
    Fn f = x -> k;
    byte[] m = ObjectCodec.encode(f);
    byte[] intArg = ObjectCodec.encode(5);
    assertThat(Arrays.copyOfRange(m, m.length - intArg.length, m.length)).containsExactly(intArg);
    ByteSink forged = new ByteSink();
    forged.write(m, 0, m.length - intArg.length);
    forged.write(ObjectCodec.encode("not an int"));
    assertThatThrownBy(() -> decode(forged.toByteArray(), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class)
        .hasMessageContaining(CompactFormsTest.class.getName())
        .hasRootCauseInstanceOf(ClassCastException.class);
  }

  @Test
  void aLambdaWhoseClassFailsToInitialiseIsRefusedWithTheCause() {
    byte[] m = lambdaMessage(FailingInit.class.getName(), "x", List.of());
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining(FailingInit.class.getName())
        .hasMessageContaining("boom in the static initialiser")
        .hasCauseInstanceOf(IllegalStateException.class);
    // A second attempt meets a class that failed for good: still a clean refusal.
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining(FailingInit.class.getName());
  }

  @Test
  void truncatedLambdasAndReferencesAreCorruptAtEveryByte() {
    int k = 5;
    Fn f = x -> k;
    List<byte[]> messages = List.of(ObjectCodec.encode(f), ObjectCodec.encode((Fn) CompactFormsTest::twice),
        ObjectCodec.encode(new Condition(new Lock())), ObjectCodec.encode(new Queue<>()));
    for (byte[] m : messages) {
      for (int n = 1; n < m.length; n++) {
        byte[] prefix = Arrays.copyOf(m, n);
        assertThatThrownBy(() -> decode(prefix, ALLOW_ALL)).as("%d of %d bytes", n, m.length)
            .isInstanceOf(StreamCorruptedException.class);
      }
    }
  }

  @Test
  void lengthsLargerThanTheBytesLeftAreCorrupt() {
    // A lambda claiming 1,000,000 captured arguments, a reference as many numbers or parts.
    ByteSink lambda = lambdaPrefix(CompactFormsTest.class.getName(), "x");
    lambda.writeVarInt(1_000_000);
    assertThatThrownBy(() -> decode(lambda.toByteArray(), ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("a length of 1000000");
    for (int which = 0; which < 2; which++) {
      ByteSink ref = refPrefix("LOCK", "x", null);
      if (which == 1) {
        ref.writeByte(0);
      }
      ref.writeVarInt(1_000_001);
      ref.write(new byte[16]);
      assertThatThrownBy(() -> decode(ref.toByteArray(), ALLOW_ALL))
          .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("a length of 1000000");
    }
  }

  @Test
  void forgedReferencesAreRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> decode(ref("NO_SUCH_KIND", "x", null, null, null), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("NO_SUCH_KIND");
    assertThatThrownBy(() -> decode(ref(null, "x", null, null, null), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("not a reference");
    assertThatThrownBy(() -> decode(ref("LOCK", null, null, null, null), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("LOCK null");
    // A condition whose parts are strings rather than locks.
    assertThatThrownBy(() -> decode(ref("CONDITION", "x", null, null, new Object[] {"a", "b"}), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("Condition");
    // A pipe end without its numbers.
    assertThatThrownBy(() -> decode(ref("PIPE_END", "/nonexistent", "/nonexistent", null, null), ALLOW_ALL))
        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("pipe end");
    // Something other than a string where the kind is.
    byte[] notAString = ObjectCodec.encode(List.of(1));
    byte[] m = new byte[1 + notAString.length];
    m[0] = Tags.REF;
    System.arraycopy(notAString, 0, m, 1, notAString.length);
    assertThatThrownBy(() -> decode(m, ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("the kind of a reference");
  }

  @Test
  void aForgedLambdaWithANullStringIsCorrupt() {
    ByteSink s = new ByteSink();
    s.writeByte(Tags.LAMBDA);
    s.writeByte(Tags.NULL);
    assertThatThrownBy(() -> decode(s.toByteArray(), ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("the capturing class of a lambda");
  }

  // ---- helpers

  private static byte[] write(Object v, String what) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ValueCodec.write(new DataOutputStream(bytes), v, what);
    return bytes.toByteArray();
  }

  private static Object read(byte[] b, String what) throws IOException {
    return ValueCodec.read(new DataInputStream(new ByteArrayInputStream(b)), what);
  }

  private static int indexOf(byte[] m, byte b, int from) {
    for (int i = from; i < m.length; i++) {
      if (m[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** A LAMBDA message up to its captured-argument count, for a {@link Fn} of {@code capturing}. */
  private static ByteSink lambdaPrefix(String capturing, String implMethod) {
    ByteSink s = new ByteSink();
    s.writeByte(Tags.LAMBDA);
    for (String text : new String[] {capturing.replace('.', '/'),
        Fn.class.getName().replace('.', '/'), "apply", "(Ljava/lang/Object;)Ljava/lang/Object;",
        capturing.replace('.', '/'), implMethod, "(Ljava/lang/Object;)Ljava/lang/Object;"}) {
      s.write(ObjectCodec.encode(text));
    }
    s.writeVarInt(6); // REF_invokeStatic
    s.write(ObjectCodec.encode("(Ljava/lang/Object;)Ljava/lang/Object;"));
    return s;
  }

  private static byte[] lambdaMessage(String capturing, String implMethod, List<Object> args) {
    ByteSink s = lambdaPrefix(capturing, implMethod);
    s.writeVarInt(args.size());
    for (Object a : args) {
      s.write(ObjectCodec.encode(a));
    }
    return s.toByteArray();
  }

  private static ByteSink refPrefix(String kind, String name, String detail) {
    ByteSink s = new ByteSink();
    s.writeByte(Tags.REF);
    for (String text : new String[] {kind, name, detail}) {
      s.write(ObjectCodec.encode(text));
    }
    return s;
  }

  private static byte[] ref(String kind, String name, String detail, long[] numbers, Object[] parts) {
    ByteSink s = refPrefix(kind, name, detail);
    if (numbers == null) {
      s.writeByte(0);
    } else {
      s.writeVarInt(numbers.length + 1);
      for (long n : numbers) {
        s.writeLong(n);
      }
    }
    if (parts == null) {
      s.writeByte(0);
    } else {
      s.writeVarInt(parts.length + 1);
      for (Object p : parts) {
        s.write(ObjectCodec.encode(p));
      }
    }
    return s.toByteArray();
  }
}
