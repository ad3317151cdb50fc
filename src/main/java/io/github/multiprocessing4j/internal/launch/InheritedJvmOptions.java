package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.runtime.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The JVM options a child inherits from this JVM's command line, as CPython's children inherit
 * its interpreter flags ({@code subprocess._args_from_interpreter_flags}). What is inherited, and
 * only that (an allow list: an option not named here is never copied):
 * <ul>
 *   <li>memory: {@code -Xmx}, {@code -Xms}, {@code -Xmn}, {@code -Xss} and the {@code -XX} flags of
 *       {@link #MEMORY_FLAGS} (heap sizes and RAM percentages, metaspace, direct memory, code cache,
 *       thread stacks, the garbage collector and the unlocks some collectors need);</li>
 *   <li>{@code -XX:+UsePerfData} and {@code -XX:-UsePerfData}, so that a program run with the
 *       hsperfdata file has its children listed by {@code jps} too (children have none by
 *       default: {@link DefaultJvmFlags});</li>
 *   <li>{@code -D} system properties, except the library's own {@code multiprocessing4j.*} (each
 *       {@code Tunable} says whether children get it), JMX's {@code com.sun.management.*} (a remote
 *       port the child could not bind), and the launcher's {@code java.class.path}, {@code jdk.module.*},
 *       {@code sun.java.*} and {@code user.dir};</li>
 *   <li>assertions: {@code -ea}, {@code -da}, {@code -esa}, {@code -dsa} and their long forms;</li>
 *   <li>module and platform access: {@code --add-opens}, {@code --add-exports}, {@code --add-reads},
 *       {@code --add-modules}, {@code --enable-preview}, {@code --enable-native-access},
 *       {@code --illegal-native-access}.</li>
 * </ul>
 * Never: agents ({@code -javaagent}, {@code -agentlib}, {@code -agentpath}, JDWP, {@code -Xrunjdwp},
 * {@code -Xdebug}), Flight Recorder, {@code -Xlog} and every other option that names a file the
 * child would write over (GC logs, heap dumps, error files, class-data-sharing archives, which the
 * library manages itself), the class path and the main class.
 *
 * <p>Where: on Linux, {@code /proc/self/cmdline} when this JVM was started by the {@code java}
 * launcher (about 1 ms, against 30 to 50 ms for the first call of {@code RuntimeMXBean}, which
 * loads the management classes); elsewhere, or when the command line holds an {@code @argfile},
 * {@code RuntimeMXBean.getInputArguments()}. Options of {@code JDK_JAVA_OPTIONS} and
 * {@code JAVA_TOOL_OPTIONS} are not on the first and are on the second; either way a child reads
 * those variables again from the environment it inherits. Computed once per JVM. Thread-safe.
 */
public final class InheritedJvmOptions {

  private static final Logger LOG = Log.get(InheritedJvmOptions.class);

  /** The {@code -XX} flags inherited, by name: memory sizing and the collector. */
  static final Set<String> MEMORY_FLAGS = Set.of("MaxHeapSize", "InitialHeapSize", "MinHeapSize", "MaxRAM",
      "MaxRAMPercentage", "InitialRAMPercentage", "MinRAMPercentage", "MaxRAMFraction", "InitialRAMFraction",
      "MinRAMFraction", "NewSize", "MaxNewSize", "NewRatio", "MetaspaceSize", "MaxMetaspaceSize",
      "CompressedClassSpaceSize", "MaxDirectMemorySize", "ReservedCodeCacheSize", "ThreadStackSize",
      "UseSerialGC", "UseParallelGC", "UseG1GC", "UseZGC", "ZGenerational", "UseShenandoahGC", "UseEpsilonGC",
      "UnlockExperimentalVMOptions", "UnlockDiagnosticVMOptions");

