package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a child is told this JVM's selector provider, and when it must look for one itself. */
final class SelectorProviderOptionTest {

  private static final String OPTION = "-D" + SelectorProviderOption.PROPERTY + "="
      + SelectorProvider.provider().getClass().getName();

  @Test
  void aChildWithThisJvmsClassPathIsToldTheJdksProvider() {
    assertThat(SelectorProvider.provider().getClass().getClassLoader()).as("the JDK's provider").isNull();
    assertThat(SelectorProviderOption.forChild(Classpath.entries(), List.of("-Xmx64m"), Set.of()))
        .isEqualTo(OPTION);
  }

  @Test
  void anEntryThisJvmDidNotSearchMakesTheChildLookItself(@TempDir Path extra) {
    List<String> cp = new ArrayList<>(Classpath.entries());
    cp.add(extra.toString()); // as a context class loader's URL would be
    assertThat(SelectorProviderOption.forChild(cp, List.of(), Set.of())).isNull();
  }

  @Test
  void aProviderTheUserNamesForTheChildStands() {
    List<String> cp = Classpath.entries();
    assertThat(SelectorProviderOption.forChild(cp,
        List.of("-D" + SelectorProviderOption.PROPERTY + "=sun.nio.ch.PollSelectorProvider"), Set.of())).isNull();
    assertThat(SelectorProviderOption.forChild(cp, List.of(), Set.of(SelectorProviderOption.PROPERTY))).isNull();
  }
}
