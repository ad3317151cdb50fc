package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.internal.codec.ByteSink;
import io.github.multiprocessing4j.internal.codec.ObjectCodec;
import io.github.multiprocessing4j.internal.codec.SerialFilters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Encode+decode cost of one message: {@link ObjectCodec} (one reused {@link ByteSink}, decoding
 * through {@link SerialFilters#channel()}) against an {@link ObjectOutputStream} and an
 * {@link ObjectInputStream} per message (same filter), for an {@code Integer}, a small
 * {@code HashMap} and a 1 KiB {@code byte[]}. Not a test, and not JMH: a warm-up, then timed batches,
 * one line per case with the median ns/op of the batches and the encoded size. Run it with
 * {@code mvn -q test-compile exec:exec@bench -Dbench.mainClass=io.github.multiprocessing4j.bench.CodecBench -Dbench.args=}
 * or {@code java -cp target/classes:target/test-classes io.github.multiprocessing4j.bench.CodecBench}.
 *
 * <p>Options: {@code --seconds S} (time per case and codec, default 3; a third of it warms up).
 */
public final class CodecBench {

  private static final ObjectInputFilter FILTER = SerialFilters.channel();

  /** Something every decoded value feeds, so that the JIT cannot drop the work. */
  private static long sink;

  private CodecBench() {}

  /** One encode+decode round trip. */
  private interface RoundTrip {
    Object run(Object value) throws IOException;
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --seconds S}
   * @throws IOException never, in practice
   */
  public static void main(String[] args) throws IOException {
    double seconds = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Double.parseDouble(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i] + "; usage: [--seconds S]");
      }
    }
    HashMap<String, Object> small = new HashMap<>();
    small.put("a", 1);
    small.put("b", "hello");
    small.put("c", 3.0);
    byte[] kib = new byte[1024];
    Arrays.fill(kib, (byte) 7);
    Map<String, Object> cases = new LinkedHashMap<>();
    cases.put("Integer(123456)", 123_456);
    cases.put("HashMap{a=1,b=hello,c=3.0}", small);
    cases.put("byte[1024]", kib);

    ByteSink buf = new ByteSink();
    RoundTrip codec = v -> {
      buf.reset();
      ObjectCodec.encode(v, buf);
      return ObjectCodec.decode(buf.array(), 0, buf.size(), FILTER);
    };
    RoundTrip java = CodecBench::javaRoundTrip;

    System.out.printf(Locale.ROOT, "# %s %s, %s%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), System.getProperty("os.arch"));
    for (Map.Entry<String, Object> c : cases.entrySet()) {
      Object v = c.getValue();
      if (!equal(codec.run(v), v) || !equal(java.run(v), v)) {
        throw new AssertionError("round trip changed " + c.getKey());
      }
      buf.reset();
      ObjectCodec.encode(v, buf);
      int codecSize = buf.size();
      int javaSize = javaBytes(v).length;
      double codecNs = measure(codec, v, seconds);
      double javaNs = measure(java, v, seconds);
      System.out.printf(Locale.ROOT,
          "%-28s codec %8.1f ns/op %5d B   ObjectStreams %8.1f ns/op %5d B   %6.1fx%n",
          c.getKey(), codecNs, codecSize, javaNs, javaSize, javaNs / codecNs);
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  private static boolean equal(Object a, Object b) {
    return a instanceof byte[] ? Arrays.equals((byte[]) a, (byte[]) b) : a.equals(b);
  }

  /** Median ns/op over timed batches, after a warm-up of a third of the time. */
  private static double measure(RoundTrip op, Object value, double seconds) throws IOException {
    long warmUpEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
    int batch = 1_000;
    while (System.nanoTime() < warmUpEnd) {
      for (int i = 0; i < batch; i++) {
        sink += op.run(value).hashCode();
      }
    }
    // Batches of about 10 ms each.
    long t0 = System.nanoTime();
    for (int i = 0; i < batch; i++) {
      sink += op.run(value).hashCode();
    }
    double perOp = Math.max(1, System.nanoTime() - t0) / (double) batch;
    batch = (int) Math.max(100, 10e6 / perOp);
    int batches = (int) Math.max(5, seconds * 2 / 3 * 1e9 / (batch * perOp));
    double[] results = new double[batches];
    for (int b = 0; b < batches; b++) {
      long start = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        sink += op.run(value).hashCode();
      }
      results[b] = (System.nanoTime() - start) / (double) batch;
    }
    Arrays.sort(results);
    return results[batches / 2];
  }

  private static byte[] javaBytes(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Object javaRoundTrip(Object value) throws IOException {
    byte[] bytes = javaBytes(value);
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(FILTER);
      return in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException(e);
    }
  }
}
