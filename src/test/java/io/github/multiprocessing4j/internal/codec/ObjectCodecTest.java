package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputFilter.FilterInfo;
import java.io.ObjectInputFilter.Status;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ObjectCodec}: every compact form round-trips to an equal value of the same class, what has
 * no compact form (or is cyclic, shared, too deep) round-trips through Java serialization, and
 * decoding refuses what the filter rejects and anything truncated or corrupt with an
 * {@link IOException}, never a runtime exception or an allocation sized by a bogus length.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ObjectCodecTest {

  /** Lets everything through: the tests of corrupt input must not depend on a filter's limits. */
  private static final ObjectInputFilter ALLOW_ALL = info -> Status.ALLOWED;

  /** A user type without a compact form. */
  record Point(int x, String label) implements Serializable {
  }

  /** Serializable, with a field that is not. */
  record Holder(Object content) implements Serializable {
  }

  /** A subclass of a compact class: must not be encoded as its superclass. */
  static final class MyMap<K, V> extends HashMap<K, V> {
  }

  /** Stand-ins for a deny-listed interface and superclass, and a class that inherits both. */
  interface Gadget {
  }

  static class GadgetBase {
  }

  static final class Innocent extends GadgetBase implements Serializable, Gadget {
  }

  /** What a filter is asked, as a record: its accessors are FilterInfo's methods. */
  record Info(Class<?> serialClass, long arrayLength, long depth, long references, long streamBytes)
      implements FilterInfo {
    static Info of(Class<?> c) {
      return new Info(c, -1, 1, 1, 10);
    }
  }

  private static Object roundTrip(Object value) throws IOException {
    byte[] bytes = ObjectCodec.encode(value);
    return ObjectCodec.decode(bytes, 0, bytes.length, SerialFilters.channel());
  }

  private static boolean compact(Object value) {
    byte[] bytes = ObjectCodec.encode(value);
    return !ObjectCodec.javaSerialized(bytes, 0, bytes.length);
  }

  /** Class and value, recursively: equal descriptions mean equal values of the same classes. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String type = v.getClass().getName();
    if (v instanceof Object[]) {
      return type + Arrays.stream((Object[]) v).map(ObjectCodecTest::describe)
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof byte[]) {
      return type + Arrays.toString((byte[]) v);
    }
    if (v instanceof int[]) {
      return type + Arrays.toString((int[]) v);
    }
    if (v instanceof long[]) {
      return type + Arrays.toString((long[]) v);
    }
    if (v instanceof double[]) {
      return type + Arrays.stream((double[]) v).mapToObj(d -> Long.toHexString(Double.doubleToRawLongBits(d)))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof Double) {
      return type + "|" + Long.toHexString(Double.doubleToRawLongBits((Double) v));
    }
    if (v instanceof Float) {
      return type + "|" + Integer.toHexString(Float.floatToRawIntBits((Float) v));
    }
    if (v instanceof List || v instanceof LinkedHashSet) {
      return type + ((Collection<?>) v).stream().map(ObjectCodecTest::describe)
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof Set) {
      return type + ((Set<?>) v).stream().map(ObjectCodecTest::describe).sorted()
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (v instanceof LinkedHashMap) {
      return type + ((Map<?, ?>) v).entrySet().stream()
          .map(e -> describe(e.getKey()) + "=" + describe(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (v instanceof Map) {
      return type + ((Map<?, ?>) v).entrySet().stream()
          .map(e -> describe(e.getKey()) + "=" + describe(e.getValue())).sorted()
          .collect(Collectors.joining(", ", "{", "}"));
    }
    return type + "|" + v;
  }

  private static String bigString() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; s.length() < 200_000; i++) {
      s.append(i).append(i % 7 == 0 ? "é" : "").append(i % 101 == 0 ? "日本\uD83D\uDE00" : "");
    }
    return s.toString();
  }

  private static List<Object> compactSamples() {
    HashMap<Object, Object> withNulls = new HashMap<>();
    withNulls.put(null, "null key");
    withNulls.put("null value", null);
    LinkedHashMap<Object, Object> ordered = new LinkedHashMap<>();
    for (int i = 20; i > 0; i--) {
      ordered.put("k" + i, i);
    }
    LinkedHashSet<Object> orderedSet = new LinkedHashSet<>(List.of(5, 3, 9, 1));
    HashSet<Object> set = new HashSet<>(Arrays.asList("a", null, 3, 4.5));
    ArrayList<Object> listWithNulls = new ArrayList<>(Arrays.asList(null, 1, null, "x", null));
    HashMap<String, Object> small = new HashMap<>();
    small.put("a", 1);
    small.put("b", "hello");
    small.put("c", 3.0);
    HashMap<String, Object> nested = new HashMap<>();
    nested.put("list", new ArrayList<>(List.of(1, 2L, List.of("x", Map.of("y", new byte[] {1})))));
    nested.put("map", new LinkedHashMap<>(Map.of("inner", new HashMap<>(small))));
    nested.put("set", Set.of(1, 2, 3, 4));
    nested.put("array", new Object[] {null, 'c', new int[] {1, 2}, new ArrayList<>()});
    return Arrays.asList(
        null, true, false,
        (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE,
        (short) 0, (short) -1, Short.MIN_VALUE, Short.MAX_VALUE,
        'a', '\0', '\uffff', '\ud800', '\udfff',
        0, 1, -1, -16, -17, 111, 112, 127, 128, 300, -300, Integer.MIN_VALUE, Integer.MAX_VALUE,
        0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MIN_VALUE - 1,
        0.0f, -0.0f, 1.5f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.MIN_VALUE,
        Float.NEGATIVE_INFINITY,
        0.0, -0.0, 3.0, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L),
        Double.longBitsToDouble(0xfff8000000000001L), Double.MIN_VALUE, Double.MAX_VALUE,
        Double.POSITIVE_INFINITY,
        "", "a", "hello", "héllo wörld ÿ", "日本語", "\uD83D\uDE00 smile", "\ud800", "a\udc00b",
        "\uD83D", "x\uDE00\uD83D", "\0", bigString(), "x".repeat(70_000),
        new byte[0], new byte[] {-128, 0, 127}, new byte[1024],
        new int[0], new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE},
        new long[0], new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE},
        new double[0], new double[] {-0.0, Double.NaN, Double.longBitsToDouble(0x7ff0000000000001L), 1e300},
        new Object[0], new Object[] {null, 1, "two", new long[] {3}},
        new ArrayList<>(), listWithNulls, new ArrayList<>(IntStream.range(0, 5000).boxed().toList()),
        new HashMap<>(), withNulls, small, nested,
        new LinkedHashMap<>(), ordered,
        new HashSet<>(), set,
        new LinkedHashSet<>(), orderedSet,
        List.of(), List.of(1), List.of(1, "two"), List.of(1, 2, 3), List.of(List.of(), Map.of()),
        Set.of(), Set.of("a"), Set.of("a", "b"), Set.of("a", "b", "c", "d"),
        Map.of(), Map.of("a", 1), Map.of("a", 1, "b", List.of(2)),
        Map.of(1, "x", 2, "y", 3, "z"));
  }

  @Test
  void everyCompactTypeRoundTripsToAnEqualValueOfTheSameClass() throws IOException {
    for (Object value : compactSamples()) {
      assertThat(compact(value)).as("compact form of %s", describe(value)).isTrue();
      assertThat(describe(roundTrip(value))).isEqualTo(describe(value));
    }
  }

  @Test
  void smallIntegersTakeOneByte() {
    assertThat(ObjectCodec.encode(0)).hasSize(1);
    assertThat(ObjectCodec.encode(-16)).hasSize(1);
    assertThat(ObjectCodec.encode(111)).hasSize(1);
    assertThat(ObjectCodec.encode(112)).hasSize(3);
    assertThat(ObjectCodec.encode(Integer.MIN_VALUE)).hasSize(6);
    assertThat(ObjectCodec.encode("hello")).hasSize(7);
  }

  @Test
  void stringsWithUnpairedSurrogatesRoundTripExactly() throws IOException {
    for (String s : List.of("\ud800", "\udc00", "a\ud800b", "\uDE00\uD83D", "ok \uD83D\uDE00 \ud800")) {
      Object back = roundTrip(s);
      assertThat(back).isEqualTo(s);
      assertThat(((String) back).toCharArray()).isEqualTo(s.toCharArray());
      assertThat(compact(s)).isTrue();
    }
  }

  @Test
  void nanPayloadsSurvive() throws IOException {
    long bits = 0x7ff8000000000123L;
    Object back = roundTrip(Double.longBitsToDouble(bits));
    assertThat(Double.doubleToRawLongBits((Double) back)).isEqualTo(bits);
    Object backF = roundTrip(Float.intBitsToFloat(0x7fc00123));
    assertThat(Float.floatToRawIntBits((Float) backF)).isEqualTo(0x7fc00123);
  }

  @Test
  void unmodifiableCollectionsComeBackUnmodifiable() throws IOException {
    for (Object value : List.of(List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3),
        Set.of(), Set.of(1), Set.of(1, 2), Set.of(1, 2, 3), Map.of(), Map.of(1, 1),
        Map.of(1, 1, 2, 2))) {
      Object back = roundTrip(value);
      assertThat(back).isEqualTo(value).hasSameClassAs(value);
      if (back instanceof Collection) {
        assertThatThrownBy(() -> ((Collection<?>) back).clear())
            .isInstanceOf(UnsupportedOperationException.class);
      } else {
        assertThatThrownBy(() -> ((Map<?, ?>) back).clear())
            .isInstanceOf(UnsupportedOperationException.class);
      }
    }
  }

  @Test
  void mutableCollectionsComeBackMutable() throws IOException {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) roundTrip(new ArrayList<>(List.of(1)));
    list.add(2);
    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) roundTrip(new HashMap<>(Map.of(1, 1)));
    map.put(2, 2);
    assertThat(list).containsExactly(1, 2);
    assertThat(map).hasSize(2);
  }

  @Test
  void listsFromStreamToListThatListOfCannotMakeFallBackToJavaSerialization() throws IOException {
    List<Integer> withNull = Stream.of(1, null, 3).toList();
    List<Integer> single = Stream.of(1).toList();
    for (List<Integer> l : List.of(withNull, single)) {
      assertThat(compact(l)).isFalse();
      Object back = roundTrip(l);
      assertThat(back).isEqualTo(l).hasSameClassAs(l);
    }
  }

  @Test
  void aSubclassOfACompactClassIsJavaSerializedAndRoundTrips() throws IOException {
    MyMap<String, Object> m = new MyMap<>();
    m.put("a", 1);
    m.put("b", List.of("x"));
    assertThat(compact(m)).isFalse();
    Object back = roundTrip(m);
    assertThat(back).isInstanceOf(MyMap.class).isEqualTo(m);

    HashMap<String, Object> outer = new HashMap<>();
    outer.put("p", new Point(1, "one"));
    outer.put("sub", m);
    assertThat(compact(outer)).isFalse();
    Object backOuter = roundTrip(outer);
    assertThat(backOuter).isEqualTo(outer);
    assertThat(((Map<?, ?>) backOuter).get("sub")).isInstanceOf(MyMap.class);
  }

  @Test
  void aCyclicListRoundTripsWithItsCycle() throws IOException {
    ArrayList<Object> l = new ArrayList<>();
    l.add("x");
    l.add(l);
    assertThat(compact(l)).isFalse();
    List<?> back = (List<?>) roundTrip(l);
    assertThat(back.get(0)).isEqualTo("x");
    assertThat(back.get(1)).isSameAs(back);

    // A cycle that is not on the first container, through an array.
    Object[] array = new Object[1];
    HashMap<String, Object> m = new HashMap<>();
    m.put("a", array);
    array[0] = m;
    Map<?, ?> backMap = (Map<?, ?>) roundTrip(m);
    assertThat(((Object[]) backMap.get("a"))[0]).isSameAs(backMap);
  }

  @Test
  void sharedMutableValuesKeepTheirIdentity() throws IOException {
    HashMap<String, Object> shared = new HashMap<>();
    byte[] bytes = {1, 2};
    List<Object> l = new ArrayList<>(List.of(shared, shared, bytes, bytes));
    assertThat(compact(l)).isFalse();
    List<?> back = (List<?>) roundTrip(l);
    assertThat(back.get(0)).isSameAs(back.get(1));
    assertThat(back.get(2)).isSameAs(back.get(3));

    // Equal but distinct values stay compact; so do shared strings and boxes.
    String s = "same";
    assertThat(compact(new ArrayList<>(List.of(new HashMap<>(), new HashMap<>(), s, s, 1000, 1000))))
        .isTrue();
  }

  @Test
  void graphsDeeperThanTheLimitAreJavaSerialized() throws IOException {
    Object deep = "bottom";
    for (int i = 0; i < ObjectCodec.MAX_DEPTH; i++) {
      deep = new ArrayList<>(List.of(deep));
    }
    assertThat(compact(deep)).isTrue();
    Object deeper = new ArrayList<>(List.of(deep));
    assertThat(compact(deeper)).isFalse();
    assertThat(roundTrip(deeper)).isEqualTo(deeper);

    Object deepArray = 1;
    for (int i = 0; i < 100; i++) {
      deepArray = new Object[] {deepArray};
    }
    assertThat(compact(deepArray)).isFalse();
    assertThat(describe(roundTrip(deepArray))).isEqualTo(describe(deepArray));
  }

  @Test
  void aNonSerializableNestedValueFailsNamingTheClassAndWhereItSits() {
    HashMap<String, Object> m = new HashMap<>();
    m.put("x", new Object());
    ByteSink sink = new ByteSink();
    sink.writeByte(42);
    assertThatThrownBy(() -> ObjectCodec.encode(m, sink))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the value (a java.util.HashMap) cannot be sent: java.lang.Object is not "
            + "serializable (value of key \"x\" in a java.util.HashMap); make it implement "
            + "java.io.Serializable or send something that does");
    assertThat(sink.size()).as("the sink is left as it was").isEqualTo(1);

    List<Object> l = new ArrayList<>(List.of(1, Map.of(7, new Holder(Thread.currentThread()))));
    assertThatThrownBy(() -> ObjectCodec.encode(l))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Thread is not serializable")
        .hasMessageContaining("in the " + Holder.class.getName() + " that is value of key 7 in a "
            + Map.of(1, 1).getClass().getName() + ", which is element #1 of a java.util.ArrayList");

    assertThatThrownBy(() -> ObjectCodec.encode(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the value (a java.lang.Object) cannot be sent: java.lang.Object is not "
            + "serializable; make it implement java.io.Serializable or send something that does");
  }

  @Test
  void encodeAppendsAndDecodeReadsARange() throws IOException {
    ByteSink sink = new ByteSink(0);
    sink.write(new byte[] {9, 9, 9});
    ObjectCodec.encode(Map.of("k", List.of(1, 2, 3)), sink);
    int end = sink.size();
    sink.write(new byte[] {9, 9});
    assertThat(ObjectCodec.decode(sink.array(), 3, end - 3, ALLOW_ALL))
        .isEqualTo(Map.of("k", List.of(1, 2, 3)));
    assertThatThrownBy(() -> ObjectCodec.decode(sink.array(), 3, end - 1, ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("2 bytes after the value");
  }

  private static List<byte[]> sampleMessages() {
    List<byte[]> messages = new ArrayList<>();
    for (Object v : compactSamples()) {
      if (!(v instanceof String && ((String) v).length() > 1000)) {
        messages.add(ObjectCodec.encode(v));
      }
    }
    HashMap<String, Object> withPoint = new HashMap<>();
    withPoint.put("p", new Point(3, "three"));
    messages.add(ObjectCodec.encode(withPoint));
    messages.add(ObjectCodec.encode(new Point(1, "x")));
    return messages;
  }

  @Test
  void aMessageCutAnywhereFailsWithAnIOException() {
    for (byte[] message : sampleMessages()) {
      // Embedded in a larger buffer, so that reading past the cut would find bytes.
      byte[] buf = new byte[message.length + 8];
      System.arraycopy(message, 0, buf, 4, message.length);
      Arrays.fill(buf, 4 + message.length, buf.length, (byte) 1);
      for (int cut = 0; cut < message.length; cut++) {
        try {
          Object v = ObjectCodec.decode(buf, 4, cut, ALLOW_ALL);
          fail("decoded " + describe(v) + " from the first " + cut + " of " + message.length
              + " bytes of " + Arrays.toString(message));
        } catch (IOException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        }
      }
    }
  }

  @Test
  void listsOfIntegersOrLongsArePackedAndRoundTripExactly() throws IOException {
    ArrayList<Object> ints = new ArrayList<>(List.of(0, -1, 1, -16, 111, 112, Integer.MIN_VALUE, Integer.MAX_VALUE));
    ArrayList<Object> longs = new ArrayList<>(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40));
    ArrayList<Object> mixed = new ArrayList<>(List.of(1, 2L, 3));
    ArrayList<Object> withNull = new ArrayList<>(Arrays.asList(1, null, 3));
    for (ArrayList<Object> l : List.of(ints, longs, mixed, withNull)) {
      assertThat(describe(roundTrip(l))).isEqualTo(describe(l));
    }
    byte[] packed = ObjectCodec.encode(new ArrayList<>(IntStream.range(0, 1000).boxed().toList()));
    ArrayList<Object> notOnlyInts = new ArrayList<>(IntStream.range(0, 1000).boxed().toList());
    notOnlyInts.add("last"); // one non-Integer: every element gets its tag
    byte[] tagged = ObjectCodec.encode(notOnlyInts);
    assertThat(packed.length).as("one varint per int, no tags").isLessThan(2_100);
    assertThat(tagged.length).isGreaterThan(packed.length + 500);
  }

  @Test
  void aPackedListCountsEveryNumberAgainstTheFiltersReferenceLimit() throws IOException {
    byte[] bytes = ObjectCodec.encode(new ArrayList<>(IntStream.range(0, 1000).boxed().toList()));
    List<Long> seen = new ArrayList<>();
    ObjectInputFilter recording = info -> {
      if (info.serialClass() == Integer.class) {
        seen.add(info.references());
      }
      return Status.UNDECIDED;
    };
    ObjectCodec.decode(bytes, 0, bytes.length, recording);
    assertThat(seen).as("asked once, with the references of all 1000 ints and the list").containsExactly(1001L);
    ObjectInputFilter limit = ObjectInputFilter.Config.createFilter("maxrefs=500");
    assertThatThrownBy(() -> ObjectCodec.decode(bytes, 0, bytes.length, limit))
        .isInstanceOf(InvalidClassException.class).hasMessageContaining("java.lang.Integer");
  }

  @Test
  void aPackedListIsHeldToTheFiltersByteLimitAsATaggedOneIs() throws IOException {
    List<Integer> numbers = IntStream.range(1000, 2000).boxed().toList();
    byte[] packed = ObjectCodec.encode(new ArrayList<>(numbers));
    byte[] tagged = ObjectCodec.encode(List.copyOf(numbers)); // List.of: a tag per element
    ObjectInputFilter limit = ObjectInputFilter.Config.createFilter("maxbytes=256");
    assertThat(packed.length).isGreaterThan(1000);
    assertThatThrownBy(() -> ObjectCodec.decode(tagged, 0, tagged.length, limit))
        .isInstanceOf(InvalidClassException.class);
    assertThatThrownBy(() -> ObjectCodec.decode(packed, 0, packed.length, limit))
        .as("the numbers after byte 256 are read as well").isInstanceOf(InvalidClassException.class);
    // Within the limit, one call still: with the references of all numbers, the bytes of all.
    List<Long> seen = new ArrayList<>();
    ObjectInputFilter recording = info -> {
      if (info.serialClass() == Integer.class) {
        seen.add(info.streamBytes());
      }
      return Status.UNDECIDED;
    };
    assertThat(ObjectCodec.decode(packed, 0, packed.length, recording)).isEqualTo(numbers);
    assertThat(seen).containsExactly((long) packed.length);
  }

  @Test
  void randomGarbageOnlyEverFailsWithAnIOException() {
    Random random = new Random(20240611);
    List<byte[]> samples = sampleMessages();
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(48)];
        random.nextBytes(input);
        if (input.length > 0 && i % 4 == 0) {
          input[0] = (byte) random.nextInt(32); // mostly valid tags, so that decoding goes deeper
        }
      } else {
        // A valid message with a few bytes changed.
        byte[] sample = samples.get(random.nextInt(samples.size()));
        input = sample.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0 && input.length > 0; flips--) {
          input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
      }
      for (ObjectInputFilter filter : List.of(ALLOW_ALL, SerialFilters.channel())) {
        try {
          ObjectCodec.decode(input, 0, input.length, filter);
          decoded++;
        } catch (IOException expected) {
          // fine: the only failure allowed
        } catch (RuntimeException | Error e) {
          throw new AssertionError("decoding " + Arrays.toString(input) + " threw " + e, e);
        }
      }
    }
    assertThat(decoded).as("some mutations still decode").isPositive();
  }

  @Test
  void aHugeBogusLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
    // tag, then the varint 0x7fffffff: no message this short can hold that many elements.
    byte[] varint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
    for (int tag = 10; tag <= 25; tag++) {
      byte[] message = new byte[1 + varint.length + 4];
      message[0] = (byte) tag;
      System.arraycopy(varint, 0, message, 1, varint.length);
      assertThatThrownBy(() -> ObjectCodec.decode(message, 0, message.length, ALLOW_ALL))
          .as("tag %d", tag)
          .isInstanceOf(StreamCorruptedException.class)
          .hasMessageContaining("2147483647");
    }
    // A length that overflows an int.
    byte[] overflow = {13, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
    assertThatThrownBy(() -> ObjectCodec.decode(overflow, 0, overflow.length, ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class);

    // The same inside Java serialization: a long[1] whose length says 2^31-1.
    byte[] serialized = ObjectCodec.encode(new Object[] {new Point(1, "p"), new long[] {42}});
    ByteArrayOutputStream oos = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(oos)) {
      out.writeObject(new long[] {42});
    }
    byte[] longs = oos.toByteArray();
    byte[] message = new byte[longs.length + 1];
    message[0] = serialized[0];
    System.arraycopy(longs, 0, message, 1, longs.length);
    assertThat(ObjectCodec.decode(message, 0, message.length, ALLOW_ALL)).isEqualTo(new long[] {42});
    int lengthAt = message.length - 12;
    message[lengthAt] = 0x7f;
    message[lengthAt + 1] = (byte) 0xff;
    message[lengthAt + 2] = (byte) 0xff;
    message[lengthAt + 3] = (byte) 0xff;
    assertThatThrownBy(() -> ObjectCodec.decode(message, 0, message.length, ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("an array of 2147483647 elements (long[])");
  }

  @Test
  void containersCannotNestDeeperThanTheLimit() {
    byte[] message = new byte[200]; // a list of one list of one list ...
    for (int i = 0; i < 100; i++) {
      message[2 * i] = 18;
      message[2 * i + 1] = 1;
    }
    assertThatThrownBy(() -> ObjectCodec.decode(message, 0, message.length, ALLOW_ALL))
        .isInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("nested deeper than 64");
  }

  @Test
  void aFilterRejectingHashMapRejectsACompactAndAJavaSerializedOne() {
    ObjectInputFilter noHashMap = info -> info.serialClass() == HashMap.class
        ? Status.REJECTED : Status.UNDECIDED;
    HashMap<String, Object> compactMap = new HashMap<>(Map.of("a", 1));
    HashMap<String, Object> serializedMap = new HashMap<>(Map.of("p", new Point(1, "x")));
    List<Object> nested = new ArrayList<>(List.of("x", compactMap));
    for (Object value : List.of(compactMap, serializedMap, nested)) {
      byte[] bytes = ObjectCodec.encode(value);
      assertThatThrownBy(() -> ObjectCodec.decode(bytes, 0, bytes.length, noHashMap))
          .isInstanceOf(InvalidClassException.class)
          .hasMessageStartingWith("java.util.HashMap; rejected by the deserialization filter");
    }
    assertThat(compact(serializedMap)).isFalse();
  }

  @Test
  void patternFiltersApplyToCompactValues() throws IOException {
    ObjectInputFilter maxArray = ObjectInputFilter.Config.createFilter("maxarray=10");
    byte[] ten = ObjectCodec.encode(new ArrayList<>(IntStream.range(0, 10).boxed().toList()));
    byte[] eleven = ObjectCodec.encode(new HashSet<>(IntStream.range(0, 11).boxed().toList()));
    assertThat((List<?>) ObjectCodec.decode(ten, 0, ten.length, maxArray)).hasSize(10);
    assertThatThrownBy(() -> ObjectCodec.decode(eleven, 0, eleven.length, maxArray))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("the elements of a java.util.HashSet: length 11");

    ObjectInputFilter noStrings = ObjectInputFilter.Config.createFilter("!java.lang.String");
    byte[] strings = ObjectCodec.encode(List.of("a"));
    assertThatThrownBy(() -> ObjectCodec.decode(strings, 0, strings.length, noStrings))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageStartingWith("java.lang.String; rejected");

    ObjectInputFilter maxDepth = ObjectInputFilter.Config.createFilter("maxdepth=2");
    byte[] deep = ObjectCodec.encode(List.of(List.of(List.of(1))));
    assertThatThrownBy(() -> ObjectCodec.decode(deep, 0, deep.length, maxDepth))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("depth 3");
  }

  @Test
  void theFilterSeesEveryValueWithItsDepthCountAndPosition() throws IOException {
    List<Info> seen = new ArrayList<>();
    ObjectInputFilter recorder = info -> {
      seen.add(new Info(info.serialClass(), info.arrayLength(), info.depth(), info.references(),
          info.streamBytes()));
      return Status.UNDECIDED;
    };
    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
    m.put("a", 1);
    m.put("b", new int[] {1, 2});
    byte[] bytes = ObjectCodec.encode(m);
    ObjectCodec.decode(bytes, 0, bytes.length, recorder);
    assertThat(seen).containsExactly(
        new Info(LinkedHashMap.class, -1, 1, 1, 2),
        new Info(Map.Entry[].class, 2, 1, 1, 2),
        new Info(String.class, -1, 2, 2, 3),
        new Info(Integer.class, -1, 2, 3, 6),
        new Info(String.class, -1, 2, 4, 7),
        new Info(int[].class, 2, 2, 5, 11));
  }

  @Test
  void aFilterThatThrowsOrReturnsNullRejects() {
    byte[] bytes = ObjectCodec.encode(List.of(1));
    ObjectInputFilter throwing = info -> {
      throw new IllegalStateException("boom");
    };
    assertThatThrownBy(() -> ObjectCodec.decode(bytes, 0, bytes.length, throwing))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("boom")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ObjectCodec.decode(bytes, 0, bytes.length, info -> null))
        .isInstanceOf(InvalidClassException.class);
  }

  @Test
  void theChannelFilterRejectsDenyListedClassesAndTheirSubtypes() throws Exception {
    ObjectInputFilter channel = SerialFilters.channel();
    for (String name : List.of("org.apache.commons.collections.functors.InvokerTransformer",
        "org.apache.commons.collections4.functors.InstantiateTransformer",
        "org.apache.commons.collections4.functors.sub.Anything",
        "org.codehaus.groovy.runtime.ConvertedClosure", "org.codehaus.groovy.runtime.MethodClosure",
        "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
        "org.apache.xalan.xsltc.trax.TemplatesImpl", "org.springframework.beans.factory.ObjectFactory",
        "java.rmi.server.UnicastRemoteObject", "java.rmi.server.RemoteObjectInvocationHandler",
        "javax.management.BadAttributeValueExpException", "com.sun.rowset.JdbcRowSetImpl",
        "bsh.XThis")) {
      assertThat(SerialFilters.deniedName(name)).as(name).isTrue();
    }
    for (String name : List.of("java.util.HashMap", "org.apache.commons.collections.FastHashMap",
        "org.apache.commons.collections.functorsX.Y", "bsh.XThisToo", Point.class.getName())) {
      assertThat(SerialFilters.deniedName(name)).as(name).isFalse();
    }

    Class<?> templates = Class.forName("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl");
    assertThat(channel.checkInput(Info.of(templates))).isEqualTo(Status.REJECTED);
    assertThat(channel.checkInput(Info.of(templates.arrayType().arrayType())))
        .isEqualTo(Status.REJECTED);
    assertThat(channel.checkInput(Info.of(HashMap.class))).isEqualTo(Status.UNDECIDED);
    assertThat(channel.checkInput(Info.of(Innocent.class))).isEqualTo(Status.UNDECIDED);

    // The deny-list applies to supertypes and component types (the module does not read java.rmi,
    // so the test cannot subclass UnicastRemoteObject: stand-ins instead).
    String[] none = {};
    assertThat(SerialFilters.deniedType(Innocent[][].class, Set.of(Gadget.class.getName()), none))
        .isTrue();
    assertThat(SerialFilters.deniedType(Innocent.class, Set.of(GadgetBase.class.getName()), none))
        .isTrue();
    assertThat(SerialFilters.deniedType(Innocent.class, Set.of(),
        new String[] {ObjectCodecTest.class.getPackageName() + "."})).isTrue();
    assertThat(SerialFilters.deniedType(GadgetBase.class, Set.of(Gadget.class.getName()), none))
        .isFalse();

    // End to end: a gadget's class in a Java-serialized message (by reflection: the module does
    // not read java.management).
    HashMap<String, Object> m = new HashMap<>();
    m.put("x", Class.forName("javax.management.BadAttributeValueExpException")
        .getConstructor(Object.class).newInstance("boom"));
    byte[] bytes = ObjectCodec.encode(m);
    assertThatThrownBy(() -> ObjectCodec.decode(bytes, 0, bytes.length, channel))
        .isInstanceOf(InvalidClassException.class)
        .hasMessageStartingWith(
            "javax.management.BadAttributeValueExpException; rejected by the deserialization filter");
    assertThat(ObjectCodec.decode(bytes, 0, bytes.length, ALLOW_ALL)).isInstanceOf(HashMap.class);
  }

  @Test
  void theChannelFilterBoundsDepthReferencesAndArrays() {
    ObjectInputFilter channel = SerialFilters.channel();
    assertThat(channel.checkInput(new Info(String.class, -1, 1000, 10_000_000, 1)))
        .isEqualTo(Status.UNDECIDED);
    assertThat(channel.checkInput(new Info(String.class, -1, 1001, 1, 1))).isEqualTo(Status.REJECTED);
    assertThat(channel.checkInput(new Info(String.class, -1, 1, 10_000_001, 1)))
        .isEqualTo(Status.REJECTED);
    assertThat(channel.checkInput(new Info(byte[].class, 100_000_000, 1, 1, 1)))
        .isEqualTo(Status.UNDECIDED);
    assertThat(channel.checkInput(new Info(byte[].class, 100_000_001, 1, 1, 1)))
        .isEqualTo(Status.REJECTED);
    assertThat(channel.checkInput(new Info(null, -1, 1, 1, 1))).isEqualTo(Status.UNDECIDED);
  }

  @Test
  void mergeLetsEitherFilterReject() {
    Info info = Info.of(String.class);
    for (Status a : Status.values()) {
      for (Status b : Status.values()) {
        ObjectInputFilter merged = SerialFilters.merge(i -> a, i -> b);
        Status expected = a == Status.REJECTED || b == Status.REJECTED ? Status.REJECTED
            : a == Status.ALLOWED || b == Status.ALLOWED ? Status.ALLOWED : Status.UNDECIDED;
        assertThat(merged.checkInput(info)).as("%s then %s", a, b).isEqualTo(expected);
      }
    }
    assertThat(SerialFilters.merge(i -> null, i -> Status.ALLOWED).checkInput(info))
        .isEqualTo(Status.REJECTED);
    boolean[] asked = {false};
    SerialFilters.merge(i -> Status.REJECTED, i -> {
      asked[0] = true;
      return Status.ALLOWED;
    }).checkInput(info);
    assertThat(asked[0]).as("then is not asked after a rejection").isFalse();
  }
}
