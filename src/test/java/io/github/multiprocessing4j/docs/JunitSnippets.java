package io.github.multiprocessing4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.junit.ForkedJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/junit.md's snippets: test classes, nested here so that Surefire does not run them by
 * themselves; {@code ForkedJvmTest.theGuidesExamplesPass} runs them through the JUnit Platform.
 */
final class JunitSnippets {

  private JunitSnippets() {}

  /** A class whose static state is read once, at class initialisation. */
  static final class Config {
    static final String MODE = System.getProperty("app.mode", "production");

    private Config() {}
  }

  static class OneMethod {
    // snippet:forked-method
    @Test
    @ForkedJvm(systemProperties = "app.mode=test", jvmOptions = "-Xmx64m")
    void readsTheModeAtClassInitialisation() {
      assertThat(Config.MODE).isEqualTo("test"); // Config is initialised afresh, in the child JVM
    }
    // end:forked-method
  }

  // snippet:forked-class
  @ForkedJvm(startMethod = "forkserver")   // each test in a JVM of its own, taken from a warm spare
  static class ForkedClass {
    private Path file;

    @BeforeEach                            // runs in the child, before the test
    void setUp(@TempDir Path dir) {        // the child's temporary directory
      file = dir.resolve("data.txt");
    }

    @ParameterizedTest                     // each invocation in a JVM of its own
    @ValueSource(strings = {"a", "b"})
    void writes(String text) throws Exception {
      Files.writeString(file, text);
      assertThat(Files.readString(file)).isEqualTo(text);
    }
  }
  // end:forked-class
}
