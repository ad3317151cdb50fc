package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Waits;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's first socket uses the selector provider this JVM uses, named on its command line, so
 * that it does not search every jar of its class path for one; unless its class path has an entry
 * this JVM did not search, or the user named a provider.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ChildSelectorProviderTest {

  private static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

  /** Writes the child's provider property, and the provider it got, to the file named by arg 0. */
  static void report(Args args) throws Exception {
    String named = System.getProperty(PROPERTY);
    Files.write(Paths.get((String) args.get(0)), (named + "\n" + SelectorProvider.provider().getClass().getName())
        .getBytes(StandardCharsets.UTF_8));
  }

  private static String[] run(Process.Builder b, Path out) throws Exception {
    Process p = b.target(ChildSelectorProviderTest::report).args(out.toString()).build();
    p.start();
    p.join(Waits.JOIN);
    assertThat(p.exitCode()).as("the child's exit code").isZero();
    return new String(Files.readAllBytes(out), StandardCharsets.UTF_8).split("\n");
  }

  @Test
  void aChildIsToldThisJvmsProvider(@TempDir Path dir) throws Exception {
    String ours = SelectorProvider.provider().getClass().getName();
    assertThat(run(Process.builder(), dir.resolve("out"))).containsExactly(ours, ours);
  }

  @Test
  void aProviderNamedForTheChildStands(@TempDir Path dir) throws Exception {
    String poll = "sun.nio.ch.PollSelectorProvider";
    assertThat(run(Process.builder().systemProperty(PROPERTY, poll), dir.resolve("out")))
        .containsExactly(poll, poll);
  }

  @Test
  void aClassPathEntryOnlyAContextLoaderHasLeavesTheLookupToTheChild(@TempDir Path dir) throws Exception {
    Path extra = Files.createDirectories(dir.resolve("extra"));
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    try (URLClassLoader cl = new URLClassLoader(new URL[] {extra.toUri().toURL()}, before)) {
      t.setContextClassLoader(cl);
      String[] seen = run(Process.builder(), dir.resolve("out"));
      assertThat(seen[0]).as("the property in the child").isEqualTo("null");
      assertThat(seen[1]).as("the provider the child found").isEqualTo(SelectorProvider.provider().getClass().getName());
    } finally {
      t.setContextClassLoader(before);
    }
  }
}
