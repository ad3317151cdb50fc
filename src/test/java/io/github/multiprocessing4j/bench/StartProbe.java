package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.internal.launch.Classpath;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A diagnostic companion of {@link StartBench}: starts ONE child (after a few warm-ups), the
 * library's or the raw floor's, with extra JVM options (e.g. {@code -Xlog:class+load:file=x.log:tn})
 * and prints the parent's {@link System#nanoTime()} marks, so a child log decorated with
 * {@code timenanos} can be laid on the same time line (both are CLOCK_MONOTONIC on Linux; this is
 * a Linux-only diagnostic, not a benchmark).
 *
 * <p>Usage: {@code StartProbe lib|raw [JVM option]...}; {@code lib:N} or {@code raw:N} repeats
 * the probed start N times, and {@code %r} in an option becomes the run number.
 */
public final class StartProbe {

  private StartProbe() {}

  public static void main(String[] argv) throws Exception {
    String which = argv[0].split(":")[0];
    int runs = argv[0].contains(":") ? Integer.parseInt(argv[0].split(":")[1]) : 1;
    List<String> opts = Arrays.asList(argv).subList(1, argv.length);
    for (int i = 0; i < 3; i++) {
      once(which, List.of());
    }
    for (int r = 0; r < runs; r++) {
      List<String> o = new ArrayList<>();
      for (String opt : opts) {
        o.add(opt.replace("%r", Integer.toString(r)));
      }
      once(which, o);
    }
  }

  private static void once(String which, List<String> opts) throws Exception {
    long t0 = System.nanoTime();
    long t1;
    if (which.equals("lib")) {
      Process p = Process.builder().target(NoopTarget.class).jvmOptions(opts.toArray(new String[0])).build();
      p.start();
      t1 = System.nanoTime();
      if (!p.join(Duration.ofSeconds(60)) || p.exitCode() != 0) {
        throw new IllegalStateException(p.toString());
      }
    } else {
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(opts);
      cmd.addAll(Classpath.commandLineArgs(Classpath.entries()));
      cmd.add(NoopMain.class.getName());
      java.lang.Process p = new ProcessBuilder(cmd).start();
      t1 = System.nanoTime();
      p.getInputStream().readAllBytes();
      p.getErrorStream().readAllBytes();
      p.waitFor();
      p.getOutputStream().close();
    }
    long t2 = System.nanoTime();
    if (!opts.isEmpty()) {
      System.out.println("parent_t0_ns=" + t0 + " start_returned_ms=" + (t1 - t0) / 1e6 + " joined_ms=" + (t2 - t0) / 1e6);
    }
  }
}
