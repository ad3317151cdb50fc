package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.testing.Waits;
import io.github.multiprocessing4j.internal.launch.Classpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.testing.JavaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Another local user cannot stop this user's processes through the library's directories: a
 * directory of the expected name that another uid made first (or a link, or one open to all) is
 * never used, and a uid with no passwd entry works. Each case runs {@link PrivateDirsMain} in a
 * fresh JVM whose temporary directory is a test directory (through {@link RuntimeDir#MAC_LAYOUT_ENV},
 * so that nothing of the machine's own {@code /dev/shm} is touched), as root (to play the other uid).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class PrivateDirsTest {

  /** A whole JVM (a parent and its children) under another uid or a long tmpdir: beyond {@link Waits#LONG}. */
  private static final Duration WHOLE_JVM = Duration.ofSeconds(180);
  private static final int OTHER_UID = 23456;

  @TempDir
  Path tmp;

  private static boolean root() {
    return RuntimeDir.uid() == 0;
  }

  /** A directory like /tmp: anyone may create entries, nobody may delete another's. */
  private Path sharedTmp() throws IOException {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path t = Files.createDirectory(tmp.resolve("t"));
    Files.setAttribute(t, "unix:mode", 01777);
    return t;
  }

  private static JavaMain run(List<String> prefix, String classPath, Path tmpDir) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(JavaMain.javaExecutable().toString());
    cmd.add("-Djava.io.tmpdir=" + tmpDir);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(PrivateDirsMain.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put(RuntimeDir.MAC_LAYOUT_ENV, tmpDir.toString());
    pb.environment().remove(RuntimeDir.FALLBACK_ENV);
    return JavaMain.start(pb);
  }

  private static String line(String out, String label) {
    Matcher m = Pattern.compile("(?m)^" + label + ": (.*)$").matcher(out);
    assertThat(m.find()).as(label + " in\n" + out).isTrue();
    return m.group(1);
  }

  private static void assertWorked(JavaMain jvm) throws InterruptedException {
    int status = jvm.waitFor(WHOLE_JVM);
    String out = jvm.stdout();
    assertThat(status).as("exit status; stdout:\n" + out + "\nstderr:\n" + jvm.stderr()).isZero();
    assertThat(out).contains("pipe: through the pipe").contains("queue: child took the lock").contains("fine");
  }

  @ParameterizedTest
  @ValueSource(strings = {"another uid's, mode 777", "a link to a directory of ours", "ours, mode 777"})
  void aUserDirectoryThatIsNotPrivatelyOursIsNeverUsedAndEverythingWorks(String kind) throws Exception {
    assumeTrue(root(), "only root can make a directory of another uid");
    Path t = sharedTmp();
    Path planted = t.resolve("multiprocessing4j-0");
    // Also under the user's name, which releases before this one used: the test then fails on them too.
    for (Path p : List.of(planted, t.resolve("multiprocessing4j-" + System.getProperty("user.name")))) {
      if (kind.startsWith("another")) {
        Files.createDirectory(p);
        Files.setAttribute(p, "unix:mode", 0777);
        Files.setAttribute(p, "unix:uid", OTHER_UID);
      } else if (kind.startsWith("a link")) {
        Path target = Files.createDirectory(tmp.resolve("elsewhere-" + p.getFileName()));
        Files.setAttribute(target, "unix:mode", 0700);
        Files.createSymbolicLink(p, target);
      } else {
        Files.createDirectory(p);
        Files.setAttribute(p, "unix:mode", 0777);
      }
    }
    try (JavaMain jvm = run(List.of(), System.getProperty("java.class.path"), t)) {
      assertWorked(jvm);
      String out = jvm.stdout();
      for (String label : List.of("runtime", "segments")) {
        assertThat(line(out, label)).as(label).startsWith(t.resolve("multiprocessing4j-0-").toString());
      }
      // The wake sockets: beside the segments, or under /tmp where that path is too long for a socket.
      Path park = Paths.get(line(out, "park"));
      assertThat(park.startsWith(planted)).as("park: " + park).isFalse();
      assertThat(RuntimeDir.unsafe(park)).as("park: " + park).isNull();
      try (Stream<Path> inside = Files.list(planted)) {
        assertThat(inside).as("what was planted stays untouched").isEmpty();
      }
      String all = jvm.stdout() + jvm.stderr(); // the child's output is pumped into its parent's
      assertThat(Pattern.compile("WARN.*" + Pattern.quote(planted.toString())).matcher(all).results().count())
          .as("WARN lines about it (the child, told the fallback, does not warn)\n" + all).isEqualTo(1);
    }
  }

  @Test
  void aTemporaryDirectoryTooLongForSocketPathsKeepsUnixSockets() throws Exception {
    // As long as macOS's $TMPDIR and more: the runtime directory under it cannot hold a socket.
    Path t = Files.createDirectories(tmp.resolve("var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T"));
    assertThat(t.toString().length()).isGreaterThan(60);
    try (JavaMain jvm = run(List.of(), System.getProperty("java.class.path"), t)) {
      assertWorked(jvm);
      String out = jvm.stdout();
      assertThat(line(out, "runtime")).startsWith(t.toString());
      Path sockets = Paths.get(line(out, "sockets"));
      assertThat(RuntimeDir.fitsSocket(sockets.resolve("pipe-1234567-1.sock"))).as(sockets.toString()).isTrue();
      assertThat(line(out, "queue server")).startsWith("unix:" + sockets);
      assertThat(RuntimeDir.fitsSocket(Paths.get(line(out, "park"), "4194304.sock"))).isTrue();
      assertThat(jvm.stderr()).doesNotContain("TCP");
    }
  }

  @Test
  void aUidWithoutAPasswdEntryWorksAndHasDirectoriesOfItsOwn() throws Exception {
    assumeTrue(root(), "only root can run a JVM as another uid");
    Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Paths::get).filter(Files::isExecutable)
        .findFirst().orElse(null);
    assumeTrue(setpriv != null, "setpriv is installed");
    try (Stream<String> passwd = Files.lines(Paths.get("/etc/passwd"))) {
      assumeTrue(passwd.noneMatch(l -> l.split(":").length > 2 && l.split(":")[2].equals("" + OTHER_UID)),
          "uid " + OTHER_UID + " has no passwd entry");
    }
    Path t = sharedTmp();
    String cp = readableCopyOfTheClassPath(Files.createDirectory(tmp.resolve("cp")));
    assumeTrue(Files.isReadable(JavaMain.javaExecutable()), "the JDK is readable");
    try (JavaMain jvm = run(List.of(setpriv.toString(), "--reuid=" + OTHER_UID, "--regid=" + OTHER_UID,
        "--clear-groups"), cp, t)) {
      assertWorked(jvm);
      String out = jvm.stdout();
      Path mine = t.resolve("multiprocessing4j-" + OTHER_UID);
      assertThat(line(out, "segments")).startsWith(mine.toString());
      assertThat(Files.getAttribute(mine, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(OTHER_UID);
      assertThat(Files.getAttribute(mine, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(040700);
      assertThat(jvm.stderr()).doesNotContain("WARN");
    }
  }

  /** The test class path, copied where any uid can read it ({@code ~/.m2} may be private). */
  private static String readableCopyOfTheClassPath(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : Classpath.entries()) {
      Path src = Paths.get(e);
      if (!Files.exists(src)) {
        continue;
      }
      Path dst = dir.resolve(i++ + "-" + src.getFileName());
      if (Files.isDirectory(src)) {
        try (Stream<Path> walk = Files.walk(src)) {
          for (Path p : (Iterable<Path>) walk::iterator) {
            Path q = dst.resolve(src.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(q);
            } else {
              Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.setPosixFilePermissions(q, PosixFilePermissions.fromString(Files.isDirectory(q) ? "rwxr-xr-x" : "rw-r--r--"));
          }
        }
      } else {
        Files.copy(src, dst);
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
      }
      entries.add(dst.toString());
    }
    return String.join(java.io.File.pathSeparator, entries);
  }
}
