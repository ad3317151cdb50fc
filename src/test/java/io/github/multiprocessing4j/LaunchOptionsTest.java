package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.fixtures.ContextLoaderParent;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.time.Duration;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a child JVM is launched: JVM options, system properties, environment, working directory,
 * every {@link ChildOutput} mode, an empty {@code System.in}, and the class path the child gets
 * (through an {@code @argfile} when long, and including the context class loader's URLs).
 */
@Timeout(90)
class LaunchOptionsTest {

  @Test
  void jvmOptionsReachTheChild() throws Exception {
    List<String> lines = run(Process.builder().target(Describe.class).jvmOptions("-Xmx77m", "-Dfoo=bar"));
    assertThat(lines).contains("foo=bar");
    assertThat(value(lines, "inputArgs=")).contains("-Xmx77m");
    // The JVM rounds the heap to its alignment and may keep a survivor space out of maxMemory:
    // a band around 77 MiB, far from the default (a quarter of the machine's memory).
    assertThat(Long.parseLong(value(lines, "maxMemory="))).isBetween(60L << 20, 80L << 20);
  }

  @Test
  void systemPropertyReachesTheChild() throws Exception {
    List<String> lines = run(Process.builder().target(Describe.class)
        .systemProperty("mp4j.test.prop", "a value with spaces"));
    assertThat(lines).contains("prop=a value with spaces");
  }

  @Test
  void environmentVariableReachesTheChild() throws Exception {
    List<String> lines = run(Process.builder().target(Describe.class).environment("MP4J_TEST_ENV", "from-parent"));
    assertThat(lines).contains("env=from-parent");
  }

  @Test
  void workingDirectoryIsTheChildsUserDir(@TempDir Path dir) throws Exception {
    List<String> lines = run(Process.builder().target(Describe.class).workingDirectory(dir));
    assertThat(Path.of(value(lines, "cwd=")).toRealPath()).isEqualTo(dir.toRealPath());
  }

  @Test
  void childStdinIsEmpty() throws Exception {
    // The parent keeps the child's real stdin open for its whole life (its end signals the
    // parent's death); user code must see an empty System.in, not block on it.
    List<String> lines = run(Process.builder().target(Describe.class));
    assertThat(lines).contains("stdin=-1");
  }

  @Test
  void pumpCopiesIntoTheCurrentSystemOutAndErr() throws Exception {
    String[] outErr = runWithCapturedSystemStreams(new Process(Print.class, "pumped out 我是进程1", "pumped err"));
    assertThat(outErr[0]).contains("pumped out 我是进程1").doesNotContain("pumped err");
    assertThat(outErr[1]).contains("pumped err").doesNotContain("pumped out");
  }

  @Test
  void toFileTruncatesAndAppendToAppends(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("out.txt");
    Path appended = dir.resolve("appended.txt");
    Files.writeString(file, "old content\n");
    Files.writeString(appended, "old line\n");
    Process p = Process.builder().target(Print.class).args("new line", "error line")
        .stdout(ChildOutput.toFile(file)).stderr(ChildOutput.appendTo(appended)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(Files.readAllLines(file)).containsExactly("new line");
    assertThat(Files.readAllLines(appended)).containsExactly("old line", "error line");
  }

  @Test
  void discardDropsTheOutput() throws Exception {
    String[] outErr = runWithCapturedSystemStreams(Process.builder().target(Print.class)
        .args("discarded out", "discarded err").stdout(ChildOutput.discard()).stderr(ChildOutput.discard()).build());
    assertThat(outErr[0]).doesNotContain("discarded");
    assertThat(outErr[1]).doesNotContain("discarded");
  }

  // ---- LaunchOptions, the value shared by processes, pools and executors

  @Test
  void launchOptionsAreAnImmutableValue(@TempDir Path dir) {
    LaunchOptions.Builder b = LaunchOptions.builder().jvmOptions("-Xmx64m").systemProperty("k", "v")
        .environment("MP4J_SECRET", "s3cr3t").workingDirectory(dir).stdout(ChildOutput.discard())
        .killDescendants(true).terminateGrace(Duration.ofMillis(500)).startMethod("forkserver")
        .classDataSharing(false).shortLived(true);
    LaunchOptions a = b.build();
    assertThat(b.build()).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.jvmOptions()).containsExactly("-Xmx64m");
    assertThat(a.systemProperties()).containsExactly(java.util.Map.entry("k", "v"));
    assertThat(a.workingDirectory()).contains(dir.toAbsolutePath());
    assertThat(a.startMethod()).contains("forkserver");
    assertThat(a.terminateGrace()).contains(Duration.ofMillis(500));
    assertThat(a.classDataSharing()).contains(false);
    assertThat(a.killDescendants()).isTrue();
    assertThat(a.shortLived()).isTrue();
    assertThat(a.stdout()).isSameAs(ChildOutput.discard());
    assertThat(a.toString()).contains("MP4J_SECRET").doesNotContain("s3cr3t");

    // Neither the builder used again nor a derived value changes what was built.
    b.jvmOptions("-Xss1m");
    LaunchOptions derived = a.toBuilder().systemProperty("k", "w").build();
    assertThat(a.jvmOptions()).containsExactly("-Xmx64m");
    assertThat(a.systemProperties()).containsEntry("k", "v");
    assertThat(derived).isNotEqualTo(a);
    assertThat(derived.toBuilder().systemProperty("k", "v").build()).isEqualTo(a);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.jvmOptions().add("-Xint"))
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.environment().put("X", "y"))
        .isInstanceOf(UnsupportedOperationException.class);

    assertThat(LaunchOptions.defaults()).isEqualTo(LaunchOptions.builder().build());
    assertThat(LaunchOptions.defaults().startMethod()).isEmpty();
    assertThat(LaunchOptions.defaults().stdout()).isSameAs(ChildOutput.pump());
  }

  @Test
  void launchOptionsRefuseWhatProcessBuilderRefusesWithTheSameMessages() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LaunchOptions.builder().jvmOptions("-cp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(messageOf(() -> Process.builder().jvmOptions("-cp")));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LaunchOptions.builder().startMethod("fork"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot find context for 'fork'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LaunchOptions.builder().systemProperty("a=b", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(messageOf(() -> Process.builder().systemProperty("a=b", "c")));
  }

  private static String messageOf(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e.getMessage();
    }
    throw new AssertionError("did not throw");
  }

  @Test
  void processBuilderTakesLaunchOptionsAndKeepsItsContextsStartMethod() throws Exception {
    LaunchOptions opts = LaunchOptions.builder().systemProperty("mp4j.test.prop", "from options").build();
    List<String> lines = run(Process.builder().target(Describe.class).jvmOptions("-Xmx99m").launchOptions(opts));
    assertThat(lines).contains("prop=from options");
    assertThat(value(lines, "inputArgs=")).doesNotContain("-Xmx99m"); // replaced by the options

    Context forkserver = Multiprocessing.getContext("forkserver");
    assertThat(forkserver.processBuilder().launchOptions(opts).build().name()).startsWith("ForkServerProcess-");
    LaunchOptions spawn = opts.toBuilder().startMethod("spawn").build();
    assertThat(forkserver.processBuilder().launchOptions(spawn).build().name()).startsWith("SpawnProcess-");
  }

  @Test
  void aPoolsWorkersGetItsLaunchOptions() throws Exception {
    LaunchOptions opts = LaunchOptions.builder().systemProperty("mp4j.test.prop", "pool option").build();
    io.github.multiprocessing4j.pool.Pool pool = io.github.multiprocessing4j.pool.Pool.builder().processes(1)
        .launchOptions(opts).workerOptions(w -> w.systemProperty("mp4j.test.more", "refined")).build();
    try {
      assertThat(pool.apply(() -> System.getProperty("mp4j.test.prop") + "/" + System.getProperty("mp4j.test.more")))
          .isEqualTo("pool option/refined");
    } finally {
      pool.terminate();
      assertThat(pool.join(Waits.JOIN)).as("workers exited after terminate").isTrue();
    }
  }

  @Test
  void anExecutorsWorkersGetItsLaunchOptions() throws Exception {
    LaunchOptions opts = LaunchOptions.builder().systemProperty("mp4j.test.prop", "executor option").build();
    io.github.multiprocessing4j.pool.ProcessPoolExecutor executor =
        io.github.multiprocessing4j.pool.ProcessPoolExecutor.builder().maxWorkers(1).launchOptions(opts).build();
    try {
      io.github.multiprocessing4j.pool.SerializableCallable<String> read = () -> System.getProperty("mp4j.test.prop");
      assertThat(executor.submit(read).get(Waits.JOIN)).isEqualTo("executor option");
    } finally {
      executor.shutdownNow();
      executor.shutdown(true, true);
    }
    assertThat(executor.isTerminated()).as("workers exited after shutdown").isTrue();
  }

  /**
   * Runs {@code p} to a successful end with this JVM's System.out and System.err replaced, and
   * returns what reached them (stdout, stderr).
   */
  private static String[] runWithCapturedSystemStreams(Process p) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    assertThat(p.exitCode()).isZero();
    return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void toStreamAndToLinesDeliverUtf8Intact() throws Exception {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = Process.builder().target(Print.class).args("我是进程1", "我是进程2")
        .stdout(ChildOutput.toLines(lines::add)).stderr(ChildOutput.toStream(stream)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    assertThat(lines).containsExactly("我是进程1");
    assertThat(stream.toString(StandardCharsets.UTF_8)).isEqualTo("我是进程2" + System.lineSeparator());
  }

  @Test
  void inheritWritesToTheParentsFileDescriptor() throws Exception {
    // Run in a parent JVM of its own: inherited output in this JVM would land in Surefire's channel.
    try (JavaMain parent = JavaMain.start(InheritParent.class)) {
      assertThat(parent.waitFor(Waits.JOIN)).as("stderr:\n%s", parent.stderr()).isZero();
      assertThat(parent.stdout()).contains("inherited line", "exit=0");
      // The parent's System.out was replaced by a sink: the line went around it, to the descriptor.
      assertThat(parent.stdout()).doesNotContain("swallowed");
    }
  }

  @Test
  void longClassPathGoesThroughAnArgfile(@TempDir Path dir) throws Exception {
    List<String> entries = new ArrayList<>();
    for (int i = 0; entries.stream().mapToInt(String::length).sum() < 9_000; i++) {
      entries.add(dir.resolve("does-not-exist-" + i + "-padding-padding-padding-padding.jar").toString());
    }
    entries.add(System.getProperty("java.class.path"));
    String classPath = String.join(File.pathSeparator, entries);
    try (JavaMain parent = JavaMain.start(classPath, List.of(), LongClasspathParent.class.getName())) {
      assertThat(parent.waitFor(Waits.JOIN)).as("stdout:\n%s\nstderr:\n%s", parent.stdout(), parent.stderr()).isZero();
      String out = parent.stdout();
      assertThat(out).contains("child argfile=true", "exit=0");
      assertThat(Pids.find(out, " cplen=")).isGreaterThan(8_000);
    }
  }

  @Test
  void targetOnlyOnTheContextClassLoaderIsFound(@TempDir Path dir) throws Exception {
    Path libraryClasses = Path.of(Process.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path testClasses = Path.of(ContextLoaderParent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String slf4j = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> Path.of(e).getFileName().toString().startsWith("slf4j-api")).findFirst().orElseThrow();
    // The fixture alone, so that java.class.path holds the library but not the target.
    String rel = ContextLoaderParent.class.getName().replace('.', '/') + ".class";
    Path fixtureDir = dir.resolve("fixture");
    Files.createDirectories(fixtureDir.resolve(rel).getParent());
    Files.copy(testClasses.resolve(rel), fixtureDir.resolve(rel), StandardCopyOption.REPLACE_EXISTING);
    String classPath = String.join(File.pathSeparator, libraryClasses.toString(), slf4j, fixtureDir.toString());

    try (JavaMain parent = JavaMain.start(classPath, List.of(), ContextLoaderParent.class.getName(),
        testClasses.toString())) {
      assertThat(parent.waitFor(Waits.JOIN)).as("stdout:\n%s\nstderr:\n%s", parent.stdout(), parent.stderr()).isZero();
      assertThat(parent.stdout()).contains("target not on the application class path",
          "target ran in the child with arg-1", "exit=0");
    }
  }

  /** Starts the process with its stdout collected, waits for it, checks it succeeded. */
  private static List<String> run(Process.Builder builder) throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = builder.stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).as("exit code; lines: %s", lines).isZero();
    return lines;
  }

  private static String value(List<String> lines, String key) {
    return lines.stream().filter(l -> l.startsWith(key)).map(l -> l.substring(key.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in " + lines));
  }

  // ---------------------------------------------------------------------------------------------
  // Fixtures: run in child JVMs.

  /** Prints what the child JVM sees of its launch. */
  public static final class Describe implements Target {
    @Override
    public void run(Args args) throws Exception {
      System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory());
      System.out.println("inputArgs=" + ProcessHandle.current().info().arguments().map(Arrays::asList).orElse(List.of()));
      System.out.println("foo=" + System.getProperty("foo"));
      System.out.println("prop=" + System.getProperty("mp4j.test.prop"));
      System.out.println("env=" + System.getenv("MP4J_TEST_ENV"));
      System.out.println("cwd=" + System.getProperty("user.dir"));
      System.out.println("stdin=" + System.in.read());
    }
  }

  /** Prints args[0] on stdout and args[1] on stderr. */
  public static final class Print implements Target {
    @Override
    public void run(Args args) {
      System.out.println(args.getString(0));
      System.err.println(args.getString(1));
    }
  }

  /** Prints what tells how it was launched: through an argfile, and with which class path. */
  public static final class ArgfileReport implements Target {
    @Override
    public void run(Args args) {
      List<String> argv = ProcessHandle.current().info().arguments().map(Arrays::asList).orElse(List.of());
      System.out.println("child argfile=" + argv.stream().anyMatch(a -> a.startsWith("@"))
          + " cplen=" + System.getProperty("java.class.path").length() + " argv=" + argv.stream()
              .map(a -> a.length() > 200 ? a.substring(0, 200) + "..." : a).collect(Collectors.joining(" ")));
    }
  }

  /** A parent JVM whose own class path is long. */
  public static final class LongClasspathParent {
    public static void main(String[] args) throws Exception {
      System.out.println("parent cplen=" + System.getProperty("java.class.path").length());
      Process p = new Process(ArgfileReport.class);
      p.start();
      p.join();
      System.out.println("exit=" + p.exitCode());
    }
  }

  /** A parent JVM whose child inherits its stdout while its own System.out goes nowhere. */
  public static final class InheritParent {
    public static void main(String[] args) throws Exception {
      PrintStream realOut = System.out;
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
      Process p = Process.builder().target(Print.class).args("inherited line", "inherited err line")
          .stdout(ChildOutput.inherit()).stderr(ChildOutput.inherit()).build();
      p.start();
      p.join();
      System.out.println("swallowed");
      realOut.println("exit=" + p.exitCode());
    }
  }
}
