package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which flags {@code shortLived(true)} adds, by JDK version and the user's own options. */
final class ShortLivedFlagsTest {

  @Test
  void c1OnlyOnJdk17() {
    assertThat(ShortLivedFlags.flags(List.of(), 17)).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(ShortLivedFlags.flags(List.of(), 24)).containsExactly("-XX:TieredStopAtLevel=1");
  }

  @Test
  void c1AndTheSerialCollectorFromJdk25() {
    assertThat(ShortLivedFlags.flags(List.of("-Xmx64m"), 25))
        .containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  }

  @Test
  void noSerialCollectorWhenTheUserChoseOne() {
    // Two collectors on one command line stop the JVM.
    assertThat(ShortLivedFlags.flags(List.of("-XX:+UseZGC"), 25)).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(ShortLivedFlags.flags(List.of("-XX:+UseParallelGC"), 25)).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(ShortLivedFlags.flags(List.of("-XX:-UseG1GC", "-XX:+UseG1GC"), 26))
        .containsExactly("-XX:TieredStopAtLevel=1");
  }
}
