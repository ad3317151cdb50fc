package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.runtime.CurrentProcess;
import io.github.multiprocessing4j.internal.runtime.Tunable;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;
import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import io.github.multiprocessing4j.MultiprocessingException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.slf4j.Logger;

/**
 * Class-data sharing for child JVMs: an archive of the classes a child loads (the library's, the
 * JDK's beyond the default CDS archive, the lambda and serialization machinery), which a child maps
 * at start-up instead of loading, parsing and verifying those classes. On JDK 25 and later it is
 * an AOT cache (JEP 483/514/515: {@code -XX:AOTCacheOutput}, then {@code -XX:AOTCache}), before
 * that a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}, then
 * {@code -XX:SharedArchiveFile}).
 *
 * <p><b>Where.</b> One file per key in {@link #directory()}: {@code multiprocessing4j.cacheDir} if
 * set, else {@code $XDG_CACHE_HOME/multiprocessing4j/cds} or {@code ~/.cache/multiprocessing4j/cds}
 * (macOS: {@code ~/Library/Caches/multiprocessing4j/cds}; Windows:
 * {@code %LOCALAPPDATA%\multiprocessing4j\cache\cds}), the library's directories mode {@code 0700}
 * and checked to belong to this user. The key is a 128-bit {@link Fingerprint} of the JVM
 * (java.home, version, vendor, architecture), the archive kind, the child's JVM options other than
 * {@code -D}, and the class path with each entry's size and modification time, so a changed JDK,
 * option set or jar gets a new archive and a stale one is never named.
 *
 * <p><b>Creation.</b> The first launch that finds no archive for its key runs without one and has
 * it created in the background by a one-off JVM: the child's command line as a spare (which warms
 * up on the paths a child takes and ends at the end of its input, here at once), dumping into a
 * temporary file. The file is then checked by a JVM that must map it ({@code -Xshare:on} or
 * {@code -XX:AOTMode=on}), a checksum file is written next to it, and both are moved into place
 * atomically, so concurrent creators, in this JVM or others, never publish a partial archive; the
 * last one wins. A failed creation is logged (debug) and not retried in this JVM. This JVM's exit
 * waits for a creation under way (at most {@value #EXIT_WAIT_S} s), then ends its JVM: none is left behind.
 *
 * <p><b>Use.</b> Before a launch uses an archive, this JVM checks it once against its checksum
 * (again if its size or time changes): JDK 17 crashes (SIGBUS) on a truncated archive instead of
 * falling back. A missing, corrupt or mismatched archive costs speed, never the start: the child
 * runs without it ({@code -Xshare:auto}, the default), and the JVM's own CDS warnings are turned
 * off ({@code -Xlog:cds*=off}, and {@code aot*=off} on JDK 25+) so that nothing reaches the
 * child's standard error.
 *
 * <p><b>A class path with a directory</b> (Maven's {@code target/classes} under Surefire, an
 * IDE's output folder): the JVM archives classes of jars only, and maps an archive only for a class
 * path that starts with the archive's. Such a child gets a static archive of the JDK's classes and
 * the library's ({@code -Xshare:dump} from the JDK's default class list and {@link ChildClassList},
 * about a second, no training run), whose class path is the library's jar alone, and that jar goes
 * first in the child's class path; the rest of the class path follows unchanged, so only a class
 * of the library's own packages could resolve differently (from the library's jar rather than an
 * earlier entry). Where the library itself is a classes directory, a jar of it is made once in the
 * cache directory ({@link LibraryJar}, named by its files' sizes and times). The application's
 * classes load as before.
 *
 * <p><b>Not archived.</b> Options of the user that manage CDS themselves ({@code -Xshare},
 * {@code SharedArchiveFile}, {@code AOTCache} and the like) turn it off, as does a library loaded
 * from neither a jar nor a directory.
 */
public final class ClassDataSharing {

  private static final Logger LOG = Log.get(ClassDataSharing.class);

  /** The system property that sets the default of {@code Process.Builder.classDataSharing}. */
  public static final String PROPERTY = Tunable.CLASS_DATA_SHARING.key();
  /** The system property that overrides the cache directory. */
  public static final String CACHE_DIR_PROPERTY = Tunable.CACHE_DIR.key();

