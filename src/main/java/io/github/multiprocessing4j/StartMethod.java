package io.github.multiprocessing4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A start method: how a child JVM comes to run a process. The public API names them by CPython's
 * strings ({@code "spawn"}, {@code "forkserver"}); inside the library they are this type, so what
 * differs per method is one method of the constant rather than a string comparison at each use.
 */
enum StartMethod {

  /** A cold JVM for every process. */
  SPAWN("spawn", "Spawn") {
    @Override
    java.lang.Process takeSpare(List<String> command, Path directory, Map<String, String> environment,
        boolean outputPiped, Function<List<String>, ProcessBuilder> builder) {
      return null;
    }
  },

  /** A spare JVM, started ahead of time, takes the process; see {@link Spares}. */
  FORKSERVER("forkserver", "ForkServer") {
    @Override
    java.lang.Process takeSpare(List<String> command, Path directory, Map<String, String> environment,
        boolean outputPiped, Function<List<String>, ProcessBuilder> builder) {
      if (!outputPiped) {
        return null; // a spare was launched with pipes for its output: others start cold
      }
      List<String> spareCommand = new ArrayList<>(command);
      spareCommand.add(spareCommand.size() - 1, "-D" + Spares.SPARE_PROPERTY + "=true");
      return Spares.take(new Spares.Key(command, directory, environment), builder.apply(spareCommand));
    }
  };

  /** CPython's names of the methods, in the order {@code get_all_start_methods()} lists them. */
  static final List<String> NAMES = List.of(SPAWN.cpythonName, FORKSERVER.cpythonName);

  /** CPython's name: what the public API takes and returns. */
  final String cpythonName;
  /** CPython's class of a process of this method's context, e.g. {@code SpawnProcess}. */
  private final String typePrefix;

  StartMethod(String cpythonName, String typePrefix) {
    this.cpythonName = cpythonName;
    this.typePrefix = typePrefix;
  }

  /**
   * The method of a CPython name.
   *
   * @throws IllegalArgumentException {@code "cannot find context for '<name>'"}, CPython's message
   */
  static StartMethod of(String name) {
    for (StartMethod m : values()) {
      if (m.cpythonName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("cannot find context for '" + name + "'");
  }

  /**
   * The class name CPython gives a process of this method's context, and the prefix of its
   * default name: {@code SpawnProcess}, {@code ForkServerProcess}; a pool's worker replaces
   * {@code Process} by {@code PoolWorker}.
   */
  String processType() {
    return typePrefix + "Process";
  }

  /**
   * A JVM launched ahead of time for this command line, or null when the process must be launched
   * cold: always for {@code spawn}; for {@code forkserver} when no spare is ready, or the process's
   * output is not piped.
   *
   * @param builder makes the builder of a spare's command line (with the process's directory,
   *     environment and pipes)
   */
  abstract java.lang.Process takeSpare(List<String> command, Path directory, Map<String, String> environment,
      boolean outputPiped, Function<List<String>, ProcessBuilder> builder);

  @Override
  public String toString() {
    return cpythonName;
  }
}
