package io.github.multiprocessing4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How a child JVM is launched: the per-process options of {@link Process.Builder}, immutable. */
final class LaunchSpec {

  final List<String> jvmOptions;
  final Map<String, String> systemProperties;
  final Map<String, String> environment;
  final Path workingDirectory;
  final ChildOutput stdout;
  final ChildOutput stderr;
  final boolean killDescendants;
  /** The start method, or null for the process-wide default at {@code start()}. */
  final StartMethod startMethod;
  /** Class-data sharing, or null for the default of the system property at {@code start()}. */
  final Boolean classDataSharing;
  /** Whether the child gets the flags for short-lived targets. */
  final boolean shortLived;

  LaunchSpec(List<String> jvmOptions, Map<String, String> systemProperties, Map<String, String> environment,
      Path workingDirectory, ChildOutput stdout, ChildOutput stderr, boolean killDescendants, StartMethod startMethod,
      Boolean classDataSharing, boolean shortLived) {
    this.jvmOptions = List.copyOf(jvmOptions);
    this.systemProperties = Map.copyOf(systemProperties);
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory;
    this.stdout = stdout;
    this.stderr = stderr;
    this.killDescendants = killDescendants;
    this.startMethod = startMethod;
    this.classDataSharing = classDataSharing;
    this.shortLived = shortLived;
  }
}
