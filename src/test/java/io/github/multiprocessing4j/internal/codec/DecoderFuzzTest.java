package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.launch.Bootstrap;
import io.github.multiprocessing4j.pool.PoolInternals;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.sync.Condition;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.testing.CapturedLines;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random mutation of valid frames, fed to every decoder of data that comes from another
 * process: the message codec ({@link Messages#decode}, which pipes, queues and pool tasks and
 * results use), the value codec and the bootstrap frame ({@link ValueCodec}, {@link Bootstrap}),
 * and the pool protocol's failure part (the pool protocol's {@code readFailure}). Each may return or throw
 * an {@link IOException} (the library turns those into its own exceptions), nothing else; it runs
 * in a child with a 64 MiB heap, so a length field that makes a decoder allocate gigabytes fails
 * it. The seeds are fixed: a failure names its seed and input, and reruns the same.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DecoderFuzzTest {

  private static final long[] SEEDS = {1, 2, 3, 42, 1234, 99_991, 0x5EED, 20_261_206};
  private static final int MUTANTS_A_SEED = 1_500;

  /** A Java-serialized value among the inputs. */
  record Point(int x, String label, List<Object> more) implements Serializable {
  }

  static List<byte[]> messages() {
    List<Object> values = new ArrayList<>();
    values.add(null);
    values.add(7);
    values.add(-123_456_789L);
    values.add(3.5);
    values.add("héllo \uD83D\uDE00");
    values.add(new byte[] {1, 2, 3});
    values.add(new int[] {1, -1, 1 << 30});
    values.add(new long[] {5L, -5L});
    values.add(new double[] {Double.NaN, 1.0});
    values.add(new Object[] {"a", 1, null});
    values.add(new ArrayList<>(List.of(1, 2, 3, 400_000)));
    values.add(new ArrayList<>(List.of(1L, 2L)));
    values.add(new ArrayList<>(List.of("x", 2, List.of(3))));
    values.add(new HashMap<>(Map.of("a", 1, "b", List.of("c"))));
    values.add(new LinkedHashMap<>(Map.of("k", new HashSet<>(Set.of(1, 2)))));
    values.add(new LinkedHashSet<>(List.of("p", "q")));
    values.add(List.of(1, 2, 3));
    values.add(Set.of("s"));
    values.add(Map.of("m", 1, "n", 2));
    values.add(new Point(1, "p", new ArrayList<>(List.of(1, "two"))));
    List<Object> shared = new ArrayList<>(List.of(1));
    values.add(new ArrayList<>(List.of(shared, shared)));
    values.add(HostileDataTest.serialDos(6));
    values.add(io.github.multiprocessing4j.testing.DeepGraphs.nested(80));
    values.addAll(compactObjects());
    List<byte[]> out = new ArrayList<>();
    for (Object v : values) {
      out.add(Messages.encode(v, "fuzz input"));
    }
    return out;
  }

  /** A serializable function, for the lambdas among the inputs. */
  interface Fn extends Serializable {
    Object apply(Object x);
  }

  static Object twice(Object x) {
    return 2 * (Integer) x;
  }

  /**
   * The library's by-name objects and lambdas, in their compact forms ({@code Tags.REF},
   * {@code Tags.LAMBDA}): a lock, a condition (a reference in a reference), a static method
   * reference and a lambda capturing an int and a list.
   */
  static List<Object> compactObjects() {
    int k = 3;
    List<Object> captured = new ArrayList<>(List.of("c", 4));
    Lock lock = new Lock();
    return List.of(lock, new Condition(lock), (Fn) DecoderFuzzTest::twice,
        (Fn) x -> k + captured.size() + (Integer) x);
  }

  static byte[] bootstrapFrame() {
    Bootstrap b = new Bootstrap();
    b.name = "Process-1";
    b.identity = new int[] {1};
    b.authkey = new byte[32];
    b.parentPid = 12345;
    b.parentName = "MainProcess";
    b.statusFile = "/nonexistent/status";
    b.startMethod = "spawn";
    b.targetKind = Bootstrap.TARGET_CLASS;
    b.targetClass = "java.lang.Object";
    b.encodedArgs = Bootstrap.encodeArgs(
        List.of("arg", 1, 2L, 3.0, true, new byte[] {9}, new Point(2, "q", new ArrayList<>()),
            compactObjects().get(0), compactObjects().get(2)),
        Map.of("key", "value"));
    return b.toFrame();
  }

  static byte[] poolFailure() {
    byte[] body = PoolInternals.failure(new IllegalStateException("worker failed"));
    byte[] m = new byte[PoolInternals.RESULT_HEADER + body.length];
    System.arraycopy(body, 0, m, PoolInternals.RESULT_HEADER, body.length);
    return m;
  }

  /** One mutation of a copy of {@code in}. */
  static byte[] mutate(byte[] in, Random r) {
    byte[] m = in.clone();
    int kind = r.nextInt(6);
    if (m.length == 0) {
      return new byte[] {(byte) r.nextInt(256)};
    }
    int at = r.nextInt(m.length);
    switch (kind) {
      case 0: // flip bits
        m[at] ^= (byte) (1 << r.nextInt(8));
        return m;
      case 1: { // a special byte
        byte[] special = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, 0x71, 0x73, 0x75};
        m[at] = special[r.nextInt(special.length)];
        return m;
      }
      case 2: { // a huge or negative length, as an int or as a varint
        int[] big = {Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, -1, 0x7FFF_FFF0};
        int v = big[r.nextInt(big.length)];
        if (r.nextBoolean()) {
          for (int i = 0; i < 4 && at + i < m.length; i++) {
            m[at + i] = (byte) (v >>> (24 - 8 * i));
          }
        } else {
          byte[] varint = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
          for (int i = 0; i < varint.length && at + i < m.length; i++) {
            m[at + i] = varint[i];
          }
        }
        return m;
      }
      case 3: // truncated
        return java.util.Arrays.copyOf(m, at);
      case 4: { // a slice repeated
        int len = Math.min(m.length - at, 1 + r.nextInt(16));
        byte[] out = new byte[m.length + len];
        System.arraycopy(m, 0, out, 0, at + len);
        System.arraycopy(m, at, out, at + len, m.length - at);
        return out;
      }
      default: // several random bytes
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          m[r.nextInt(m.length)] = (byte) r.nextInt(256);
        }
        return m;
    }
  }

  /** A decoder, fed one input. */
  interface Decoder {
    void decode(byte[] input) throws IOException;
  }

  static void fuzz(String name, List<byte[]> corpus, Decoder decoder) {
    for (long seed : SEEDS) {
      Random r = new Random(seed);
      for (int i = 0; i < MUTANTS_A_SEED; i++) {
        byte[] input = corpus.get(r.nextInt(corpus.size()));
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
          input = mutate(input, r);
        }
        try {
          decoder.decode(input);
        } catch (IOException expected) {
          // what a corrupt frame may give
        } catch (Throwable e) {
          AssertionError failure = new AssertionError(name + " threw " + e + " for seed " + seed
              + ", mutant " + i + ": " + hex(input), e);
          throw failure;
        }
      }
    }
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 400); i++) {
      s.append(String.format("%02x", b[i] & 0xFF));
    }
    return b.length > 400 ? s + "..." : s.toString();
  }

  /** The child's work: every decoder, every seed. */
  static void fuzzAll(Args args) {
    List<byte[]> messages = messages();
    fuzz("Messages.decode", messages, m -> Messages.decode(m, null));
    fuzz("ValueCodec.read", valueCodecInputs(), m -> {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(m));
      ValueCodec.read(in, "fuzz");
    });
    fuzz("Bootstrap.read", List.of(bootstrapFrame()), m -> {
      Bootstrap b = Bootstrap.read(new ByteArrayInputStream(m));
      b.decodeArgs(new ArrayList<>(), new HashMap<>());
    });
    fuzz("PoolProtocol.readFailure", List.of(poolFailure()), m -> {
      if (m.length >= PoolInternals.RESULT_HEADER + 4
          && PoolInternals.readFailure(m, PoolInternals.RESULT_HEADER, "fuzz") == null) {
        throw new AssertionError("readFailure returned null");
      }
    });
  }

  static List<byte[]> valueCodecInputs() {
    List<byte[]> out = new ArrayList<>();
    for (Object v : new Object[] {"s", 1, 2L, 3.0, true, new byte[] {1}, 'c', (short) 2,
        new Point(1, "x", new ArrayList<>()), new ArrayList<>(List.of(1, 2)),
        compactObjects().get(0), compactObjects().get(3)}) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try {
        ValueCodec.write(new java.io.DataOutputStream(bytes), v, "fuzz");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      out.add(bytes.toByteArray());
    }
    return out;
  }

  @Test
  void mutatedFramesGiveOnlyIoExceptionsWithinASmallHeap() throws Exception {
    CapturedLines err = new CapturedLines();
    Process child = Process.builder().target(DecoderFuzzTest::fuzzAll).jvmOptions("-Xmx64m")
        .stderr(err.output()).build();
    child.start();
    if (!child.join(Duration.ofSeconds(100))) {
      child.kill();
      child.join(Duration.ofSeconds(30));
    }
    assertThat(child.failure()).as("the fuzz run's failure; stderr: %s", err.text()).isEmpty();
    assertThat(child.exitCode()).isZero();
  }
}
