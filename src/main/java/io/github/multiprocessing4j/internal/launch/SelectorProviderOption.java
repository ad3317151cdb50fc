package io.github.multiprocessing4j.internal.launch;

import java.io.File;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The option that tells a child which NIO selector provider to use: this JVM's, when it is the
 * JDK's own. Without it, a child's first socket (every pipe, queue and pool worker opens one) has
 * the JDK look for a provider with a {@code ServiceLoader} over every jar of the class path, which
 * opens each jar and reads its whole directory: 75 ms in a new JVM with the 20 jars of this
 * project's test class path, more with an application's. The answer is known in advance: the child
 * gets this JVM's class path, so it would find what this JVM found.
 *
 * <p>Only then is the option given: when this JVM's provider is one of the JDK's (defined by the
 * boot loader), no {@code java.nio.channels.spi.SelectorProvider} property is set here or for the
 * child, no module path is in use (a module can provide one), and every entry of the child's
 * class path is on this JVM's {@code java.class.path} or is the library's own location (an entry
 * that only a context class loader adds, under {@code mvn exec:java} or an IDE runner, could hold
 * a provider this JVM never looked at). Thread-safe.
 */
public final class SelectorProviderOption {

  /** The JDK's property that names the provider class. */
  static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

  /** The option, or "" if this JVM's provider is not the JDK's; computed on first use. */
  private static volatile String option;
  /** The entries of the last {@code java.class.path} seen, and that value. */
  private static volatile Entries systemEntries;

  private SelectorProviderOption() {}

  /**
   * Returns the option for a child, or null if the child must look for its provider itself.
   *
   * @param childClasspath the child's class path entries, as {@link Classpath#entries()} gives them
   * @param jvmOptions the child's own JVM options ({@code -D} ones included)
   * @param systemProperties the names of the system properties set for the child
   * @return {@code -Djava.nio.channels.spi.SelectorProvider=<class>}, or null
   */
  public static String forChild(List<String> childClasspath, Collection<String> jvmOptions,
      Set<String> systemProperties) {
    if (System.getProperty(PROPERTY) != null || systemProperties.contains(PROPERTY)) {
      return null; // set here (and inherited), or set for the child: the user's choice stands
    }
    String prefix = "-D" + PROPERTY + "=";
    for (String o : jvmOptions) {
      if (o.startsWith(prefix) || o.equals("-D" + PROPERTY)) {
        return null;
      }
    }
    String modules = System.getProperty("jdk.module.path");
    if (modules != null && !modules.isEmpty()) {
      return null;
    }
    if (!onSystemClasspath(childClasspath)) {
      return null;
    }
    String o = option;
    if (o == null) {
      // This JVM's own lookup: already done by the time its first pipe or queue exists, and about
      // 2 ms otherwise, since this JVM has opened its jars for its logging.
      Class<?> c = SelectorProvider.provider().getClass();
      o = c.getClassLoader() == null ? prefix + c.getName() : "";
      option = o;
    }
    return o.isEmpty() ? null : o;
  }

  private static boolean onSystemClasspath(List<String> childClasspath) {
    String path = System.getProperty("java.class.path", "");
    Entries e = systemEntries;
    if (e == null || !e.path.equals(path)) {
      e = new Entries(path);
      systemEntries = e;
    }
    for (String entry : childClasspath) {
      if (!e.entries.contains(entry) && !entry.equals(e.library)) {
        return false;
      }
    }
    return true;
  }

  /** A {@code java.class.path}, its entries normalised as {@link Classpath} does, and the library's. */
  private static final class Entries {
    final String path;
    final Set<String> entries = new HashSet<>();
    final String library;

    Entries(String path) {
      this.path = path;
      for (String s : path.split(File.pathSeparator)) {
        if (!s.isEmpty()) {
          entries.add(Paths.get(s).toAbsolutePath().normalize().toString());
        }
      }
      String lib = null;
      CodeSource ours = SelectorProviderOption.class.getProtectionDomain().getCodeSource();
      if (ours != null && ours.getLocation() != null) {
        try {
          lib = Paths.get(ours.getLocation().toURI()).toAbsolutePath().normalize().toString();
        } catch (java.net.URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException ex) {
          lib = null;
        }
      }
      this.library = lib;
    }
  }
}