  /** Launcher options whose value may be the next argument. */
  private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
      "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens",
      "--patch-module", "--enable-native-access", "--illegal-native-access", "--source");

  private static volatile List<String> parent;

  private InheritedJvmOptions() {}

  /**
   * Returns the options of this JVM's command line that children inherit, in their order there.
   *
   * @return an unmodifiable list; empty if they cannot be read (logged at debug level)
   */
  public static List<String> ofThisJvm() {
    List<String> p = parent;
    if (p == null) {
      p = List.copyOf(select(inputArguments()));
      parent = p;
      LOG.debug("children inherit these JVM options: {}", p);
    }
    return p;
  }

  /**
   * Returns the inherited options a child keeps beside its own: those its own options do not
   * replace. An own option replaces an inherited one of the same key: the same {@code -D}
   * property, the same {@code -XX} flag, the maximum heap ({@code -Xmx}, {@code MaxHeapSize},
   * {@code MaxRAMPercentage}, {@code MaxRAMFraction}), the initial or minimum heap the same way,
   * the thread stack ({@code -Xss}, {@code ThreadStackSize}), the collector.
   *
   * @param inherited the inherited options
   * @param own the child's own JVM options
   * @param ownProperties the names of the child's own system properties
   * @return the inherited options to put on the command line, before the child's own
   */
  public static List<String> keptBeside(List<String> inherited, List<String> own, Set<String> ownProperties) {
    if (inherited.isEmpty()) {
      return inherited;
    }
    Set<String> replaced = new HashSet<>();
    for (String o : own) {
      String k = key(o);
      if (k != null) {
        replaced.add(k);
      }
    }
    for (String name : ownProperties) {
      replaced.add("-D" + name);
    }
    List<String> kept = new ArrayList<>(inherited.size());
    for (String o : inherited) {
      String k = key(o);
      if (k == null || !replaced.contains(k)) {
        kept.add(o);
      }
    }
    return kept;
  }

  /** The key under which an option replaces another, or null for an option that adds to others. */
  static String key(String option) {
    if (option.startsWith("-D")) {
      int eq = option.indexOf('=');
      return eq < 0 ? option : option.substring(0, eq);
    }
    if (option.startsWith("-Xmx")) {
      return "max-heap";
    }
    if (option.startsWith("-Xms")) {
      return "initial-heap";
    }
    if (option.startsWith("-Xss")) {
      return "stack";
    }
    if (option.startsWith("-Xmn")) {
      return "-Xmn";
    }
    if (!option.startsWith("-XX:")) {
      return null;
    }
    String name = flagName(option);
    switch (name) {
      case "MaxHeapSize": case "MaxRAMPercentage": case "MaxRAMFraction":
        return "max-heap";
      case "InitialHeapSize": case "InitialRAMPercentage": case "InitialRAMFraction":
        return "initial-heap";
      case "MinHeapSize": case "MinRAMPercentage": case "MinRAMFraction":
        return "min-heap";
      case "ThreadStackSize":
        return "stack";
      default:
        // Two collectors on one command line stop the JVM: the child's own choice replaces ours.
        return name.startsWith("Use") && name.endsWith("GC") ? "collector" : "-XX:" + name;
    }
  }

  /** {@code -XX:+Name}, {@code -XX:-Name}, {@code -XX:Name=value}: Name. */
  private static String flagName(String option) {
    String s = option.substring(4);
    if (s.startsWith("+") || s.startsWith("-")) {
      s = s.substring(1);
    }
    int eq = s.indexOf('=');
    return eq < 0 ? s : s.substring(0, eq);
  }

  /** The options of {@code args} that children inherit. */
  static List<String> select(List<String> args) {
    List<String> kept = new ArrayList<>();
    for (String a : args) {
      if (inherited(a)) {
        kept.add(a);
      }
    }
    return kept;
  }

  static boolean inherited(String a) {
    if (a.startsWith("-D")) {
      String name = key(a).substring(2);
      return !name.isEmpty() && !name.startsWith("multiprocessing4j.") && !name.startsWith("com.sun.management.")
          && !name.startsWith("jdk.module.") && !name.startsWith("sun.java.") && !name.equals("java.class.path")
          && !name.equals("user.dir");
    }
    if (a.startsWith("-XX:")) {
      String name = flagName(a);
      return MEMORY_FLAGS.contains(name) || name.equals("UsePerfData");
    }
    if (a.matches("-X(mx|ms|mn|ss)[0-9].*")) {
      return true;
    }
    if (a.matches("-(ea|da|esa|dsa|enableassertions|disableassertions)(:.*)?")
        || a.equals("-enablesystemassertions") || a.equals("-disablesystemassertions")) {
      return true;
    }
    return a.equals("--enable-preview") || a.startsWith("--add-opens=") || a.startsWith("--add-exports=")
        || a.startsWith("--add-reads=") || a.startsWith("--add-modules=") || a.startsWith("--enable-native-access=")
        || a.startsWith("--illegal-native-access=");
  }

  /** This JVM's options, as {@code RuntimeMXBean.getInputArguments()} lists them. */
  private static List<String> inputArguments() {
    try {
      List<String> fromProc = fromProcCmdline();
      if (fromProc != null) {
        return fromProc;
      }
      return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("cannot read this JVM's options; children inherit none: {}", e.toString());
      return List.of();
    }
  }

  private static List<String> fromProcCmdline() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return null;
    }
    byte[] raw;
    try {
      raw = Files.readAllBytes(Paths.get("/proc/self/cmdline"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    List<String> argv = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        argv.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    return launcherOptions(argv);
  }

  /**
   * The JVM options of a {@code java} launcher's argv, with a separate value joined to its option
   * by {@code '='} as {@code RuntimeMXBean} shows it; null if argv is not the launcher's (a JVM
   * embedded in another program) or holds an {@code @argfile}, which only the JVM has expanded.
   */
  static List<String> launcherOptions(List<String> argv) {
    if (argv.isEmpty()) {
      return null;
    }
    String exe = Paths.get(argv.get(0)).getFileName() == null ? "" : Paths.get(argv.get(0)).getFileName().toString();
    if (!exe.equals("java") && !exe.equals("java.exe")) {
      return null;
    }
    List<String> options = new ArrayList<>();
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.startsWith("@")) {
        return null;
      }
      String lower = a.toLowerCase(Locale.ROOT);
      if (!a.startsWith("-") || lower.equals("-jar") || lower.equals("-m") || lower.equals("--module")
          || lower.startsWith("--module=")) {
        break; // the main class, jar, module or source file: what follows is the program's
      }
      if (WITH_VALUE.contains(a) && i + 1 < argv.size()) {
        options.add(a + "=" + argv.get(++i));
      } else {
        options.add(a);
      }
    }
    return options;
  }
}