  private static final int FEATURE = Runtime.version().feature();
  /** JDK 25 has the one-step AOT cache (JEP 514); before, a dynamic AppCDS archive. */
  private static final boolean AOT = FEATURE >= 25;
  private static final String SUFFIX = AOT ? ".aot" : ".jsa";
  private static final String SUM_SUFFIX = ".sum";
  private static final int MAX_ARCHIVES = 32;
  private static final int MAX_LIBRARY_JARS = 8;
  private static final long CREATE_TIMEOUT_S = 120;
  /** How long this JVM's exit waits for the creations under way before it ends them. */
  private static final long EXIT_WAIT_S = 10;
  private static final long CRC_CHUNK = 64L << 20;

  /** The key and archive for a launch setting (JVM options and class path), computed once. */
  private static final Map<List<String>, Setting> SETTINGS = new ConcurrentHashMap<>();
  /** Archives checked against their checksum: path to "size/modified time" when checked. */
  private static final Map<Path, String> VERIFIED = new ConcurrentHashMap<>();
  /** Archives whose creation this JVM started (running, done or failed): created once per JVM. */
  private static final Set<Path> CREATING = ConcurrentHashMap.newKeySet();
  /**
   * The JVMs of creations running now: ended when this JVM exits if they have not finished by
   * then ({@link #stopCreations}), so that no JVM is left behind (their temporary files go with
   * the next creation's clean-up).
   */
  private static final Set<java.lang.Process> RUNNING = ConcurrentHashMap.newKeySet();
  private static boolean exiting; // guarded by RUNNING
  private static final AtomicBoolean EXIT_ACTION = new AtomicBoolean();
  /** The threads of the creations this JVM started. */
  private static final List<Thread> CREATORS = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static volatile Path directory;

  private ClassDataSharing() {}

  /** What is known about one launch setting. */
  private static final class Setting {
    /** The archive, or null if this setting cannot have one. */
    final Path archive;
    /**
     * For a class path with a directory, the library's jar, which goes first in the child's class
     * path and is the archive's whole class path (a static archive of the JDK's and the library's
     * classes); null for an archive of the whole class path.
     */
    final Path libraryJar;
    /** The classes directory {@link #libraryJar} is made of, or null if the library is a jar. */
    final Path libraryDir;

    Setting(Path archive, Path libraryJar, Path libraryDir) {
      this.archive = archive;
      this.libraryJar = libraryJar;
      this.libraryDir = libraryDir;
    }

    static Setting none() {
      return new Setting(null, null, null);
    }
  }

  /**
   * What one launch gets: the JVM options that map an archive, and the entry to put first in the
   * child's class path (the library's jar), if any. Immutable.
   */
  public static final class Use {
    static final Use NONE = new Use(List.of(), null);

    private final List<String> options;
    private final String firstEntry;

    Use(List<String> options, String firstEntry) {
      this.options = options;
      this.firstEntry = firstEntry;
    }

    /**
     * Returns the JVM options to put before the child's other JVM options.
     *
     * @return the options; empty if the child runs without an archive
     */
    public List<String> options() {
      return options;
    }

    /**
     * Returns the child's class path: {@code entries}, after the library's jar when the archive
     * holds the library's classes (the JVM maps an archive only for a class path that starts with
     * the archive's own).
     *
     * @param entries the class path entries the child would get without an archive
     * @return the entries the child gets
     */
    public List<String> classpath(List<String> entries) {
      if (firstEntry == null) {
        return entries;
      }
      List<String> withJar = new ArrayList<>(entries.size() + 1);
      withJar.add(firstEntry);
      withJar.addAll(entries);
      return withJar;
    }
  }

