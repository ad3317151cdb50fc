package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.runtime.RuntimeDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class path a child JVM gets: the one the <em>caller</em> sees, which is more than
 * {@code java.class.path}. Under {@code mvn exec:java} and in some IDE runners the application's
 * classes are only on the context class loader, so its URLs are added; entries of the module path
 * are added too, and the library's own location, so the child can always load its main class.
 */
public final class Classpath {

  /**
   * Above this length the class path goes into an {@code @argfile}: Windows limits a whole command
   * line to 32K characters, Linux a single argument to 128 KiB.
   */
  static final int ARGFILE_THRESHOLD = 8_000;

  private static final Map<String, Path> ARGFILES = new ConcurrentHashMap<>();
  /**
   * Class path entries and file URLs as absolute, normalized paths. Every start computes the class
   * path afresh (a context class loader may have changed), and normalizing each entry again cost a
   * start a millisecond or two; the working directory, against which a relative entry resolves,
   * cannot change in a running JVM.
   */
  private static final Map<String, String> NORMALIZED = new ConcurrentHashMap<>();

  private Classpath() {}

  /**
   * Computes the class path entries of a child started from the current thread.
   *
   * @return the entries, without duplicates, in search order
   */
  public static List<String> entries() {
    Set<String> entries = new LinkedHashSet<>();
    addPath(entries, System.getProperty("java.class.path"));
    addPath(entries, System.getProperty("jdk.module.path"));
    List<ClassLoader> chain = new ArrayList<>();
    for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
      chain.add(cl);
    }
    // Parents first: that is the order in which the loaders search.
    for (int i = chain.size() - 1; i >= 0; i--) {
      if (chain.get(i) instanceof URLClassLoader) {
        for (URL url : ((URLClassLoader) chain.get(i)).getURLs()) {
          addUrl(entries, url);
        }
      }
    }
    CodeSource ours = Classpath.class.getProtectionDomain().getCodeSource();
    if (ours != null && ours.getLocation() != null) {
      addUrl(entries, ours.getLocation());
    }
    return new ArrayList<>(entries);
  }

  private static void addPath(Set<String> entries, String path) {
    if (path == null || path.isEmpty()) {
      return;
    }
    for (String e : path.split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        entries.add(NORMALIZED.computeIfAbsent(e, k -> Paths.get(k).toAbsolutePath().normalize().toString()));
      }
    }
  }

  private static void addUrl(Set<String> entries, URL url) {
    if (!"file".equals(url.getProtocol())) {
      return;
    }
    String key = url.toExternalForm();
    String entry = NORMALIZED.get(key);
    if (entry == null) {
      try {
        entry = Paths.get(url.toURI()).toAbsolutePath().normalize().toString();
      } catch (URISyntaxException | IllegalArgumentException e) {
        return; // not a plain file URL: the child could not use it either
      }
      NORMALIZED.put(key, entry);
    }
    entries.add(entry);
  }

  /**
   * Returns the command-line arguments that give a child this class path: {@code -cp <path>}, or
   * one {@code @argfile} in the private {@link RuntimeDir} when the path is long. One argument file
   * is written per distinct class path and reused.
   *
   * @param entries the class path entries
   * @return the arguments to put before the main class
   * @throws IOException if the argument file cannot be written
   */
  public static List<String> commandLineArgs(List<String> entries) throws IOException {
    String joined = String.join(File.pathSeparator, entries);
    if (joined.length() < ARGFILE_THRESHOLD) {
      return List.of("-cp", joined);
    }
    Path argfile = ARGFILES.get(joined);
    if (argfile == null || !Files.exists(argfile)) {
      argfile = RuntimeDir.get().resolve("classpath-" + Integer.toHexString(joined.hashCode()) + "-"
          + ARGFILES.size() + ".args");
      Files.write(argfile, ("-cp \"" + escape(joined) + "\"\n").getBytes(StandardCharsets.UTF_8));
      ARGFILES.put(joined, argfile);
    }
    return List.of("@" + argfile);
  }

  /** The java launcher's @argfile syntax treats backslash as an escape inside quotes. */
  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
