package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spare does, while it waits, what a process's own path would otherwise load after the handoff.
 * A class the JDK's archive does not hold comes from its modules (jrt), a few tenths of a
 * millisecond each: {@code java.util.Vector} for the stream the frame is read through was one. A
 * process served by a spare that prints a line and returns loads from the JDK's modules nothing
 * but what its exit needs, and of the library nothing at all.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SpareHandoffClassLoadingTest {

  /** Prints one line, as a short process does. */
  public static final class PrintsALine implements Target {
    @Override
    public void run(Args args) {
      System.out.println("line " + args.size());
    }
  }

  @Test
  void aProcessServedByASpareLoadsNoLibraryAndNoJdkModuleClassBeforeItExits(@TempDir Path dir) throws Exception {
    Process.Builder b = Process.builder().startMethod("forkserver").target(PrintsALine.class)
        .jvmOptions("-Xlog:class+load:file=" + dir.resolve("classes-%p.log"));
    long first = run(b).pid(); // cold: it has the spare launched
    assertThat(Multiprocessing.awaitSpares(Waits.JOIN)).isTrue();
    List<Path> spares;
    try (Stream<Path> files = Files.list(dir)) {
      spares = files.filter(f -> !f.getFileName().toString().equals("classes-" + first + ".log"))
          .collect(Collectors.toList());
    }
    assertThat(spares).as("the ready spare's log").hasSize(1);
    Path log = spares.get(0);
    int beforeHandoff = lines(log).size();

    Process p = run(b);

    assertThat(log.getFileName().toString()).as("served by the spare").isEqualTo("classes-" + p.pid() + ".log");
    List<String> after = lines(log).subList(beforeHandoff, lines(log).size());
    assertThat(after).as("classes loaded after the handoff").anyMatch(l -> l.contains(PrintsALine.class.getName()));
    assertThat(after).as("library classes loaded after the handoff")
        .noneMatch(l -> l.contains(" io.github.multiprocessing4j.") && !l.contains(PrintsALine.class.getName()));
    assertThat(after).as("JDK module (jrt) classes loaded after the handoff")
        .noneMatch(l -> l.contains("source: jrt:/"));
  }

  private static Process run(Process.Builder b) throws InterruptedException {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = b.stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(lines).containsExactly("line 0");
    return p;
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8);
  }
}
