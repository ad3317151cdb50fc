package io.github.multiprocessing4j.internal.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The child JVM flags of {@code Process.Builder.shortLived(true)}, each kept because it was
 * measured to make a short child start and end faster (BENCHMARKS.md, "Cold start options"):
 * <ul>
 *   <li>{@code -XX:TieredStopAtLevel=1}: only the C1 compiler. Start to join of a no-op child
 *       0.90× on JDK 17, 0.80× on JDK 25 (no C2 compiler threads to start and stop); it makes code
 *       that runs long enough for C2 slower (on JDK 17, a 0.9 s allocation-heavy target 1.19×).</li>
 *   <li>{@code -XX:+UseSerialGC}, on JDK 25 and later only, and only if the options select no
 *       collector: with C1, start to join 0.93× of C1 alone on JDK 25, and the 0.9 s target 0.72×
 *       of no option. On JDK 17 it made start-up slower (1.16×: there the default CDS archive's
 *       heap objects are mapped only with G1), and JDK 18–24 were not measured, so they do not
 *       get it.</li>
 * </ul>
 * It used to add {@code -XX:-UsePerfData} as well, which every child now gets
 * ({@link DefaultJvmFlags}).
 */
public final class ShortLivedFlags {

  private ShortLivedFlags() {}

  /**
   * Returns the flags for a child whose own options are {@code userOptions}; they go before the
   * user's options, so an option of the user's (e.g. another {@code TieredStopAtLevel}) wins.
   *
   * @param userOptions the child's JVM options given by the user
   * @return the flags, in order
   */
  public static List<String> flags(List<String> userOptions) {
    return flags(userOptions, Runtime.version().feature());
  }

  static List<String> flags(List<String> userOptions, int feature) {
    List<String> flags = new ArrayList<>(2);
    flags.add("-XX:TieredStopAtLevel=1");
    if (feature >= 25 && !selectsCollector(userOptions)) {
      flags.add("-XX:+UseSerialGC");
    }
    return flags;
  }

  /** Two collectors on one command line stop the JVM ("Conflicting collector combinations"). */
  private static boolean selectsCollector(List<String> options) {
    for (String o : options) {
      String lower = o.toLowerCase(Locale.ROOT);
      if (lower.startsWith("-xx:+use") && lower.endsWith("gc")) {
        return true;
      }
    }
    return false;
  }
}
