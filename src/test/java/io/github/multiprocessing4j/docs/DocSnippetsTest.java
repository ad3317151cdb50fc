package io.github.multiprocessing4j.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of README.md and docs/*.md, checked and run, so the documentation cannot rot.
 *
 * <p>A snippet's source is a region of a file in this package, between {@code // snippet:NAME}
 * and {@code // end:NAME}. Each {@code ```java} block of the documentation must follow an
 * {@code <!-- snippet: NAME -->} comment and show exactly that region (both with their common
 * indentation stripped); {@link #everyJavaBlockShowsItsRegion()} fails, naming the file and line
 * with a diff, on a block without a marker, a block that differs, or a region no page shows. The
 * other tests run the regions' methods, capture what the children print (pumped into
 * {@code System.out}/{@code System.err}) and assert what the snippets' comments promise.
 * {@code NoLeakedProcesses} (registered for every test class) checks that nothing is left running.
 *
 * <p>To change a snippet: edit its region here, then paste it into the page (the test's message
 * shows what to paste).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class DocSnippetsTest {

  private static final Pattern START = Pattern.compile("^\\s*// snippet:(\\S+)\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// end:(\\S+)\\s*$");
  private static final Pattern MARKER = Pattern.compile("^\\s*<!-- snippet: (\\S+) -->\\s*$");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  // ---- the documentation shows the regions ----

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void everyJavaBlockShowsItsRegion() throws IOException {
    Path root = projectRoot();
    Map<String, Region> regions = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("src/test/java/io/github/multiprocessing4j/docs"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
        regions(root.relativize(f).toString(), Files.readString(f), regions, problems);
      }
    }
    List<Page> pages = new ArrayList<>();
    pages.add(page(root, "README.md"));
    try (Stream<Path> files = Files.list(root.resolve("docs"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList())) {
        pages.add(page(root, root.relativize(f).toString()));
      }
    }
    problems.addAll(check(regions, pages));
    assertThat(regions).as("regions found").isNotEmpty();
    assertThat(problems).as("documentation snippets out of step with their sources").isEmpty();
  }

  @Test
  void theCheckReportsAnEditedBlockAMissingMarkerAndAnUnusedRegion() {
    Map<String, Region> regions = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    regions("Demo.java", "class Demo {\n  void m() {\n    // snippet:one\n    int x = 1;\n"
        + "    x++;\n    // end:one\n    // snippet:two\n    x--;\n    // end:two\n  }\n}\n", regions, problems);
    assertThat(problems).isEmpty();
    assertThat(regions.get("one").text).isEqualTo("int x = 1;\nx++;");

    String same = "Intro\n\n<!-- snippet: one -->\n```java\nint x = 1;\nx++;\n```\n";
    assertThat(check(Map.of("one", regions.get("one")), List.of(new Page("a.md", same)))).isEmpty();
    String indented = "- item\n\n  <!-- snippet: one -->\n  ```java\n  int x = 1;\n  x++;\n  ```\n";
    assertThat(check(Map.of("one", regions.get("one")), List.of(new Page("b.md", indented)))).isEmpty();

    String edited = "Intro\n\n<!-- snippet: one -->\n```java\nint x = 2;\nx++;\n```\n\n```java\nfoo();\n```\n";
    List<String> found = check(regions, List.of(new Page("c.md", edited)));
    assertThat(found).hasSize(3);
    assertThat(found.get(0)).startsWith("c.md:4: the java block of snippet 'one' differs from Demo.java:3")
        .contains("- int x = 2;").contains("+ int x = 1;");
    assertThat(found.get(1)).startsWith("c.md:9: a java block without <!-- snippet: NAME --> before it");
    assertThat(found.get(2)).startsWith("Demo.java:7: region 'two' is shown by no page");
  }

  // ---- the snippets run and print what their comments say ----

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readmeQuickStart() throws InterruptedException {
    Hello.main(new String[0]);
    assertThat(captured(out)).isEqualTo("hello, bob\n0\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readmeTargetClassWithOptions() throws InterruptedException {
    Process worker = ReadmeSnippets.workerBuilder();
    assertThat(worker.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("worker reads input.csv, retries=3, mode=batch\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void processesFailureAndOnExit() throws Exception {
    Process p = ProcessesSnippets.failureAndOnExit();
    assertThat(p.exitCode()).isEqualTo(1);
    assertThat(captured(out)).matches("Process-\\d+ ended: 1\njava.lang.IllegalStateException: boom\n");
    assertThat(p.failure().orElseThrow().remoteStackTrace()).startsWith("java.lang.IllegalStateException: boom");
    assertThat(captured(err)).startsWith("Process " + p.name() + ":\njava.lang.IllegalStateException: boom");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void processesForkserverContext() throws Exception {
    ProcessesSnippets.forkserverContext();
    assertThat(captured(out)).matches("forkserver\nForkServerProcess-\\d+\nForkServerPoolWorker-\\d+\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void connectionsPipeAndQueue() throws InterruptedException {
    List<Process> children = ConnectionsAndQueuesSnippets.pipeAndQueue();
    assertThat(children).allSatisfy(c -> assertThat(c.exitCode()).isZero());
    assertThat(captured(out)).isEqualTo("[42, null, hello]\nitem 0\nitem 1\nitem 2\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void connectionsJoinableQueueAndReadiness() throws InterruptedException {
    Process worker = ConnectionsAndQueuesSnippets.joinableQueueAndReadiness();
    assertThat(worker.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("1\n4\n9\ntrue\n");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void clusterEmbedded() throws Exception {
    ClusterSnippets.embedded();
    ClusterSnippets.queue();
    assertThat(captured(out)).isEqualTo("[1, 4, 9, 16]\nsimulate 42\n");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void observabilityRecordingMicrometerAndStatistics(@TempDir Path dir) throws Exception {
    assertThat(ObservabilitySnippets.recordInProcess(dir.resolve("pool.jfr"))).isEqualTo(4);
    assertThat(captured(out)).matches("(ok on pid \\d+, ran \\d+ us\n){4}");
    out.reset();
    ObservabilitySnippets.micrometer();
    assertThat(captured(out)).isEqualTo("3.0\n");
    out.reset();
    assertThat(ObservabilitySnippets.statistics().completedTasks()).isEqualTo(2);
    assertThat(captured(out)).isEqualTo("0 busy, 0 queued, 2 done, 0 failed, 0 worker deaths\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void progressBarOfAMapAndAnImap() throws Exception {
    assertThat(ProgressSnippets.mapWithBar()).hasSize(1000);
    String bars = captured(err);
    assertThat(bars.split("\r", -1)).as("a redraw per chunk of 50, the last one finished").hasSize(21);
    assertThat(bars).endsWith("\r[####################] 100% 1000/1000\n")
        .contains("\r[#...................]   5% 50/1000");
    err.reset();

    assertThat(ProgressSnippets.imapWithBar()).isEqualTo(300 * 6);
    assertThat(captured(err)).endsWith("[####################] 100% 300/300\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void poolsPoolAndExecutor() throws Exception {
    PoolsAndExecutorsSnippets.poolAndExecutor();
    // SpawnProcess-N with the default start method, which the page assumes; the surefire
    // execution that makes forkserver the default reruns this class when -Dtest names it.
    String worker = Multiprocessing.getStartMethod().equals("forkserver") ? "ForkServerProcess" : "SpawnProcess";
    assertThat(captured(out)).matches("\\[1, 4, 9, 16\\]\ntrue\n"
        + "java.lang.NumberFormatException: For input string: \"not a number\"\n"
        + "hello from " + worker + "-\\d+\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void syncLockAndEvent() throws InterruptedException {
    Process p = SyncAndSharedMemorySnippets.lockAndEvent();
    assertThat(p.exitCode()).isZero();
    assertThat(captured(out)).isEqualTo("parent: in the critical section\nchild: in the critical section\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sharedMemoryValuesAndArrays() throws InterruptedException {
    SyncAndSharedMemorySnippets.sharedMemory();
    assertThat(captured(out)).isEqualTo("42\n2000 [0.0, 1.0, 4.0, 9.0]\n<Synchronized wrapper for c_longlong(5)>\n");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void managersBaseManager() throws InterruptedException {
    ManagersSnippets.baseManager();
    assertThat(captured(out)).isEqualTo("13\n3\n");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void managersSyncManager() throws InterruptedException {
    ManagersSnippets.syncManager();
    assertThat(captured(out)).isEqualTo("1 [42] from the child\n[1]\n[1, 2]\n");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void managersArraysQueuesAndPools() throws Exception {
    ManagersSnippets.arraysQueuesAndPools();
    assertThat(captured(out)).isEqualTo("[0, 10, 20]\n[1, 4, 9]\n42\n");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void managersLocksConditionsEventsAndBarriers() throws InterruptedException {
    ManagersSnippets.managedLocks();
    assertThat(captured(out)).matches("2\n<RLock\\(.+, 2\\)>\n");
  }

  // ---- the check ----

  /** A region of a snippet source: its text with the common indentation stripped. */
  private static final class Region {
    final String where;
    final String text;

    Region(String where, String text) {
      this.where = where;
      this.text = text;
    }
  }

  /** A documentation page: its path relative to the project, and its text. */
  private static final class Page {
    final String path;
    final String text;

    Page(String path, String text) {
      this.path = path;
      this.text = text;
    }
  }

  private static Page page(Path root, String relative) {
    try {
      return new Page(relative, Files.readString(root.resolve(relative)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Surefire runs in the project's directory; {@code basedir} says so where it is set. */
  private static Path projectRoot() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }

  private static void regions(String file, String source, Map<String, Region> into, List<String> problems) {
    String[] lines = source.split("\n", -1);
    String open = null;
    int openLine = 0;
    List<String> body = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      Matcher start = START.matcher(lines[i]);
      Matcher end = END.matcher(lines[i]);
      if (start.matches()) {
        if (open != null) {
          problems.add(file + ":" + (i + 1) + ": region '" + start.group(1) + "' starts inside region '" + open + "'");
        }
        open = start.group(1);
        openLine = i + 1;
        body.clear();
      } else if (end.matches()) {
        if (!end.group(1).equals(open)) {
          problems.add(file + ":" + (i + 1) + ": '// end:" + end.group(1) + "' closes no open region");
        } else if (into.containsKey(open)) {
          problems.add(file + ":" + openLine + ": region '" + open + "' is also defined at " + into.get(open).where);
        } else {
          into.put(open, new Region(file + ":" + openLine, dedent(body)));
        }
        open = null;
      } else if (open != null) {
        body.add(lines[i]);
      }
    }
    if (open != null) {
      problems.add(file + ":" + openLine + ": region '" + open + "' has no '// end:" + open + "'");
    }
  }

  private static List<String> check(Map<String, Region> regions, List<Page> pages) {
    List<String> problems = new ArrayList<>();
    Set<String> shown = new LinkedHashSet<>();
    for (Page page : pages) {
      String[] lines = page.text.split("\n", -1);
      String marker = null;
      int markerLine = 0;
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        String trimmed = line.strip();
        Matcher m = MARKER.matcher(line);
        if (m.matches()) {
          marker = m.group(1);
          markerLine = i + 1;
          continue;
        }
        if (!trimmed.startsWith("```")) {
          if (!trimmed.isEmpty() && marker != null) {
            problems.add(page.path + ":" + markerLine + ": <!-- snippet: " + marker + " --> is not followed by a java block");
            marker = null;
          }
          continue;
        }
        boolean java = trimmed.equals("```java");
        int fence = i + 1;
        List<String> body = new ArrayList<>();
        for (i++; i < lines.length && !lines[i].strip().equals("```"); i++) {
          body.add(lines[i]);
        }
        if (!java) {
          if (marker != null) {
            problems.add(page.path + ":" + markerLine + ": <!-- snippet: " + marker + " --> is not followed by a java block");
          }
        } else if (marker == null) {
          problems.add(page.path + ":" + fence + ": a java block without <!-- snippet: NAME --> before it"
              + " (every java block is a region of a file in src/test/java/io/github/multiprocessing4j/docs)");
        } else if (!regions.containsKey(marker)) {
          problems.add(page.path + ":" + markerLine + ": no region '// snippet:" + marker
              + "' in src/test/java/io/github/multiprocessing4j/docs");
        } else {
          Region region = regions.get(marker);
          shown.add(marker);
          String text = dedent(body);
          if (!text.equals(region.text)) {
            problems.add(page.path + ":" + fence + ": the java block of snippet '" + marker + "' differs from "
                + region.where + " (- page, + source):\n" + diff(text, region.text));
          }
        }
        marker = null;
      }
    }
    for (Map.Entry<String, Region> e : regions.entrySet()) {
      if (!shown.contains(e.getKey())) {
        problems.add(e.getValue().where + ": region '" + e.getKey() + "' is shown by no page");
      }
    }
    return problems;
  }

  /** The lines, blank ones emptied and trailing spaces dropped, less their common indentation. */
  private static String dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
    }
    while (!out.isEmpty() && out.get(0).isEmpty()) {
      out.remove(0);
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return String.join("\n", out);
  }

  /** The lines that differ, position by position, around the first difference. */
  private static String diff(String page, String source) {
    String[] a = page.split("\n", -1);
    String[] b = source.split("\n", -1);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : null;
      String y = i < b.length ? b[i] : null;
      if (x != null && x.equals(y)) {
        s.append("    ").append(x).append('\n');
        continue;
      }
      if (x != null) {
        s.append("  - ").append(x).append('\n');
      }
      if (y != null) {
        s.append("  + ").append(y).append('\n');
      }
    }
    return s.toString();
  }

  private static String captured(ByteArrayOutputStream stream) {
    return stream.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
  }
}
