package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.internal.launch.ClassDataSharing;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.testing.JavaMain;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cold-start options of {@link Process.Builder}: {@code classDataSharing} (an archive the
 * library creates once per setting, in a private cache directory, and children map) and
 * {@code shortLived} (child JVM flags). The archive tests run a parent JVM of their own (this
 * class's {@link #main}), most with a class path of jars made here from the test class path's
 * directories (an archive of the whole class path), two with the test class path itself (an
 * archive of the JDK and the library, whose jar goes first); whether a child mapped the archive is
 * read from its {@code /proc/self/maps}, so they run on Linux.
 */
@Timeout(180)
class ColdStartOptionsTest {

  private static final boolean JDK25 = Runtime.version().feature() >= 25;

  @TempDir
  static Path jars;
  /** The test class path with every directory replaced by a jar of it. */
  private static String jarClassPath;

  @BeforeAll
  static void jarTheClassPath() throws IOException {
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Paths.get(e);
      if (Files.isDirectory(p)) {
        Path jar = jars.resolve("dir" + n++ + ".jar");
        jar(p, jar);
        entries.add(jar.toString());
      } else {
        entries.add(e);
      }
    }
    jarClassPath = String.join(File.pathSeparator, entries);
  }

  // ---------------------------------------------------------------------------------------------
  // Class-data sharing

  @Test
  @EnabledOnOs(OS.LINUX)
  void theFirstChildHasTheArchiveCreatedAndLaterChildrenMapIt(@TempDir Path cache) throws Exception {
    List<String> out = runParent(cache, "create");
    assertThat(out).contains("first exit=0", "archive ready", "second exit=0", "second mapped=true");
    assertThat(archives(cache)).as("one archive and its checksum").hasSize(1);
    assertThat(Files.exists(sum(archives(cache).get(0)))).isTrue();
    assertThat(leftovers(cache)).as("no temporary file left").isEmpty();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.resolve("cds"))))
        .isEqualTo("rwx------");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aTruncatedArchiveIsNotUsedButReplaced(@TempDir Path cache) throws Exception {
    runParent(cache, "create");
    Path archive = archives(cache).get(0);
    byte[] whole = Files.readAllBytes(archive);
    archive.toFile().setWritable(true);
    // JDK 17 dies of SIGBUS on a truncated archive, instead of falling back: the checksum stops it.
    Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 2));
    List<String> out = runParent(cache, "use");
    assertThat(out).contains("child exit=0", "child mapped=false", "archive ready");
    assertThat(Files.size(archive)).as("recreated").isGreaterThan(whole.length / 2);
    assertThat(runParent(cache, "use")).contains("child exit=0", "child mapped=true");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void anArchiveTheJvmRefusesCostsOnlySpeed(@TempDir Path cache) throws Exception {
    runParent(cache, "create");
    Path archive = archives(cache).get(0);
    // Garbage with a matching checksum: past the library's check, the JVM must refuse it quietly.
    byte[] garbage = new byte[4096];
    java.util.Arrays.fill(garbage, (byte) 0x5a);
    archive.toFile().setWritable(true);
    Files.write(archive, garbage);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(garbage);
    Files.writeString(sum(archive), garbage.length + " " + Long.toHexString(crc.getValue()) + "\n");
    List<String> out = runParent(cache, "use");
    assertThat(out).contains("child exit=0", "child mapped=false");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aChangedJarGetsItsOwnArchiveAndTheStaleOneIsNotUsed(@TempDir Path cache) throws Exception {
    runParent(cache, "create");
    Path jar = jars.resolve("dir0.jar");
    assumeTrue(Files.exists(jar), "a directory on the test class path, made into a jar");
    FileTime saved = Files.getLastModifiedTime(jar);
    try {
      // A rebuilt jar: the same path, another time. The JVM would refuse the old archive; the
      // library must not even name it.
      Files.setLastModifiedTime(jar, FileTime.fromMillis(saved.toMillis() + 60_000));
      List<String> out = runParent(cache, "use");
      assertThat(out).contains("child exit=0", "child mapped=false", "archive ready");
      assertThat(archives(cache)).as("the old archive and the new one").hasSize(2);
      assertThat(runParent(cache, "use")).contains("child exit=0", "child mapped=true");
    } finally {
      Files.setLastModifiedTime(jar, saved);
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void concurrentFirstUseInTwoParentsDoesNotFail(@TempDir Path cache) throws Exception {
    try (JavaMain a = startParent(cache, "concurrent"); JavaMain b = startParent(cache, "concurrent")) {
      for (JavaMain parent : List.of(a, b)) {
        assertThat(parent.waitFor(Waits.LONG)).as("parent exit status").isZero();
        assertThat(parent.stderr()).as("parent and children's stderr").isEmpty();
        assertThat(parent.stdout()).contains("exits [0, 0, 0, 0]", "archive ready");
      }
    }
    assertThat(archives(cache)).hasSize(1);
    assertThat(leftovers(cache)).isEmpty();
    assertThat(runParent(cache, "use")).contains("child exit=0", "child mapped=true");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aSpareLaunchedWithTheArchiveServesTheNextProcess(@TempDir Path cache) throws Exception {
    runParent(cache, "create");
    List<String> out = runParent(cache, "spare");
    assertThat(out).contains("first exit=0", "second exit=0", "second spare=true", "second mapped=true");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void withADirectoryOnTheClassPathTheLibraryAndTheJdkAreArchivedWithTheLibrarysJarFirst(@TempDir Path cache)
      throws Exception {
    // Surefire's class path has target/classes and target/test-classes, which the JVM does not archive.
    String classPath = System.getProperty("java.class.path");
    assertThat(classPath.split(File.pathSeparator)).anyMatch(e -> Files.isDirectory(Paths.get(e)));
    List<String> out = runParent(classPath, cache, "create");
    assertThat(out).contains("first exit=0", "archive ready", "second exit=0", "second mapped=true");
    // Mapped at all means the JVM took the archive's class path as a prefix of the child's: on a
    // mismatch it maps nothing (the jar tests above see mapped=false then).
    String first = value(out, "first first=");
    String second = value(out, "second first=");
    assertThat(first).as("the first child, without an archive, keeps the class path").isEqualTo(
        classPath.split(File.pathSeparator)[0]);
    Path library = Paths.get(ClassDataSharing.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(second).as("the library's jar first").endsWith(".jar");
    if (Files.isDirectory(library)) {
      assertThat(Paths.get(second).getParent()).as("a jar of the library's classes directory, in the cache")
          .isEqualTo(cache.resolve("cds"));
    } else {
      assertThat(Paths.get(second)).isEqualTo(library);
    }
    assertThat(value(out, "second cp=")).as("then the whole class path the first child got")
        .isEqualTo(second + File.pathSeparator + value(out, "first cp="));
    assertThat(archives(cache)).singleElement().satisfies(a -> assertThat(a.getFileName().toString())
        .startsWith("cdsl-"));
    assertThat(leftovers(cache)).as("no temporary file left").isEmpty();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void theLibrarysArchiveSurvivesTheLossOfItsJar(@TempDir Path cache) throws Exception {
    String classPath = System.getProperty("java.class.path");
    runParent(classPath, cache, "create");
    Path library = Paths.get(ClassDataSharing.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assumeTrue(Files.isDirectory(library), "the library is a classes directory, as under Surefire");
    try (Stream<Path> files = Files.list(cache.resolve("cds"))) {
      for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList())) {
        Files.delete(jar);
      }
    }
    // A child must not get a class path that names a missing jar: the archive is made again.
    List<String> out = runParent(classPath, cache, "use");
    assertThat(out).contains("child exit=0", "child mapped=false", "archive ready");
    assertThat(runParent(classPath, cache, "use")).contains("child exit=0", "child mapped=true");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aShortProgramsExitWaitsForItsArchive(@TempDir Path cache) throws Exception {
    // One child, then the program ends at once: the archive is made all the same.
    List<String> out = runParent(System.getProperty("java.class.path"), cache, "one");
    assertThat(out).contains("child exit=0");
    assertThat(archives(cache)).singleElement().satisfies(a -> assertThat(Files.readString(sum(a)))
        .startsWith(Files.size(a) + " "));
    assertThat(leftovers(cache)).isEmpty();
    assertThat(runParent(System.getProperty("java.class.path"), cache, "one")).contains("child mapped=true");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aParentThatExitsWhileAnArchiveIsMadeLeavesNoJvmBehind(@TempDir Path cache) throws Exception {
    // The parent stops the dumping JVM (SIGSTOP) so that it cannot finish, then exits: its exit
    // waits 10 s for the archive, then ends that JVM.
    List<String> out = runParent(System.getProperty("java.class.path"), cache, "exit-early");
    long pid = Long.parseLong(value(out, "creator pid="));
    try {
      assertThat(Pids.alive(pid)).as("the parent's archive-making JVM %d after the parent exited", pid).isFalse();
    } finally {
      Pids.killQuietly(pid);
    }
  }

  @Test
  void aBadDefaultInTheSystemPropertyFailsStartClearly() throws Exception {
    String saved = System.getProperty(ClassDataSharing.PROPERTY);
    System.setProperty(ClassDataSharing.PROPERTY, "yes");
    try {
      Process p = new Process(Report.class, "none");
      assertThatThrownBy(p::start).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("system property multiprocessing4j.classDataSharing must be true or false, not 'yes'");
      assertThat(p.pid()).as("no JVM launched").isNull();
      // The builder's explicit choice does not read the property.
      Process q = Process.builder().target(Report.class).args("none").classDataSharing(false)
          .stdout(ChildOutput.discard()).build();
      q.start();
      assertThat(q.join(Waits.JOIN)).isTrue();
      assertThat(q.exitCode()).isZero();
    } finally {
      if (saved == null) {
        System.clearProperty(ClassDataSharing.PROPERTY);
      } else {
        System.setProperty(ClassDataSharing.PROPERTY, saved);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Flags every child gets

  @Test
  void aChildHasNoPerfDataFileByDefault() throws Exception {
    assertThat(value(run(Process.builder().target(PerfData.class)), "usePerfData=")).isEqualTo("false");
  }

  @Test
  void theUsersUsePerfDataWins() throws Exception {
    List<String> lines = run(Process.builder().target(PerfData.class).jvmOptions("-XX:+UsePerfData"));
    assertThat(value(lines, "usePerfData=")).isEqualTo("true");
  }

  @Test
  void poolWorkersHaveNoPerfDataFileByDefault() throws Exception {
    try (Pool pool = new Pool(1)) {
      assertThat(pool.apply(ColdStartOptionsTest::usePerfData)).isEqualTo("false");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Flags for short-lived targets

  @Test
  void shortLivedFlagsReachTheChild() throws Exception {
    List<String> lines = run(Process.builder().target(Report.class).args("none").shortLived(true));
    String args = value(lines, "args=");
    assertThat(args).contains("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");
    if (JDK25) {
      assertThat(args).contains("-XX:+UseSerialGC");
    } else {
      assertThat(args).doesNotContain("UseSerialGC");
    }
  }

  @Test
  void theUsersOwnCollectorAndOptionsWin() throws Exception {
    List<String> lines = run(Process.builder().target(Report.class).args("none").shortLived(true)
        .jvmOptions("-XX:+UseParallelGC", "-XX:TieredStopAtLevel=4"));
    String args = value(lines, "args=");
    assertThat(args).doesNotContain("UseSerialGC");
    assertThat(args.indexOf("-XX:TieredStopAtLevel=1")).as("the library's flag comes first")
        .isLessThan(args.indexOf("-XX:TieredStopAtLevel=4"));
  }

  @Test
  void shortLivedReachesPoolWorkersThroughWorkerOptions() throws Exception {
    try (Pool pool = Pool.builder().processes(1).workerOptions(b -> b.shortLived(true)).build()) {
      List<String> args = pool.apply(ColdStartOptionsTest::commandLine);
      assertThat(args).contains("-XX:TieredStopAtLevel=1");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The child and the parent fixture

  /**
   * Reports on the child JVM: its JVM options, whether it is a spare and whether it
   * mapped a file of the directory {@code args[0]}.
   */
  public static final class Report implements Target {
    @Override
    public void run(Args args) throws Exception {
      String dir = args.getString(0);
      boolean mapped = false;
      Path maps = Paths.get("/proc/self/maps");
      if (Files.exists(maps)) {
        try (Stream<String> lines = Files.lines(maps)) {
          mapped = lines.anyMatch(l -> l.contains(dir) && (l.endsWith(".jsa") || l.endsWith(".aot")));
        }
      }
      System.out.println("args=" + commandLine());
      System.out.println("cp=" + System.getProperty("java.class.path"));
      System.out.println("first=" + System.getProperty("java.class.path").split(File.pathSeparator)[0]);
      System.out.println("spare=" + System.getProperty("multiprocessing4j.spare", "false"));
      System.out.println("mapped=" + mapped);
    }
  }

  /**
   * A parent JVM with a jar class path and {@code -Dmultiprocessing4j.cacheDir}: {@code create}
   * starts a child without an archive, waits until the archive is there and starts one with it;
   * {@code use} starts one child, then waits until the archive is usable; {@code concurrent}
   * starts four at once, then waits for the archive; {@code spare} starts two with the
   * forkserver start method. It prints what the children reported, prefixed with their role.
   */
  public static void main(String[] argv) throws Exception {
    Path dir = Paths.get(System.getProperty(ClassDataSharing.CACHE_DIR_PROPERTY)).resolve("cds");
    switch (argv[0]) {
      case "create":
        report("first", dir);
        awaitArchive(dir);
        report("second", dir);
        break;
      case "use":
        report("child", dir);
        awaitArchive(dir);
        break;
      case "concurrent":
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          ps.add(Process.builder().target(Report.class).args(dir.toString()).classDataSharing(true)
              .stdout(ChildOutput.discard()).build());
        }
        for (Process p : ps) {
          p.start();
        }
        List<Integer> exits = new ArrayList<>();
        for (Process p : ps) {
          p.join();
          exits.add(p.exitCode());
        }
        System.out.println("exits " + exits);
        awaitArchive(dir);
        break;
      case "spare":
        Multiprocessing.setStartMethod("forkserver");
        report("first", dir);
        Pids.await(() -> !Spares.idlePids().isEmpty(), Waits.LONG);
        report("second", dir);
        break;
      case "one":
        report("child", dir);
        break;
      case "exit-early":
        exitDuringCreation(dir);
        break;
      default:
        throw new IllegalArgumentException(argv[0]);
    }
  }

  /**
   * Starts a child, which has the archive made, stops the JVM that makes it and returns (so this
   * JVM exits) while it is stopped.
   */
  private static void exitDuringCreation(Path dir) throws Exception {
    Process p = Process.builder().target(Report.class).args(dir.toString()).classDataSharing(true)
        .stdout(ChildOutput.discard()).build();
    p.start();
    ProcessHandle[] creator = new ProcessHandle[1];
    boolean seen = Pids.await(() -> {
      creator[0] = ProcessHandle.current().children()
          .filter(c -> c.info().commandLine().map(l -> l.contains(dir.toString())).orElse(false))
          .findFirst().orElse(null);
      return creator[0] != null;
    }, Waits.LONG);
    p.join();
    if (!seen) {
      throw new AssertionError("no JVM making the archive was seen");
    }
    new ProcessBuilder("kill", "-STOP", Long.toString(creator[0].pid())).inheritIO().start().waitFor();
    System.out.println("creator pid=" + creator[0].pid());
  }

  private static void report(String role, Path dir) throws Exception {
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Process p = Process.builder().target(Report.class).args(dir.toString()).classDataSharing(true)
        .stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    p.join();
    System.out.println(role + " exit=" + p.exitCode());
    for (String l : lines) {
      System.out.println(role + " " + l);
    }
  }

  /**
   * Waits until this JVM's archive creations have ended and an archive and its checksum file are
   * in place and agree in size.
   */
  private static void awaitArchive(Path dir) throws InterruptedException {
    ClassDataSharing.awaitCreations(Waits.LONG);
    boolean ready = Pids.await(() -> {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path a : files.filter(ColdStartOptionsTest::isArchive).collect(Collectors.toList())) {
          String sum = Files.readString(sum(a)).trim();
          if (sum.startsWith(Files.size(a) + " ")) {
            return true;
          }
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    }, Waits.LONG);
    System.out.println(ready ? "archive ready" : "no archive");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Prints this JVM's {@code UsePerfData}, as the VM has it. */
  public static final class PerfData implements Target {
    @Override
    public void run(Args args) throws Exception {
      System.out.println("usePerfData=" + usePerfData());
    }
  }

  /** {@code HotSpotDiagnosticMXBean.getVMOption("UsePerfData")}, through JMX (no jdk.management at compile time). */
  static String usePerfData() throws Exception {
    Object option = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
        new javax.management.ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
        new Object[] {"UsePerfData"}, new String[] {String.class.getName()});
    return String.valueOf(((javax.management.openmbean.CompositeData) option).get("value"));
  }

  /** This JVM's command-line arguments (the JVM options among them), as the OS reports them. */
  static List<String> commandLine() {
    return ProcessHandle.current().info().arguments().map(java.util.Arrays::asList).orElse(List.of());
  }

  private static JavaMain startParent(Path cache, String mode) {
    return startParent(jarClassPath, cache, mode);
  }

  private static JavaMain startParent(String classPath, Path cache, String mode) {
    return JavaMain.start(classPath, List.of("-D" + ClassDataSharing.CACHE_DIR_PROPERTY + "=" + cache),
        ColdStartOptionsTest.class.getName(), mode);
  }

  private static List<String> runParent(Path cache, String mode) throws InterruptedException {
    return runParent(jarClassPath, cache, mode);
  }

  private static List<String> runParent(String classPath, Path cache, String mode) throws InterruptedException {
    try (JavaMain parent = startParent(classPath, cache, mode)) {
      assertThat(parent.waitFor(Waits.LONG)).as("parent exit status; stderr: %s", parent.stderr()).isZero();
      assertThat(parent.stderr()).as("parent and children's stderr").isEmpty();
      return parent.stdout().lines().collect(Collectors.toList());
    }
  }

  private static List<Path> archives(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache.resolve("cds"))) {
      return files.filter(ColdStartOptionsTest::isArchive).collect(Collectors.toList());
    }
  }

  private static List<Path> leftovers(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache.resolve("cds"))) {
      return files.filter(p -> p.toString().contains(".tmp")).collect(Collectors.toList());
    }
  }

  private static boolean isArchive(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".jsa") || n.endsWith(".aot");
  }

  private static Path sum(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".sum");
  }

  private static List<String> run(Process.Builder b) throws InterruptedException {
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Process p = b.stdout(ChildOutput.toLines(lines::add)).build();
    p.start();
    assertThat(p.join(Waits.JOIN)).isTrue();
    assertThat(p.exitCode()).isZero();
    return lines;
  }

  private static String value(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
        .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError(prefix + " not in " + lines));
  }

  private static void jar(Path dir, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
        out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, (OutputStream) out);
        out.closeEntry();
      }
    }
  }

}
