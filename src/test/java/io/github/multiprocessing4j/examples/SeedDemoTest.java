package io.github.multiprocessing4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.JavaMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs {@link SeedDemo} in a JVM of its own (it must be a parent whose {@code main} really ends)
 * and checks what each section of the seed shows. The demo runs once for all tests.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class SeedDemoTest {

  private static final List<String> COUNT = List.of("0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4", "1.6", "1.8", "2.0");

  private static int status;
  private static String stdout;
  private static String stderr;
  private static List<String> lines;

  @BeforeAll
  static void runDemo() throws InterruptedException {
    try (JavaMain demo = JavaMain.start(SeedDemo.class)) {
      status = demo.waitFor(Duration.ofSeconds(150));
      stdout = demo.stdout();
      stderr = demo.stderr();
    }
    lines = stdout.lines().collect(Collectors.toList());
  }

  @Test
  void exitsNormallyWithEverySectionInOrder() {
    assertThat(status).as(report()).isZero();
    List<Integer> at = new ArrayList<>();
    for (String title : List.of("1. 进程类说明", "2. 获取进程号", "3. 进程带参数", "4. 进程之间不共享全局变量", "5. 守护进程",
        "6. 主进程会等待所有子进程结束后再结束")) {
      at.add(headerIndex(title));
    }
    assertThat(at).as(report()).doesNotContain(-1).isSorted();
  }

  @Test
  void twoProcessesPrintFiveTimesEach() {
    List<String> s = section("进程类说明");
    assertThat(s).as(report()).filteredOn("进程01"::equals).hasSize(5);
    assertThat(s).as(report()).filteredOn("进程02"::equals).hasSize(5);
    assertThat(s).as(report()).contains("names: myprocess, Process-2");
  }

  @Test
  void childrenSeeTheirParentAndKillThemselves() {
    List<String> s = section("获取进程号");
    String mainPid = valueAfter(s, "main的进程号 (main's pid): ");
    assertThat(valueAfter(s, "父进程1: ")).as(report()).isEqualTo(mainPid);
    assertThat(valueAfter(s, "父进程2: ")).as(report()).isEqualTo(mainPid);
    assertThat(valueAfter(s, "子进程1: ")).as(report()).endsWith("(myprocess)");
    if (!OS.WINDOWS.isCurrentOs()) { // Windows has no signals: see docs/differences-from-cpython.md
      assertThat(s).as(report()).anyMatch(l -> l.matches("exitcode: myprocess -9, Process-\\d+ -9"));
      assertThat(s).as(report()).anyMatch(l -> l.startsWith("<Process name='myprocess' pid=")
          && l.endsWith(" parent=" + mainPid + " stopped exitcode=-SIGKILL>"));
    }
  }

  @Test
  void argsAndKwargsReachTheTarget() {
    assertThat(section("进程带参数")).as(report()).contains("我是进程1", "我是进程2");
  }

  @Test
  void globalsAreNotShared() {
    assertThat(section("进程之间不共享全局变量")).as(report())
        .containsSubsequence("进程1 list1: [0, 1, 2, 3, 4]", "去取list1: []", "主进程 list1 (main's list1): []");
  }

  @Test
  void daemonIsTerminatedAndStopsCounting() {
    List<String> s = section("守护进程");
    int over = s.indexOf("over");
    assertThat(over).as(report()).isNotNegative();
    assertThat(s.subList(0, over)).as(report()).contains("0.2");
    assertThat(s.subList(over + 1, s.size())).as(report()).doesNotContainAnyElementsOf(COUNT.subList(2, COUNT.size()));
    assertThat(s).as(report()).contains("is_alive(): true, after terminate() exitcode: -15");
  }

  @Test
  void mainProcessWaitsForItsChildAfterMainReturns() {
    List<String> s = section("主进程会等待所有子进程结束后再结束");
    int over = s.indexOf("over");
    assertThat(over).as(report()).isNotNegative();
    assertThat(s).as(report()).containsSubsequence(COUNT);
    assertThat(s.subList(over + 1, s.size())).as(report()).contains("2.0");
    assertThat(s.get(s.size() - 1)).as(report()).startsWith("(the JVM exits now");
  }

  private static int headerIndex(String numberedTitle) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("=== " + numberedTitle + " | ")) {
        return i;
      }
    }
    return -1;
  }

  /** The lines of the section whose header contains {@code title}, without the header. */
  private static List<String> section(String title) {
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("=== ") && lines.get(i).contains(". " + title + " | ")) {
        start = i + 1;
        break;
      }
    }
    assertThat(start).as("header of section %s; %s", title, report()).isPositive();
    int end = start;
    while (end < lines.size() && !lines.get(end).startsWith("=== ")) {
      end++;
    }
    return lines.subList(start, end).stream().filter(l -> !l.isEmpty()).collect(Collectors.toList());
  }

  private static String valueAfter(List<String> section, String prefix) {
    return section.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "'; " + report()));
  }

  private static String report() {
    return "exit status " + status + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
  }
}
