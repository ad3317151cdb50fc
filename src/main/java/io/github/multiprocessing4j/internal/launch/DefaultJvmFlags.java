package io.github.multiprocessing4j.internal.launch;

import java.util.List;

/**
 * The JVM flags every child gets unless its own options, or the options it inherits from this
 * JVM's command line, say otherwise: they go first on its command line, so either wins.
 * <ul>
 *   <li>{@code -XX:-UsePerfData}: no hsperfdata file to create at start and to unlink at exit. A
 *       warm ({@code forkserver}) start→join is mostly the JVM's exit, and it takes that from 11.4 to
 *       9.9 ms (0.87×, JDK 17, 4 alternating rounds of {@code StartBench}); a cold start→join and an
 *       allocation-heavy target of 2 s are within the noise on JDK 17 and 25 (BENCHMARKS.md, "Row 5:
 *       no hsperfdata file by default"). The child is then not listed by {@code jps},
 *       {@code jcmd} without a pid or {@code jstat}; {@code jcmd <pid>}, JMX and Flight Recorder
 *       still work. {@code -XX:+UsePerfData} in the child's options, or on this JVM's command line
 *       (children inherit it), lists them again.</li>
 * </ul>
 */
public final class DefaultJvmFlags {

  /** The flag that turns the hsperfdata file off. */
  static final String NO_PERF_DATA = "-XX:-UsePerfData";

  private DefaultJvmFlags() {}

  /**
   * Returns the flags, to put on a child's command line before any other JVM option.
   *
   * @return an unmodifiable list
   */
  public static List<String> flags() {
    return List.of(NO_PERF_DATA);
  }
}
