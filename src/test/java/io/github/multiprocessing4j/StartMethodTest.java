package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start methods as a type: CPython's names and process types, and which one keeps spares. */
class StartMethodTest {

  @Test
  void namesAndProcessTypesAreCPythons() {
    assertThat(StartMethod.of("spawn")).isSameAs(StartMethod.SPAWN);
    assertThat(StartMethod.of("forkserver")).isSameAs(StartMethod.FORKSERVER);
    assertThat(StartMethod.NAMES).containsExactly("spawn", "forkserver");
    assertThat(StartMethod.SPAWN.processType()).isEqualTo("SpawnProcess");
    assertThat(StartMethod.FORKSERVER.processType()).isEqualTo("ForkServerProcess");
    assertThat(StartMethod.FORKSERVER).hasToString("forkserver");
  }

  @Test
  void anUnknownMethodGetsCPythonsMessage() {
    assertThatThrownBy(() -> StartMethod.of("fork")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'fork'");
    assertThatThrownBy(() -> StartMethod.of(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'null'");
  }

  @Test
  void spawnAndAProcessWhoseOutputIsNotPipedNeverTakeASpare() {
    // Neither asks for a spare's launch: the builder function is never applied.
    List<String> command = List.of("java", "Main");
    assertThat(StartMethod.SPAWN.takeSpare(command, null, Map.of(), true, c -> {
      throw new AssertionError("spawn asked for a spare");
    })).isNull();
    assertThat(StartMethod.FORKSERVER.takeSpare(command, null, Map.of(), false, c -> {
      throw new AssertionError("forkserver asked for a spare for unpiped output");
    })).isNull();
  }
}
