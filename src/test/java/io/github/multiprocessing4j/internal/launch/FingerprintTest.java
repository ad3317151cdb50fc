package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Fingerprint}: the names of the archives and of the library's jars. */
class FingerprintTest {

  @Test
  void theSameInputsGiveTheSameNameOf32HexDigits() {
    String a = new Fingerprint().add("java.home=/jdk").add(42).hex();
    assertThat(a).matches("[0-9a-f]{32}").isEqualTo(new Fingerprint().add("java.home=/jdk").add(42).hex());
  }

  @Test
  void whereOneStringEndsAndTheNextBeginsCounts() {
    assertThat(new Fingerprint().add("ab").add("c").hex()).isNotEqualTo(new Fingerprint().add("a").add("bc").hex());
    assertThat(new Fingerprint().add("1").hex()).isNotEqualTo(new Fingerprint().add(1).hex());
  }

  @Test
  void nearInputsGiveDistinctNames() {
    // a rebuilt class file: the same name, one byte more, one millisecond later
    Set<String> names = new HashSet<>();
    for (int size = 0; size < 200; size++) {
      for (long time = 1_700_000_000_000L; time < 1_700_000_000_050L; time++) {
        names.add(new Fingerprint().add("io/github/multiprocessing4j/Process.class").add(size).add(time).hex());
      }
    }
    assertThat(names).hasSize(200 * 50);
    Set<String> halves = new HashSet<>();
    for (String n : names) {
      halves.add(n.substring(0, 16));
      halves.add(n.substring(16));
    }
    assertThat(halves).as("each 64-bit half alone distinct too").hasSize(2 * 200 * 50);
  }
}