  /**
   * Returns the default of {@code Process.Builder.classDataSharing}: the system property
   * {@value #PROPERTY}, {@code false} if unset.
   *
   * @return whether children use an archive unless told otherwise
   * @throws IllegalArgumentException if the property is neither {@code true} nor {@code false}
   */
  public static boolean enabledByDefault() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      return false;
    }
    if (v.trim().equalsIgnoreCase("true")) {
      return true;
    }
    if (v.trim().equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("system property " + PROPERTY + " must be true or false, not '" + v + "'");
  }

  /**
   * Returns what makes a child use the archive for its setting (options, and the library's jar
   * first in its class path), or nothing if there is no usable archive yet; in that case has it
   * created in the background. Never throws: any problem costs the archive, not the launch.
   *
   * @param java the child's {@code java} executable
   * @param jvmOptions the child's other JVM options, in order (the library's and the user's)
   * @param classpath the child's class path entries
   * @param classpathArgs the arguments that give the child that class path
   * @param mainClass the child's main class
   * @return the options to add before {@code jvmOptions} and the class path change; no options and
   *     the class path unchanged if there is no usable archive
   */
  public static Use use(String java, List<String> jvmOptions, List<String> classpath,
      List<String> classpathArgs, String mainClass) {
    try {
      // Without -D options, which do not matter to the archive: a program that gives every child
      // its own property must not grow this map without bound.
      List<String> settingKey = new ArrayList<>(jvmOptions.size() + classpath.size() + 1);
      for (String o : jvmOptions) {
        if (!o.startsWith("-D")) {
          settingKey.add(o);
        }
      }
      settingKey.add("\0");
      settingKey.addAll(classpath);
      Setting setting = SETTINGS.computeIfAbsent(settingKey, k -> setting(jvmOptions, classpath));
      Path archive = setting.archive;
      if (archive == null) {
        return Use.NONE;
      }
      if (usable(archive) && (setting.libraryJar == null || Files.isRegularFile(setting.libraryJar))) {
        return new Use(useOptions(archive), setting.libraryJar == null ? null : setting.libraryJar.toString());
      }
      if (CREATING.add(archive)) {
        create(java, jvmOptions, classpathArgs, mainClass, setting);
      }
      return Use.NONE;
    } catch (RuntimeException e) {
      LOG.debug("class-data sharing skipped for this launch: {}", e.toString());
      return Use.NONE;
    }
  }

  /** The options that make a JVM map {@code archive} if it can, and say nothing if it cannot. */
  static List<String> useOptions(Path archive) {
    String quiet = AOT ? "-Xlog:cds*=off,aot*=off" : "-Xlog:cds*=off";
    return archive.getFileName().toString().endsWith(".aot") ? List.of("-XX:AOTCache=" + archive, quiet)
        : List.of("-XX:SharedArchiveFile=" + archive, quiet);
  }

  private static Setting setting(List<String> jvmOptions, List<String> classpath) {
    for (String o : jvmOptions) {
      String lower = o.toLowerCase(Locale.ROOT);
      if (lower.startsWith("-xshare") || lower.contains("sharedarchivefile") || lower.contains("aotcache")
          || lower.contains("aotmode") || lower.contains("aotconfiguration") || lower.contains("archiveclassesatexit")
          || lower.contains("autocreatesharedarchive") || lower.contains("sharedclasslistfile")) {
        LOG.debug("class-data sharing off for a child with its own CDS option {}", o);
        return Setting.none();
      }
    }
    StringBuilder k = new StringBuilder();
    for (String p : new String[] {"java.home", "java.vm.version", "java.vm.vendor", "java.vm.name", "os.arch"}) {
      k.append(p).append('=').append(System.getProperty(p)).append('\n');
    }
    for (String o : jvmOptions) {
      if (!o.startsWith("-D")) {
        k.append("opt=").append(o).append('\n');
      }
    }
    StringBuilder cp = new StringBuilder();
    for (String e : classpath) {
      Path p = Paths.get(e);
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (a.isDirectory()) {
          try (DirectoryStream<Path> d = Files.newDirectoryStream(p)) {
            if (d.iterator().hasNext()) {
              return librarySetting(k, e);
            }
          }
        }
        cp.append("cp=").append(e).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis());
      } catch (NoSuchFileException x) {
        cp.append("cp=").append(e).append(" -");
      } catch (IOException x) {
        LOG.debug("class-data sharing off for this class path: cannot read {}: {}", e, x.toString());
        return Setting.none();
      }
      cp.append('\n');
    }
    k.append("kind=").append(AOT ? "aot" : "dynamic").append('\n').append(cp);
    return new Setting(directory().resolve(name(AOT ? "aot-" : "cds-", k) + SUFFIX), null, null);
  }

  /**
   * The setting for a class path with a non-empty directory, which the JVM does not archive: a
   * static archive of the JDK's classes and the library's, with the library's jar as its class
   * path, put first in the child's.
   */
  private static Setting librarySetting(StringBuilder key, String directory) throws IOException {
    Path lib = LibraryJar.codeSource();
    if (lib == null) {
      LOG.debug("class-data sharing off for this class path: {} is a directory, the JVM archives only jars,"
          + " and the library's own classes are in neither a jar nor a directory", directory);
      return Setting.none();
    }
    Path jar;
    Path dir = null;
    if (Files.isDirectory(lib)) {
      dir = lib;
      jar = directory().resolve(LibraryJar.jarName(lib));
    } else {
      jar = lib;
      BasicFileAttributes a = Files.readAttributes(lib, BasicFileAttributes.class);
      key.append("jar=").append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append('\n');
    }
    key.append("kind=library\nlibrary=").append(jar).append('\n');
    return new Setting(directory().resolve(name("cdsl-", key) + ".jsa"), jar, dir);
  }

  private static String name(String prefix, CharSequence key) {
    return prefix + FEATURE + '-' + new Fingerprint().add(key).hex();
  }

  /** Whether the archive exists and matches its checksum; checked once per size and time. */
  private static boolean usable(Path archive) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(archive, BasicFileAttributes.class);
    } catch (IOException e) {
      return false;
    }
    String stamp = a.size() + "/" + a.lastModifiedTime().toMillis();
    if (stamp.equals(VERIFIED.get(archive))) {
      return true;
    }
    try {
      String expected = new String(Files.readAllBytes(sumFile(archive)), StandardCharsets.US_ASCII).trim();
      String actual = a.size() + " " + crc(archive);
      if (!expected.equals(actual)) {
        LOG.debug("class-data sharing archive {} does not match its checksum ({} against {}): recreating it",
            archive, actual, expected);
        return false;
      }
    } catch (IOException e) {
      LOG.debug("class-data sharing archive {} cannot be checked: {}", archive, e.toString());
      return false;
    }
    VERIFIED.put(archive, stamp);
    return true;
  }

  private static Path sumFile(Path archive) {
    return archive.resolveSibling(archive.getFileName() + SUM_SUFFIX);
  }

  /**
   * The CRC32C of a file, read through a mapping: 13 MB (an AOT cache) take 4–6 ms the first time
   * in a JVM, against 14 ms through a stream.
   */
  private static String crc(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      for (long pos = 0; pos < size; pos += CRC_CHUNK) {
        crc.update(channel.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(CRC_CHUNK, size - pos)));
      }
    }
    return Long.toHexString(crc.getValue());
  }

  /** Has the archive created by a one-off JVM, in a background thread. */
  private static void create(String java, List<String> jvmOptions, List<String> classpathArgs, String mainClass,
      Setting setting) {
    Path archive = setting.archive;
    if (EXIT_ACTION.compareAndSet(false, true)) {
      ExitActions.onExitClose(ClassDataSharing::stopCreations);
    }
    Thread t = new Thread(() -> {
      long t0 = System.nanoTime();
      try {
        if (setting.libraryJar != null) {
          createLibraryArchive(java, jvmOptions, setting.libraryJar, setting.libraryDir, archive);
        } else {
          createNow(java, jvmOptions, classpathArgs, mainClass, archive);
        }
        LOG.debug("class-data sharing archive {} created in {} ms", archive,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      } catch (IOException | RuntimeException e) {
        LOG.debug("class-data sharing archive {} not created: {}", archive, e.toString());
      } catch (InterruptedException e) {
        LOG.debug("class-data sharing archive {} not created: interrupted", archive);
      }
    }, "mp4j-cds-archive");
    t.setDaemon(true);
    CREATORS.add(t);
    t.start();
  }

  /**
   * Waits until the archive creations this JVM started have ended (for tests and benchmarks: a
   * program need not wait, its children use an archive once it is there).
   *
   * @param timeout how long to wait at most
   * @return whether they all ended
   * @throws InterruptedException if interrupted while waiting
   */
  public static boolean awaitCreations(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : CREATORS) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return !t.isAlive();
      }
      t.join(left);
    }
    return CREATORS.stream().noneMatch(Thread::isAlive);
  }

  static void createNow(String java, List<String> jvmOptions, List<String> classpathArgs, String mainClass,
      Path archive) throws IOException, InterruptedException {
    Path dir = archive.getParent();
    removeLeftovers(dir);
    String nonce = nonce();
    Path tmp = dir.resolve(archive.getFileName() + "." + nonce + ".tmp");
    try {
      // The dump: the child's command line as a spare, which warms up on the paths a child takes
      // (a lambda target, Java serialization, string concatenation), then gets a process that has
      // no target and takes a child's path from bootstrap to exit; the JVM dumps at its exit.
      List<String> dump = new ArrayList<>();
      dump.add(java);
      dump.add(AOT ? "-XX:AOTCacheOutput=" + tmp : "-XX:ArchiveClassesAtExit=" + tmp);
      dump.addAll(jvmOptions);
      dump.add("-Dmultiprocessing4j.spare=true");
      dump.addAll(classpathArgs);
      dump.add(mainClass);
      Path status = RuntimeDir.get().resolve("cds-training-" + nonce + ".status");
      try {
        run(dump, "dump", trainingFrame(status));
      } finally {
        Files.deleteIfExists(status);
      }
      publish(java, AOT ? List.of("-XX:AOTCache=" + tmp, "-XX:AOTMode=on")
          : List.of("-XX:SharedArchiveFile=" + tmp, "-Xshare:on"), jvmOptions, classpathArgs, tmp, archive, nonce);
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(dir.resolve(tmp.getFileName() + ".config")); // JDK 25's training file
    }
  }

  /**
   * Creates a static archive whose class path is the library's jar alone: the JDK's default class
   * list and the classes the library's children and pool workers load ({@link ChildClassList}),
   * dumped by {@code java -Xshare:dump} (about a second), with no training run. For the library as
   * a directory, its jar is made first ({@link LibraryJar}).
   */
  static void createLibraryArchive(String java, List<String> jvmOptions, Path jar, Path libraryDir, Path archive)
      throws IOException, InterruptedException {
    Path dir = archive.getParent();
    removeLeftovers(dir);
    String nonce = nonce();
    if (libraryDir != null) {
      LibraryJar.writeIfAbsent(libraryDir, jar, nonce);
    }
    Path tmp = dir.resolve(archive.getFileName() + "." + nonce + ".tmp");
    Path list = dir.resolve(archive.getFileName() + "." + nonce + ".classlist.tmp");
    try {
      ChildClassList.write(Paths.get(System.getProperty("java.home")), list);
      List<String> classpathArgs = List.of("-cp", jar.toString());
      List<String> dump = new ArrayList<>();
      dump.add(java);
      dump.add("-Xshare:dump");
      dump.add("-XX:SharedClassListFile=" + list);
      dump.add("-XX:SharedArchiveFile=" + tmp);
      dump.addAll(jvmOptions);
      dump.addAll(classpathArgs);
      run(dump, "dump", null);
      publish(java, List.of("-XX:SharedArchiveFile=" + tmp, "-Xshare:on"), jvmOptions, classpathArgs, tmp, archive,
          nonce);
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(list);
    }
  }

  private static String nonce() {
    return CurrentProcess.pid() + "-" + Long.toHexString(System.nanoTime());
  }

  /**
   * Checks a dumped archive with a JVM that must map it, or fail, then moves it and its checksum
   * into place, the checksum first: a reader that sees the new archive with the old sum only
   * recreates it.
   */
  private static void publish(String java, List<String> mapOptions, List<String> jvmOptions,
      List<String> classpathArgs, Path tmp, Path archive, String nonce) throws IOException, InterruptedException {
    if (!Files.isRegularFile(tmp)) {
      throw new IOException("the dumping JVM wrote no archive");
    }
    Path tmpSum = archive.resolveSibling(archive.getFileName() + SUM_SUFFIX + "." + nonce + ".tmp");
    try {
      List<String> check = new ArrayList<>();
      check.add(java);
      check.addAll(mapOptions);
      check.addAll(jvmOptions);
      check.addAll(classpathArgs);
      check.add("-version");
      run(check, "check", null);
      long size = Files.size(tmp);
      Files.write(tmpSum, (size + " " + crc(tmp) + "\n").getBytes(StandardCharsets.US_ASCII));
      move(tmpSum, sumFile(archive));
      move(tmp, archive);
    } finally {
      Files.deleteIfExists(tmpSum);
    }
  }

  /**
   * The bootstrap of the training process: no target (it runs nothing, as CPython's
   * {@code Process()}), non-daemonic, named {@code cds-training}.
   */
  private static byte[] trainingFrame(Path status) {
    Bootstrap b = new Bootstrap();
    b.name = "cds-training";
    b.identity = new int[] {0};
    b.daemon = false;
    b.authkey = new byte[32]; // opens no channel: nothing to authenticate
    b.parentPid = CurrentProcess.pid();
    b.parentName = "MainProcess";
    b.statusFile = status.toString();
    b.startMethod = "spawn";
    b.utf8Stdout = true;
    b.utf8Stderr = true;
    b.targetKind = Bootstrap.TARGET_NONE;
    b.encodedArgs = Bootstrap.encodeArgs(List.of(), Map.of());
    return b.toFrame();
  }

  /** Runs a JVM to its end, with {@code input} (if any) on its standard input, kept open until then. */
  private static void run(List<String> command, String what, byte[] input) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    java.lang.Process p;
    synchronized (RUNNING) { // against stopCreations: nothing starts once this JVM is exiting
      if (exiting) {
        throw new IOException("this JVM is exiting");
      }
      p = pb.start();
      RUNNING.add(p);
    }
    try {
      try (OutputStream stdin = p.getOutputStream()) {
        if (input != null) {
          try {
            stdin.write(input);
            stdin.flush();
          } catch (IOException e) {
            // it died first: its exit status tells
          }
        }
        if (!p.waitFor(CREATE_TIMEOUT_S, TimeUnit.SECONDS)) {
          throw new IOException("the " + what + " JVM did not end within " + CREATE_TIMEOUT_S + " s");
        }
      } catch (IOException e) {
        if (p.isAlive()) {
          throw e;
        }
      }
    } finally {
      if (p.isAlive()) { // timed out, interrupted, or its input failed
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      RUNNING.remove(p);
    }
    if (p.exitValue() != 0) {
      throw new IOException("the " + what + " JVM ended with exit status " + p.exitValue());
    }
  }


  /**
   * At this JVM's exit: lets the creations under way finish, for at most
   * {@value #EXIT_WAIT_S} s (a static archive takes about a second), so that a short program's
   * first run still leaves its archive for the next; then ends the JVMs of those still running,
   * so that none is left behind, and starts no other.
   */
  private static void stopCreations() {
    try {
      awaitCreations(java.time.Duration.ofSeconds(EXIT_WAIT_S));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<java.lang.Process> running;
    synchronized (RUNNING) {
      exiting = true;
      running = new ArrayList<>(RUNNING);
    }
    for (java.lang.Process p : running) {
      p.destroyForcibly();
    }
    for (java.lang.Process p : running) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Removes temporary files older than an hour (left by killed creators) and the oldest archives
   * beyond {@value #MAX_ARCHIVES}; best effort.
   */
  private static void removeLeftovers(Path dir) {
    long hourAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
    List<Path> archives = new ArrayList<>();
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (n.endsWith(".tmp") || n.endsWith(".tmp.config")) {
          if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < hourAgo) {
            Files.deleteIfExists(p);
          }
        } else if (n.endsWith(".jsa") || n.endsWith(".aot")) {
          archives.add(p);
        } else if (n.startsWith("lib-") && n.endsWith(".jar")) {
          jars.add(p);
        }
      }
      // Jars of the library's classes directory, one per build of it: a removed jar that an
      // archive still names costs that archive (the JVM refuses it), not a start.
      if (jars.size() > MAX_LIBRARY_JARS) {
        jars.sort(Comparator.comparing(ClassDataSharing::modified));
        for (Path p : jars.subList(0, jars.size() - MAX_LIBRARY_JARS)) {
          Files.deleteIfExists(p);
        }
      }
      if (archives.size() >= MAX_ARCHIVES) {
        archives.sort(Comparator.comparing(ClassDataSharing::modified));
        for (Path p : archives.subList(0, archives.size() - MAX_ARCHIVES + 1)) {
          Files.deleteIfExists(p);
          Files.deleteIfExists(sumFile(p));
        }
      }
    } catch (IOException e) {
      // best effort: leftovers cost disk space, not correctness
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /**
   * Returns the archive directory, creating it (mode {@code 0700} on POSIX file systems, checked to
   * belong to this user) on first use.
   *
   * @return the directory
   * @throws MultiprocessingException if it cannot be created safely
   */
  public static Path directory() {
    Path d = directory;
    if (d == null) {
      synchronized (ClassDataSharing.class) {
        d = directory;
        if (d == null) {
          d = createDirectory();
          directory = d;
        }
      }
    }
    return d;
  }

  /** Where the archives go; the levels named {@code multiprocessing4j} and below are the library's own. */
  private static Path createDirectory() {
    String override = System.getProperty(CACHE_DIR_PROPERTY);
    List<Path> ours = new ArrayList<>();
    Path base;
    if (override != null && !override.isBlank()) {
      base = Paths.get(override).toAbsolutePath();
      ours.add(base);
    } else {
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      Path home = Paths.get(System.getProperty("user.home"));
      Path cache;
      if (os.startsWith("windows")) {
        String local = System.getenv("LOCALAPPDATA");
        cache = local != null ? Paths.get(local) : home.resolve("AppData").resolve("Local");
        base = cache.resolve("multiprocessing4j").resolve("cache");
        ours.add(cache.resolve("multiprocessing4j"));
        ours.add(base);
      } else {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (os.contains("mac")) {
          cache = home.resolve("Library").resolve("Caches");
        } else {
          cache = xdg != null && xdg.startsWith(File.separator) ? Paths.get(xdg) : home.resolve(".cache");
        }
        base = cache.resolve("multiprocessing4j");
        ours.add(base);
      }
    }
    Path dir = base.resolve("cds");
    ours.add(dir);
    try {
      if (!Files.isDirectory(ours.get(0).getParent())) {
        Files.createDirectories(ours.get(0).getParent());
      }
      for (Path p : ours) {
        makePrivateDir(p);
      }
      return dir;
    } catch (IOException | UnsupportedOperationException e) {
      throw new MultiprocessingException("cannot create the class-data sharing cache directory " + dir + ": " + e
          + "; set -D" + CACHE_DIR_PROPERTY + " to a writable directory", e);
    }
  }

  private static void makePrivateDir(Path p) throws IOException {
    boolean posix = p.getFileSystem().supportedFileAttributeViews().contains("posix");
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
    try {
      if (posix) {
        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(ownerOnly));
      } else {
        Files.createDirectory(p);
      }
    } catch (FileAlreadyExistsException e) {
      // made by an earlier run or a concurrent one: checked below
    }
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(p + " exists and is not a directory");
    }
    if (posix) {
      if (p.getFileSystem().supportedFileAttributeViews().contains("unix")) { // by uid: a uid may have no name
        long owner = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        if (owner != RuntimeDir.uid()) {
          throw new IOException(p + " belongs to uid " + owner + ", not to this process's uid " + RuntimeDir.uid());
        }
      }
      if (!Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).equals(ownerOnly)) {
        Files.setPosixFilePermissions(p, ownerOnly);
      }
    }
  }
}
