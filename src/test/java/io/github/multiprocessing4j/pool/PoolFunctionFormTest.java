package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.codec.Messages;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A pool's DEFINE message carries a method reference or lambda in the codec's compact form
 * ({@code Tags.LAMBDA}), not Java serialization, so a worker decodes its first function without
 * an {@link java.io.ObjectInputStream}; a lambda capturing something without a compact form still
 * travels, Java-serialized.
 */
final class PoolFunctionFormTest {

  /** {@code Tags.LAMBDA} and {@code Tags.SERIALIZED}, package-private in the codec. */
  private static final int LAMBDA = 29;
  private static final int SERIALIZED = 127;

  static Object noop() {
    return null;
  }

  /** Not compact: Java-serialized. */
  record Box(int value) implements java.io.Serializable {
  }

  @Test
  void aMethodReferenceIsDefinedInTheCompactLambdaForm() throws Exception {
    SerializableCallable<Object> fn = PoolFunctionFormTest::noop;
    PoolFunction f = PoolFunction.of(fn, "the function given to apply");
    assertThat(f.define[PoolProtocol.FUNCTION_AT] & 0xFF).isEqualTo(LAMBDA);
    assertThat(f.reusable).isTrue();
    // What the worker does with it (PoolWorker: Messages.decode from FUNCTION_AT).
    Object back = Messages.decode(f.define, PoolProtocol.FUNCTION_AT, null);
    assertThat(((SerializableCallable<?>) back).call()).isNull();
  }

  @Test
  void aLambdaCapturingANonCompactValueIsStillDefinedJavaSerialized() throws Exception {
    Box box = new Box(7);
    SerializableCallable<Object> fn = () -> box.value();
    PoolFunction f = PoolFunction.of(fn, "the function given to apply");
    assertThat(f.define[PoolProtocol.FUNCTION_AT] & 0xFF).isEqualTo(SERIALIZED);
    Object back = Messages.decode(Arrays.copyOf(f.define, f.define.length), PoolProtocol.FUNCTION_AT, null);
    assertThat(((SerializableCallable<?>) back).call()).isEqualTo(7);
  }
}
