package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.Target;
import io.github.multiprocessing4j.testing.Waits;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compact message decoded in a new JVM leaves {@code ObjectInputFilter.Config} uninitialised
 * (its initialiser scans the class path's jars), yet the JVM-wide filter still applies, however it
 * was set: on the command line ({@code Config} reads it once, at JVM start, and so does the
 * library), or with {@code Config.setSerialFilter}. Each case runs in a child JVM, the only place where
 * {@code Config} is known to be fresh; its target is a class, so the child's start reads nothing
 * with Java serialization.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class JvmWideFilterTest {

  /** Decodes {@code ["text", 1000]} through the channel filter; writes the outcome to arg 0. */
  public static final class DecodeInChild implements Target {
    @Override
    public void run(Args args) throws Exception {
      String mode = (String) args.get(1);
      if (mode.equals("setSerialFilter")) {
        ObjectInputFilter.Config.setSerialFilter(
            info -> info.serialClass() == String.class ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
      }
      byte[] m = ObjectCodec.encode(List.of("text", 1000));
      String outcome;
      try {
        outcome = "decoded " + ObjectCodec.decode(m, 0, m.length, SerialFilters.channel());
      } catch (InvalidClassException e) {
        outcome = "rejected " + e.classname;
      }
      String config = configProbe() == null ? "unknown" : configProbe() ? "uninitialised" : "initialised";
      Files.write(Paths.get((String) args.get(0)), (outcome + "\n" + config).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Whether Config still awaits initialisation, or null where the JDK cannot tell. */
  static Boolean configProbe() throws Exception {
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field f = type.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Method m = type.getDeclaredMethod("shouldBeInitialized", Class.class);
      return (Boolean) m.invoke(f.get(null), ObjectInputFilter.Config.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static String[] decodeInChild(Path dir, String mode, String jdkSerialFilter) throws Exception {
    Path out = dir.resolve(mode);
    // Spawned: a spare has run its warm-up, which reads with Java serialization.
    Process.Builder b = Process.builder().startMethod("spawn").target(DecodeInChild.class).args(out.toString(), mode);
    if (jdkSerialFilter != null) {
      b.systemProperty(JvmWideFilter.PROPERTY, jdkSerialFilter);
    }
    Process p = b.build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).as("the child's exit code").isZero();
    return new String(Files.readAllBytes(out), StandardCharsets.UTF_8).split("\n");
  }

  @Test
  void aCompactMessageLeavesConfigUninitialisedWhereTheJdkCanTell(@TempDir Path dir) throws Exception {
    String[] seen = decodeInChild(dir, "plain", null);
    assertThat(seen[0]).isEqualTo("decoded [text, 1000]");
    if (configProbe() != null) {
      assertThat(seen[1]).as("ObjectInputFilter.Config in the child").isEqualTo("uninitialised");
    }
  }

  /** Never initialised: nothing reads or writes it, nor makes one. */
  private static final class NeverInitialised {
    static final Object FIELD = new Object();

    private NeverInitialised() {}
  }

  @Test
  void classInitStateTellsAnInitialisedClassFromAnUninitialisedOneWhereTheJdkCan() {
    boolean canTell = Runtime.version().feature() < 22;
    assertThat(ClassInitState.knownUninitialised(NeverInitialised.class)).as("an uninitialised class").isEqualTo(canTell);
    assertThat(ClassInitState.knownUninitialised(String.class)).as("an initialised class").isFalse();
  }

  @Test
  void aFilterOnTheCommandLineApplies(@TempDir Path dir) throws Exception {
    assertThat(decodeInChild(dir, "plain", "!java.lang.Integer")[0]).isEqualTo("rejected java.lang.Integer");
  }

  @Test
  void aFilterSetThroughConfigApplies(@TempDir Path dir) throws Exception {
    assertThat(decodeInChild(dir, "setSerialFilter", null)[0]).isEqualTo("rejected java.lang.String");
  }
}
