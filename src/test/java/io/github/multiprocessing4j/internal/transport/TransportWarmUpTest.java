package io.github.multiprocessing4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up's own list, and the pid it shares with the rest of the library. */
final class TransportWarmUpTest {

  @Test
  void everyNamedClassExists() {
    List<String> missing = new ArrayList<>();
    for (String name : TransportWarmUp.CLASSES) {
      try {
        Class.forName(name, false, TransportWarmUp.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        missing.add(name);
      }
    }
    assertThat(missing).as("renamed or moved: update TransportWarmUp.CLASSES").isEmpty();
  }

  @Test
  void warmingTheSocketsLeavesNoDescriptorOpen() throws Exception {
    TransportWarmUp.warmSockets(); // the first time loads the classes
    long before = openDescriptors();
    for (int i = 0; i < 20; i++) {
      TransportWarmUp.warmSockets();
    }
    assertThat(openDescriptors()).as("descriptors after 20 warm-ups").isLessThanOrEqualTo(before);
  }

  @Test
  void theCurrentPidIsTheJdksAndReadOnce() {
    assertThat(CurrentProcess.pid()).isEqualTo(ProcessHandle.current().pid()).isEqualTo(CurrentProcess.pid());
  }

  private static long openDescriptors() throws Exception {
    try (var s = java.nio.file.Files.list(java.nio.file.Paths.get("/proc/self/fd"))) {
      return s.count();
    }
  }
}
