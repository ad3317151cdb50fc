package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class list of the library's archive ({@link ChildClassList}): what it names of the library
 * exists (a renamed class or method would silently fall out of the archive), and the file a dump
 * reads is the JDK's list followed by the library's.
 */
class ChildClassListTest {

  private static List<String> resource() throws IOException {
    try (InputStream in = ChildClassList.class.getResourceAsStream(ChildClassList.RESOURCE)) {
      assertThat(in).as("the resource %s in the library's jar", ChildClassList.RESOURCE).isNotNull();
      return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
          .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
    }
  }

  private static Class<?> load(String internalName) throws ClassNotFoundException {
    return Class.forName(internalName.replace('/', '.'), false, ChildClassList.class.getClassLoader());
  }

  @Test
  void everyLibraryClassItNamesExists() throws Exception {
    List<String> names = resource().stream().filter(l -> l.startsWith("io/github/multiprocessing4j/"))
        .collect(Collectors.toList());
    assertThat(names).as("the library's start path").contains("io/github/multiprocessing4j/ChildRuntime",
        "io/github/multiprocessing4j/pool/PoolWorker");
    for (String name : names) {
      assertThatCode(() -> load(name)).as(name + " (run ChildClassListGenerator after renaming a class)")
          .doesNotThrowAnyException();
    }
  }

  /**
   * The generator lists the library's method-reference lambdas that its children load; since the
   * put-fence's exit action became a class there are none: every class a child spins at run time
   * costs it about a millisecond, so a start path or first operation uses classes instead. A method
   * reference added to one shows up here once the list is generated again.
   */
  @Test
  void itNamesNoLambdaOfTheLibrarys() throws Exception {
    assertThat(resource()).as("lambdas a child spins on its start path or first operation (use a class)")
        .noneMatch(l -> l.startsWith("@lambda-proxy io/github/multiprocessing4j/"));
  }

  @Test
  void itNamesOnlyClassesAndLambdas() throws Exception {
    assertThat(resource()).allMatch(l -> l.matches("[A-Za-z0-9_/$]+") || l.startsWith("@lambda-proxy "));
  }

  @Test
  void theDumpsListIsTheJdksThenTheLibrarys(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("list");
    Path javaHome = Paths.get(System.getProperty("java.home"));
    ChildClassList.write(javaHome, out);
    List<String> written = Files.readAllLines(out, StandardCharsets.UTF_8);
    List<String> jdk = Files.readAllLines(javaHome.resolve("lib").resolve("classlist"), StandardCharsets.UTF_8)
        .stream().filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
    assertThat(written.subList(0, jdk.size())).isEqualTo(jdk);
    assertThat(written.subList(jdk.size(), written.size())).isEqualTo(resource());
  }
}
