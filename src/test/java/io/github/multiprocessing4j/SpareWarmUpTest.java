package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classes a spare preloads are named by string: a rename must not leave one behind unnoticed. */
final class SpareWarmUpTest {

  @Test
  void everyPreloadedLibraryClassExists() {
    List<String> missing = new ArrayList<>();
    for (String name : SpareWarmUp.PRELOADED) {
      if (name.startsWith("io.github.multiprocessing4j.")) {
        try {
          Class.forName(name, false, SpareWarmUp.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("renamed or moved: update SpareWarmUp.PRELOADED").isEmpty();
  }
}
