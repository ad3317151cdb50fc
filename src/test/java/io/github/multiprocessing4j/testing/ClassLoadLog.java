package io.github.multiprocessing4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the log a child JVM writes with {@code -Xlog:class+load:file=PATH}: what a test asserts
 * about the classes a child loaded (or did not).
 */
public final class ClassLoadLog {

  private ClassLoadLog() {}

  /**
   * The option that makes a JVM write the log.
   *
   * @param log where it goes
   * @return {@code -Xlog:class+load:file=<log>}
   */
  public static String option(Path log) {
    return "-Xlog:class+load:file=" + log;
  }

  /**
   * The classes a log names, in the order they loaded, without the log's decorations.
   *
   * @param log a log written with the default decorations
   * @return binary class names
   * @throws IOException if it cannot be read
   */
  public static List<String> classes(Path log) throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .map(l -> l.replaceAll("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", "").split(" ")[0])
        .collect(Collectors.toList());
  }
}
