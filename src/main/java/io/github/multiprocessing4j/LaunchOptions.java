package io.github.multiprocessing4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a child JVM is launched: JVM options, system properties, environment, working directory,
 * where its output goes, class-data sharing, the flags for short-lived children, the terminate
 * grace period, whether signals reach its descendants, and the start method. One value, so that a
 * process, a pool's workers and an executor's workers can share the same settings:
 *
 * <pre>{@code
 * LaunchOptions opts = LaunchOptions.builder().jvmOptions("-Xmx256m").systemProperty("app.mode", "batch").build();
 * Process p = Process.builder().target(MyTarget.class).launchOptions(opts).build();
 * Pool pool = Pool.builder().processes(4).launchOptions(opts).build();
 * ProcessPoolExecutor ex = ProcessPoolExecutor.builder().launchOptions(opts).build();
 * }</pre>
 *
 * <p>The setters of {@link Process.Builder} ({@code jvmOptions}, {@code systemProperty}, ...) set
 * the same options one by one; {@link Process.Builder#launchOptions(LaunchOptions)} sets them all.
 * The defaults are those of a {@code Process.Builder}: no JVM options, system properties or extra
 * environment variables beyond the JVM settings inherited from this JVM
 * ({@link Builder#inheritJvmSettings(boolean)}), the parent's working directory, output and error pumped into the
 * parent's {@code System.out} and {@code System.err}, and the system-wide defaults (read at
 * {@link Process#start()}) for the start method, class-data sharing and the terminate grace period.
 *
 * <p>Instances are immutable and thread-safe. Two are equal when every option is; outputs compare
 * as {@link ChildOutput} objects (by identity, except the shared {@code pump()}, {@code inherit()}
 * and {@code discard()}).
 */
public final class LaunchOptions {

  private static final LaunchOptions DEFAULTS = new Builder().build();

  final List<String> jvmOptions;
  final Map<String, String> systemProperties;
  final Map<String, String> environment;
  final Path workingDirectory;
  final ChildOutput stdout;
  final ChildOutput stderr;
  final boolean killDescendants;
  /** The grace period, or null for the default of the system property at {@code start()}. */
  final Duration terminateGrace;
  /** The start method, or null for the process-wide default at {@code start()}. */
  final StartMethod startMethod;
  /** Class-data sharing, or null for the default of the system property at {@code start()}. */
  final Boolean classDataSharing;
  /** Whether the child gets the flags for short-lived targets. */
  final boolean shortLived;
  /** Whether the child inherits this JVM's options, or null for the system property's default. */
  final Boolean inheritJvmSettings;

  private LaunchOptions(Builder b) {
    this.jvmOptions = List.copyOf(b.jvmOptions);
    // Unmodifiable copies that keep the order of the command line, which Map.copyOf would not.
    this.systemProperties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.systemProperties));
    this.environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
    this.workingDirectory = b.workingDirectory;
    this.stdout = b.stdout;
    this.stderr = b.stderr;
    this.killDescendants = b.killDescendants;
    this.terminateGrace = b.terminateGrace;
    this.startMethod = b.startMethod;
    this.classDataSharing = b.classDataSharing;
    this.shortLived = b.shortLived;
    this.inheritJvmSettings = b.inheritJvmSettings;
  }

  /**
   * Returns the default options: those of a new {@link #builder()}.
   *
   * @return the defaults
   */
  public static LaunchOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder with the default options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder that starts from these options, to derive others from them.
   *
   * @return a new builder with these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jvmOptions.addAll(jvmOptions);
    b.systemProperties.putAll(systemProperties);
    b.environment.putAll(environment);
    b.workingDirectory = workingDirectory;
    b.stdout = stdout;
    b.stderr = stderr;
    b.killDescendants = killDescendants;
    b.terminateGrace = terminateGrace;
    b.startMethod = startMethod;
    b.classDataSharing = classDataSharing;
    b.shortLived = shortLived;
    b.inheritJvmSettings = inheritJvmSettings;
    return b;
  }

  /**
   * Returns the options of the child JVM, in the order given.
   *
   * @return an unmodifiable list
   */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /**
   * Returns the system properties of the child JVM.
   *
   * @return an unmodifiable map, in the order set
   */
  public Map<String, String> systemProperties() {
    return systemProperties;
  }

  /**
   * Returns the environment variables set on top of the parent's environment.
   *
   * @return an unmodifiable map, in the order set
   */
  public Map<String, String> environment() {
    return environment;
  }

  /**
   * Returns the child's working directory, or empty for the parent's.
   *
   * @return the absolute directory, if set
   */
  public Optional<Path> workingDirectory() {
    return Optional.ofNullable(workingDirectory);
  }

  /**
   * Returns where the child's standard output goes.
   *
   * @return the redirect; default {@link ChildOutput#pump()}
   */
  public ChildOutput stdout() {
    return stdout;
  }

  /**
   * Returns where the child's standard error goes.
   *
   * @return the redirect; default {@link ChildOutput#pump()}
   */
  public ChildOutput stderr() {
    return stderr;
  }

  /**
   * Tells whether {@code terminate()} and {@code kill()} signal the child's descendants too.
   *
   * @return the flag; default {@code false}
   */
  public boolean killDescendants() {
    return killDescendants;
  }

  /**
   * Returns the terminate grace period, or empty for the default read at {@link Process#start()}.
   *
   * @return the grace period, if set
   */
  public Optional<Duration> terminateGrace() {
    return Optional.ofNullable(terminateGrace);
  }

  /**
   * Returns the start method, {@code "spawn"} or {@code "forkserver"}, or empty for the
   * process-wide one at {@link Process#start()} (or a context's, for a process of a context).
   *
   * @return the start method, if set
   */
  public Optional<String> startMethod() {
    return startMethod == null ? Optional.empty() : Optional.of(startMethod.cpythonName);
  }

  /**
   * Tells whether the child uses a class-data sharing archive, or empty for the default of the
   * system property {@code multiprocessing4j.classDataSharing} at {@link Process#start()}.
   *
   * @return the flag, if set
   */
  public Optional<Boolean> classDataSharing() {
    return Optional.ofNullable(classDataSharing);
  }

  /**
   * Tells whether the child gets the flags for short-lived targets.
   *
   * @return the flag; default {@code false}
   */
  public boolean shortLived() {
    return shortLived;
  }

  /**
   * Tells whether the child inherits this JVM's settings (see
   * {@link Builder#inheritJvmSettings(boolean)}), or empty for the default of the system property
   * {@code multiprocessing4j.inheritJvmSettings} at {@link Process#start()}.
   *
   * @return the flag, if set
   */
  public Optional<Boolean> inheritJvmSettings() {
    return Optional.ofNullable(inheritJvmSettings);
  }

  /**
   * Compares every option.
   *
   * @param o the other object
   * @return whether {@code o} is a {@code LaunchOptions} with the same options
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LaunchOptions)) {
      return false;
    }
    LaunchOptions other = (LaunchOptions) o;
    return jvmOptions.equals(other.jvmOptions) && systemProperties.equals(other.systemProperties)
        && environment.equals(other.environment) && Objects.equals(workingDirectory, other.workingDirectory)
        && stdout.equals(other.stdout) && stderr.equals(other.stderr) && killDescendants == other.killDescendants
        && Objects.equals(terminateGrace, other.terminateGrace) && startMethod == other.startMethod
        && Objects.equals(classDataSharing, other.classDataSharing) && shortLived == other.shortLived
        && Objects.equals(inheritJvmSettings, other.inheritJvmSettings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jvmOptions, systemProperties, environment, workingDirectory, stdout, stderr,
        killDescendants, terminateGrace, startMethod, classDataSharing, shortLived, inheritJvmSettings);
  }

  /**
   * Describes the options; environment variables by name only, as their values may be secrets.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "LaunchOptions[jvmOptions=" + jvmOptions + ", systemProperties=" + systemProperties
        + ", environment=" + environment.keySet() + ", workingDirectory=" + workingDirectory
        + ", stdout=" + stdout + ", stderr=" + stderr + ", killDescendants=" + killDescendants
        + ", terminateGrace=" + terminateGrace + ", startMethod=" + startMethod
        + ", classDataSharing=" + classDataSharing + ", shortLived=" + shortLived
        + ", inheritJvmSettings=" + inheritJvmSettings + "]";
  }

  /**
   * Builds {@link LaunchOptions}. Every setter validates its argument at once, with the messages
   * of the same setter of {@link Process.Builder}; none is required. Not thread-safe; a builder
   * may be reused, each {@link #build()} snapshots it.
   */
  public static final class Builder {

    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path workingDirectory;
    private ChildOutput stdout = ChildOutput.pump();
    private ChildOutput stderr = ChildOutput.pump();
    private boolean killDescendants;
    private Duration terminateGrace;
    /** Read by {@link Process.Builder} for a context's naming. */
    StartMethod startMethod;
    private Boolean classDataSharing;
    private boolean shortLived;
    private Boolean inheritJvmSettings;

    private Builder() {}

    /**
     * Adds options for the child JVM, e.g. {@code "-Xmx256m"}. They go after the options the child
     * inherits from this JVM (see {@link #inheritJvmSettings(boolean)}) and replace an inherited
     * one of the same key: {@code -Xmx256m} replaces an inherited {@code -Xmx128m}. They also win
     * over the library's default {@code -XX:-UsePerfData} (a child has no hsperfdata file, so
     * {@code jps} does not list it unless given {@code -XX:+UsePerfData}). Options that
     * set the class path or the main class are refused: the child always gets the caller's class
     * path and the library's main class.
     *
     * @param options the options
     * @return this builder
     * @throws NullPointerException if an option is {@code null}
     * @throws IllegalArgumentException if an option is blank or conflicts with the launch
     */
    public Builder jvmOptions(String... options) {
      Objects.requireNonNull(options, "options");
      for (String o : options) {
        Objects.requireNonNull(o, "JVM option must not be null");
        String lower = o.trim().toLowerCase(Locale.ROOT);
        if (lower.isEmpty()) {
          throw new IllegalArgumentException("JVM option must not be blank");
        }
        if (lower.equals("-cp") || lower.equals("-classpath") || lower.startsWith("--class-path")
            || lower.equals("-jar") || lower.equals("-m") || lower.startsWith("--module=")
            || lower.equals("--module") || !lower.startsWith("-")) {
          throw new IllegalArgumentException("JVM option '" + o + "' is not allowed: the child gets the caller's "
              + "class path and the library's main class; options must start with '-'");
        }
        jvmOptions.add(o);
      }
      return this;
    }

    /**
     * Sets a system property of the child JVM, passed as {@code -Dkey=value} on its command line
     * (visible to other users of the machine: do not put secrets here).
     *
     * @param key the property name
     * @param value the value
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code key} is blank or contains {@code '='}
     */
    public Builder systemProperty(String key, String value) {
      Objects.requireNonNull(key, "system property name must not be null");
      Objects.requireNonNull(value, "value of system property " + key + " must not be null");
      if (key.isBlank() || key.indexOf('=') >= 0) {
        throw new IllegalArgumentException("invalid system property name '" + key + "'");
      }
      systemProperties.put(key, value);
      return this;
    }

    /**
     * Sets an environment variable of the child, on top of the parent's environment.
     *
     * @param name the variable name
     * @param value the value
     * @return this builder
     * @throws NullPointerException if {@code name} or {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code '='} or NUL
     */
    public Builder environment(String name, String value) {
      Objects.requireNonNull(name, "environment variable name must not be null");
      Objects.requireNonNull(value, "value of environment variable " + name + " must not be null");
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid environment variable '" + name + "'");
      }
      environment.put(name, value);
      return this;
    }

    /**
     * Sets environment variables of the child, on top of the parent's environment.
     *
     * @param variables the variables
     * @return this builder
     * @throws NullPointerException if the map, a name or a value is {@code null}
     * @throws IllegalArgumentException as {@link #environment(String, String)}
     */
    public Builder environment(Map<String, String> variables) {
      Objects.requireNonNull(variables, "variables");
      variables.forEach(this::environment);
      return this;
    }

    /**
     * Sets the child's working directory. Default: the parent's.
     *
     * @param directory an existing directory
     * @return this builder
     * @throws NullPointerException if {@code directory} is {@code null}
     * @throws IllegalArgumentException if it is not an existing directory
     */
    public Builder workingDirectory(Path directory) {
      Objects.requireNonNull(directory, "directory");
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("working directory " + directory + " is not an existing directory");
      }
      this.workingDirectory = directory.toAbsolutePath();
      return this;
    }

    /**
     * Sets where the child's standard output goes. Default: {@link ChildOutput#pump()}.
     *
     * @param stdout the redirect
     * @return this builder
     * @throws NullPointerException if {@code stdout} is {@code null}
     */
    public Builder stdout(ChildOutput stdout) {
      this.stdout = Objects.requireNonNull(stdout, "stdout");
      return this;
    }

    /**
     * Sets where the child's standard error goes. Default: {@link ChildOutput#pump()}.
     *
     * @param stderr the redirect
     * @return this builder
     * @throws NullPointerException if {@code stderr} is {@code null}
     */
    public Builder stderr(ChildOutput stderr) {
      this.stderr = Objects.requireNonNull(stderr, "stderr");
      return this;
    }

    /**
     * Makes {@link Process#terminate()} and {@link Process#kill()} signal the child's descendants
     * too (beyond CPython, which orphans them). Default: {@code false}.
     *
     * @param killDescendants whether to signal descendants
     * @return this builder
     */
    public Builder killDescendants(boolean killDescendants) {
      this.killDescendants = killDescendants;
      return this;
    }

    /**
     * Sets how long the child may take to end after {@link Process#terminate()} sends it SIGTERM
     * before it gets SIGKILL (beyond CPython, whose {@code terminate()} never escalates). A child's
     * SIGTERM handler ends its JVM at once, so only a stuck child waits this long: one that replaced
     * the handler, or is wedged in native code. A child stopped by SIGSTOP is continued at once
     * instead (Linux). Applies to every {@code terminate()}, also the one at exit for a daemonic
     * child and those of a pool's {@code terminate()}.
     *
     * <p>Default: the system property {@code multiprocessing4j.terminateGrace} (milliseconds, or
     * an ISO-8601 duration such as {@code PT0.5S}; read at {@link Process#start()}; children
     * inherit it), else 3 seconds.
     *
     * @param grace the grace period; zero sends SIGKILL right after SIGTERM if the child is still alive
     * @return this builder
     * @throws NullPointerException if {@code grace} is {@code null}
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder terminateGrace(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      this.terminateGrace = TerminateGrace.check(grace, "terminateGrace");
      return this;
    }

    /**
     * Sets how the child JVM is started: {@code "spawn"}, a JVM launched for it, or
     * {@code "forkserver"}, a spare JVM launched ahead of time with the same settings (see
     * {@link Multiprocessing#setStartMethod(String)}). Default: the process-wide start method when
     * {@link Process#start()} is called (for a process of a {@link Context}, the context's).
     *
     * @param method {@code "spawn"} or {@code "forkserver"}
     * @return this builder
     * @throws IllegalArgumentException {@code "cannot find context for '<method>'"}
     */
    public Builder startMethod(String method) {
      this.startMethod = StartMethod.of(method);
      return this;
    }

    /**
     * Makes the child JVM use a class-data sharing archive of the classes a child loads, so that it
     * maps them at start-up instead of loading, parsing and verifying them (beyond CPython). On JDK
     * 25 and later the archive is an AOT cache (JEP 483/514/515), before that a dynamic AppCDS
     * archive. Once the archive exists, a child starts faster (the figures: BENCHMARKS.md, "Cold
     * start options").
     *
     * <p>The library manages the archive. The first start that finds none for its setting (JVM,
     * JVM options, class path and the size and time of each jar) runs without one and has it
     * created in the background by a one-off JVM (which slows the starts made meanwhile on a small
     * machine); later starts use it. It lives in a per-user cache directory, mode {@code 0700}:
     * {@code -Dmultiprocessing4j.cacheDir=DIR} if set, else
     * {@code $XDG_CACHE_HOME/multiprocessing4j/cds} or {@code ~/.cache/multiprocessing4j/cds}
     * (macOS: {@code ~/Library/Caches/multiprocessing4j/cds}; Windows:
     * {@code %LOCALAPPDATA%\multiprocessing4j\cache\cds}); deleting it is always safe. A missing,
     * corrupt or mismatched archive only costs speed: the child then starts without it, and the
     * JVM's CDS warnings are turned off so that nothing reaches its standard error.
     *
     * <p>Only jars can be archived. With a non-empty directory on the class path (such as
     * {@code target/classes} under Maven Surefire or in an IDE) the archive holds the JDK's classes
     * and the library's, not the application's, and the library's jar goes first in the child's
     * class path (a jar of the library's classes made in the cache directory if the library itself
     * is a directory); the rest of the class path follows unchanged. The option has no effect when
     * the process's own {@link #jvmOptions(String...) JVM options}
     * manage class-data sharing ({@code -Xshare}, {@code -XX:SharedArchiveFile},
     * {@code -XX:AOTCache}, ...). With the {@code forkserver} start method, spares are launched
     * with the archive once it exists.
     *
     * <p>Default: the system property {@code multiprocessing4j.classDataSharing} ({@code true} or
     * {@code false}, read at {@link Process#start()}; children inherit it), else {@code false}: the
     * archive (megabytes) is written to the user's disk, and while it is created the first starts
     * are slower.
     *
     * @param classDataSharing whether the child uses an archive
     * @return this builder
     */
    public Builder classDataSharing(boolean classDataSharing) {
      this.classDataSharing = classDataSharing;
      return this;
    }

    /**
     * Gives the child JVM flags that make a short-lived target start and end faster (beyond
     * CPython): {@code -XX:TieredStopAtLevel=1} (only the C1 compiler) and, on JDK 25 and later
     * when the process's JVM options select no garbage collector, {@code -XX:+UseSerialGC}. They
     * go before the process's {@link #jvmOptions(String...) JVM options}, so an option given there
     * wins. Each flag was kept because it was measured to shorten a no-op child's start to join,
     * alone and with {@link #classDataSharing(boolean) class-data sharing} (BENCHMARKS.md, "Cold
     * start options").
     *
     * <p>Default: {@code false}, because C1 alone makes code that runs long enough to be compiled
     * by C2 slower (on JDK 17; on JDK 25 the serial collector more than makes up for it). Use it
     * for children that run for well under a second; not for pool workers that live long.
     *
     * @param shortLived whether the child gets the flags
     * @return this builder
     */
    public Builder shortLived(boolean shortLived) {
      this.shortLived = shortLived;
      return this;
    }

    /**
     * Sets whether the child inherits this JVM's settings from its command line, as CPython's
     * children inherit its interpreter flags: memory ({@code -Xmx}, {@code -Xms}, {@code -Xmn},
     * {@code -Xss}, {@code -XX:MaxRAMPercentage} and the other heap, metaspace, direct memory,
     * code cache and stack sizes, the garbage collector), {@code -XX:+UsePerfData} or
     * {@code -XX:-UsePerfData}, {@code -D} system properties (but the
     * library's own {@code multiprocessing4j.*}, whose inheritance each property defines, and JMX's
     * {@code com.sun.management.*}), assertions ({@code -ea}, {@code -da}, {@code -esa}, ...) and
     * {@code --add-opens}, {@code --add-exports}, {@code --add-reads}, {@code --add-modules},
     * {@code --enable-preview}, {@code --enable-native-access}. Never agents, debugging (JDWP),
     * Flight Recorder, {@code -Xlog} or any other option that names a file the child would write.
     *
     * <p>The child's own {@link #jvmOptions(String...) JVM options} and
     * {@link #systemProperty(String, String) system properties} win: they go later on the command
     * line, and an inherited option of the same key is dropped (the same property or {@code -XX}
     * flag; {@code -Xmx}, {@code -XX:MaxHeapSize} and {@code -XX:MaxRAMPercentage} are one key, so
     * are the initial and minimum heap, the stack size, and the collector).
     *
     * <p>Default: the system property {@code multiprocessing4j.inheritJvmSettings} ({@code true}
     * or {@code false}, read at {@link Process#start()}; children inherit it), else {@code true}.
     *
     * @param inherit whether the child inherits this JVM's settings
     * @return this builder
     */
    public Builder inheritJvmSettings(boolean inherit) {
      this.inheritJvmSettings = inherit;
      return this;
    }

    /**
     * Creates the options.
     *
     * @return new immutable options with this builder's settings
     */
    public LaunchOptions build() {
      return new LaunchOptions(this);
    }
  }
}
