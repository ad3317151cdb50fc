package io.github.multiprocessing4j.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every tunable is declared in {@link Tunable}, and only there. */
final class TunableTest {

  private static final Pattern LITERAL = Pattern.compile("\"(multiprocessing4j\\.[A-Za-z]+)");

  @Test
  void noMainSourceNamesAPropertyOutsideTunable() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        if (f.getFileName().toString().equals("Tunable.java")) {
          continue;
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = LITERAL.matcher(lines.get(i));
          while (m.find()) {
            found.add(f + ":" + (i + 1) + ": " + m.group(1));
          }
        }
      }
    }
    assertThat(found).as("declare the property in Tunable and read it through it").isEmpty();
  }

  /**
   * The guide's table lists every tunable but the internal one, with the default and the
   * inheritance that {@link Tunable} declares; and nothing else.
   */
  @Test
  void theGuidesTableListsEveryTunableAsDeclared() throws IOException {
    Pattern row = Pattern.compile("^\\| `(multiprocessing4j\\.[A-Za-z]+)` \\| ([^|]*) \\| ([^|]*) \\|");
    java.util.Map<String, String[]> table = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("docs/performance-and-tuning.md"), StandardCharsets.UTF_8)) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        table.put(m.group(1), new String[] {m.group(2).strip(), m.group(3).strip()});
      }
    }
    List<String> problems = new ArrayList<>();
    for (Tunable t : Tunable.values()) {
      String[] cells = table.remove(t.key());
      if (t == Tunable.SPARE) {
        if (cells != null) {
          problems.add(t.key() + " is internal: the table's footnote names it, the table does not");
        }
        continue;
      }
      if (cells == null) {
        problems.add(t.key() + " is missing from the table");
        continue;
      }
      Matcher code = Pattern.compile("`([^`]*)`").matcher(cells[0]);
      String shown = code.find() ? code.group(1) : cells[0];
      if (!shown.equals(t.defaultValue())) {
        problems.add(t.key() + ": the table's default is '" + shown + "', Tunable's '" + t.defaultValue() + "'");
      }
      if (cells[1].startsWith("yes") != t.inherited()) {
        problems.add(t.key() + ": the table says inherited '" + cells[1] + "', Tunable says " + t.inherited());
      }
    }
    table.keySet().forEach(k -> problems.add(k + " is in the table but not declared in Tunable"));
    assertThat(problems).isEmpty();
  }

  @Test
  void keysAreUniqueAndPrefixed() {
    assertThat(Stream.of(Tunable.values()).map(Tunable::key).distinct().count())
        .isEqualTo(Tunable.values().length);
    assertThat(Tunable.values()).allSatisfy(t -> {
      assertThat(t.key()).startsWith("multiprocessing4j.");
      assertThat(t.meaning()).isNotBlank();
    });
  }

  @Test
  void boundedNumbersNameThePropertyWhenWrong() {
    String key = Tunable.MAX_DEPTH.key();
    String before = System.getProperty(key);
    try {
      System.setProperty(key, "deep");
      assertThatThrownBy(() -> Tunable.MAX_DEPTH.longValue(5, 1, 10))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid -D" + key + "=deep: not a number");
      System.setProperty(key, "1_000");
      assertThatThrownBy(() -> Tunable.MAX_DEPTH.longValue(5, 1, 10))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid -D" + key + "=1_000: from 1 to 10");
      System.setProperty(key, " 7 ");
      assertThat(Tunable.MAX_DEPTH.longValue(5, 1, 10)).isEqualTo(7);
      System.clearProperty(key);
      assertThat(Tunable.MAX_DEPTH.longValue(5, 1, 10)).isEqualTo(5);
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }
}
