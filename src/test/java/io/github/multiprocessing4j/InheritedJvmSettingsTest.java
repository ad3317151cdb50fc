package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Waits;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child inherits its parent's heap, {@code -D}, assertion and module options, never its agents,
 * debugger, recordings or log files; its own options win; one option turns it off. The parent is
 * a JVM of this test's {@link #main}, started with a known command line; its children report what
 * their {@code RuntimeMXBean} shows.
 */
@Timeout(180)
class InheritedJvmSettingsTest {

  private static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";

  /** The parent's command line: what should be inherited and what never should. */
  private static List<String> parentOptions(Path dir) {
    return List.of("-Xmx96m", "-Dapp.mode=batch", "-ea", OPENS,
        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0",
        "-XX:StartFlightRecording=filename=" + dir.resolve("parent.jfr"),
        "-Xlog:gc:file=" + dir.resolve("gc.log"), "-Dmultiprocessing4j.spareIdleMillis=120000");
  }

  @Test
  void spawnAndForkserverChildrenInheritHeapPropertiesAssertionsAndModuleAccessOnly(@TempDir Path dir)
      throws Exception {
    List<String> lines = runParent(parentOptions(dir), "spawn", "forkserver");
    for (String child : List.of("spawn", "forkserver")) {
      List<String> args = inputArgs(lines, child);
      assertThat(args).as(child).contains("-Xmx96m", "-Dapp.mode=batch", "-ea", OPENS)
          .noneMatch(a -> a.contains("jdwp") || a.startsWith("-agent") || a.contains("FlightRecording")
              || a.startsWith("-Xlog:gc"))
          .as("the library's own properties once, as Tunable says: spareIdleMillis is not inherited")
          .noneMatch(a -> a.startsWith("-Dmultiprocessing4j.spareIdleMillis"));
      assertThat(value(lines, child, "app.mode")).isEqualTo("batch");
      assertThat(value(lines, child, "assertions")).isEqualTo("true");
      // The heap is rounded to its alignment: a band around 96 MiB, far from the machine's default.
      assertThat(Long.parseLong(value(lines, child, "maxMemory"))).as(child).isBetween(70L << 20, 100L << 20);
    }
    assertThat(value(lines, "forkserver", "servedBySpare")).as("a warm spare took the second child").isEqualTo("true");
  }

  @Test
  void theChildsOwnOptionsWinAndTheBuilderOrThePropertyTurnsInheritanceOff(@TempDir Path dir) throws Exception {
    List<String> lines = runParent(parentOptions(dir), "own", "off");
    List<String> own = inputArgs(lines, "own");
    assertThat(own).contains("-Xmx48m", "-Dapp.mode=own", "-ea").doesNotContain("-Xmx96m", "-Dapp.mode=batch");
    assertThat(value(lines, "own", "app.mode")).isEqualTo("own");
    assertThat(Long.parseLong(value(lines, "own", "maxMemory"))).isBetween(30L << 20, 50L << 20);

    assertThat(inputArgs(lines, "off")).doesNotContain("-Xmx96m", "-Dapp.mode=batch", "-ea", OPENS);
    assertThat(value(lines, "off", "app.mode")).isEqualTo("null");

    List<String> off = new ArrayList<>(parentOptions(dir));
    off.add("-Dmultiprocessing4j.inheritJvmSettings=false");
    List<String> byProperty = runParent(off, "spawn");
    assertThat(inputArgs(byProperty, "spawn")).doesNotContain("-Xmx96m", "-Dapp.mode=batch", "-ea", OPENS)
        .as("the choice holds for grandchildren too").contains("-Dmultiprocessing4j.inheritJvmSettings=false");
    assertThat(value(byProperty, "spawn", "app.mode")).isEqualTo("null");
  }

  @Test
  void aChildOfTheTestJvmDoesNotGetItsCoverageAgent() throws Exception {
    List<String> mine = ManagementFactory.getRuntimeMXBean().getInputArguments();
    Assumptions.assumeTrue(mine.stream().anyMatch(a -> a.startsWith("-javaagent")),
        "the test JVM runs without the JaCoCo agent (-Djacoco.skip=true)");
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = Process.builder().target(Report.class).args("child").stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).as("lines: %s", lines).isZero();
    assertThat(inputArgs(lines, "child")).noneMatch(a -> a.startsWith("-javaagent"));
  }

  private static List<String> runParent(List<String> jvmOptions, String... children) throws Exception {
    try (JavaMain parent = JavaMain.start(jvmOptions, InheritedJvmSettingsTest.class, children)) {
      assertThat(parent.waitFor(Waits.LONG)).as("parent stderr: %s", parent.stderr()).isZero();
      return Arrays.asList(parent.stdout().split("\\R"));
    }
  }

  private static String value(List<String> lines, String child, String key) {
    String prefix = child + "|" + key + "=";
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + lines));
  }

  private static List<String> inputArgs(List<String> lines, String child) {
    String v = value(lines, child, "inputArgs");
    return v.isEmpty() ? List.of() : Arrays.asList(v.split("\u0001"));
  }

  /**
   * The parent: starts one child per argument. {@code spawn}: cold; {@code forkserver}: from a warm
   * spare; {@code own}: with its own heap and property; {@code off}: with inheritance turned off.
   *
   * @param args the children to start
   * @throws Exception if a child cannot be started
   */
  public static void main(String[] args) throws Exception {
    for (String child : args) {
      Process.Builder b = Process.builder().target(Report.class).args(child);
      switch (child) {
        case "forkserver":
          b.startMethod("forkserver");
          warmSpareFor(Process.builder().target(Report.class).args("warm-up"));
          break;
        case "own":
          b.jvmOptions("-Xmx48m").systemProperty("app.mode", "own");
          break;
        case "off":
          b.inheritJvmSettings(false);
          break;
        default:
          break;
      }
      long taken = Spares.taken();
      Process p = b.build();
      p.start();
      if (!p.join(Waits.JOIN) || p.exitCode() != 0) {
        throw new AssertionError(child + " did not end well: " + p.exitCode());
      }
      System.out.println(child + "|servedBySpare=" + (Spares.taken() > taken));
    }
  }

  /** Has a spare launched and warmed up for the next forkserver child of these settings. */
  private static void warmSpareFor(Process.Builder same) throws Exception {
    Process first = same.startMethod("forkserver").build();
    first.start();
    first.join(Waits.JOIN);
    Spares.awaitReady(java.util.concurrent.TimeUnit.SECONDS.toNanos(Waits.JOIN.toSeconds()));
  }

  /** Prints, under its label, what its JVM was started with. */
  public static final class Report implements Target {
    @Override
    public void run(Args args) {
      String label = args.getString(0);
      List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
      System.out.println(label + "|inputArgs=" + in.stream().collect(Collectors.joining("\u0001")));
      System.out.println(label + "|app.mode=" + System.getProperty("app.mode"));
      System.out.println(label + "|maxMemory=" + Runtime.getRuntime().maxMemory());
      System.out.println(label + "|assertions=" + Report.class.desiredAssertionStatus());
    }
  }
}
