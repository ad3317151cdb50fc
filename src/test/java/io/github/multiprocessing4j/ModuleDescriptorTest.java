package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compiled module descriptor: tests run on the class path, so nothing else notices if
 * {@code module-info} starts exporting the internal package or gains a dependency.
 */
@Timeout(30)
class ModuleDescriptorTest {

  @Test
  void exportsOnlyTheApiAndRequiresSlf4j() throws Exception {
    Path classes = Path.of(Process.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      // javac writes no ModulePackages attribute: the packages come from the class directory.
      d = ModuleDescriptor.read(in, () -> packagesUnder(classes));
    }
    assertThat(d.name()).isEqualTo("io.github.multiprocessing4j");
    assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrder("io.github.multiprocessing4j",
            "io.github.multiprocessing4j.connection", "io.github.multiprocessing4j.queues", "io.github.multiprocessing4j.pool",
            "io.github.multiprocessing4j.sync", "io.github.multiprocessing4j.shared",
            "io.github.multiprocessing4j.managers", "io.github.multiprocessing4j.junit",
            "io.github.multiprocessing4j.cluster", "io.github.multiprocessing4j.micrometer");
    assertThat(d.exports()).allMatch(e -> !e.isQualified(), "no qualified exports");
    assertThat(d.opens()).isEmpty();
    assertThat(d.packages()).contains("io.github.multiprocessing4j", "io.github.multiprocessing4j.internal.runtime",
        "io.github.multiprocessing4j.internal.codec", "io.github.multiprocessing4j.internal.transport",
        "io.github.multiprocessing4j.internal.shm", "io.github.multiprocessing4j.internal.launch");
    assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("org.slf4j", "java.base", "java.management", "org.junit.jupiter.api",
            "org.junit.platform.commons", "org.junit.platform.engine", "org.junit.platform.launcher", "org.opentest4j",
            "com.hazelcast.core", "micrometer.core", "jdk.jfr");
    // JUnit, Hazelcast, Micrometer and the flight recorder are optional: only slf4j (and the JDK's
    // java.management) at run time.
    assertThat(d.requires()).filteredOn(r -> r.name().startsWith("org.junit") || r.name().equals("org.opentest4j")
        || r.name().equals("com.hazelcast.core") || r.name().equals("micrometer.core") || r.name().equals("jdk.jfr"))
        .as("optional: requires static").allMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC));
  }

  private static Set<String> packagesUnder(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".class") && !f.endsWith("module-info.class"))
          .map(f -> root.relativize(f.getParent()).toString().replace(f.getFileSystem().getSeparator(), "."))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
