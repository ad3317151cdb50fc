package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.testing.Waits;
import io.github.multiprocessing4j.pool.PoolInternals;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.testing.JavaMain;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With slf4j-api and no provider (a new user's default), the library's WARN and ERROR events
 * still reach {@code System.err}, one line each, and SLF4J's own "no providers" warning is printed
 * once (by the parent), not again by every child. Before, a pool callback that threw printed
 * nothing at all, and every child repeated SLF4J's three lines.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class LogWithoutProviderTest {

  /** A parent JVM that starts and joins children: beyond {@link Waits#LONG}. */
  private static final Duration WHOLE_JVM = Duration.ofSeconds(90);

  /** The parent: a pool callback throws, and a child logs a warning through the library's logger. */
  static final class NoProviderParent {
    public static void main(String[] args) throws Exception {
      Pool pool = new Pool(1);
      try {
        AsyncResult<Integer> r = pool.applyAsync(() -> 42, v -> {
          throw new IllegalStateException("callback boom " + v);
        }, null);
        System.out.println("result " + r.get(WHOLE_JVM));
      } finally {
        pool.close();
        pool.join();
      }
      Process p = new Process(a -> Log.get(LogWithoutProviderTest.class).warn("a warning in pid {}",
          ProcessHandle.current().pid()));
      p.start();
      p.join();
      System.out.println("child exit " + p.exitCode());
    }
  }

  @Test
  void warnAndErrorReachStandardErrorOnceWithoutAProvider() throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !Path.of(e).getFileName().toString().startsWith("slf4j-simple"))
        .collect(Collectors.joining(File.pathSeparator));
    try (JavaMain parent = JavaMain.start(classPath, List.of(), NoProviderParent.class.getName())) {
      assertThat(parent.waitFor(WHOLE_JVM)).as("stdout:\n%s\nstderr:\n%s", parent.stdout(), parent.stderr()).isZero();
      assertThat(parent.stdout()).contains("result 42", "child exit 0");
      String err = parent.stderr();
      assertThat(count(err, "ERROR " + PoolInternals.CALLBACK_LOGGER
          + " - a pool callback threw; the pool goes on: java.lang.IllegalStateException: callback boom 42"))
          .as(err).isEqualTo(1);
      assertThat(count(err, "WARN " + LogWithoutProviderTest.class.getName() + " - a warning in pid "))
          .as(err).isEqualTo(1);
      assertThat(count(err, "No SLF4J providers were found")).as("SLF4J's own warning, the parent's only:\n%s", err)
          .isEqualTo(1);
    }
  }

  private static int count(String text, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
