package io.github.multiprocessing4j;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a child's standard output or standard error goes.
 *
 * <p>The default, {@link #pump()}, copies the child's output line by line into the parent's
 * {@link System#out} or {@link System#err} as they are at the moment each line arrives, so the
 * output shows up in IDE consoles, in Surefire reports and under {@link System#setOut}. The child
 * then writes UTF-8 whatever its platform encoding, and the parent decodes it.
 *
 * <p>{@link #inherit()} hands the child the parent's native file descriptors instead: no copying,
 * but the output bypasses {@code System.setOut}, may vanish in some IDE consoles and corrupts
 * Surefire's fork channel.
 *
 * <p>Instances are immutable and thread-safe; one may be shared by many processes (a stream or a
 * consumer given to {@link #toStream} or {@link #toLines} is then called from several threads, one
 * line at a time).
 */
public final class ChildOutput {

  /** How the output is routed; the launcher switches on it. */
  enum Kind { PUMP, INHERIT, DISCARD, FILE, APPEND, STREAM, LINES }

  private static final ChildOutput PUMP = new ChildOutput(Kind.PUMP, null, null, null);
  private static final ChildOutput INHERIT = new ChildOutput(Kind.INHERIT, null, null, null);
  private static final ChildOutput DISCARD = new ChildOutput(Kind.DISCARD, null, null, null);

  private final Kind kind;
  private final Path file;
  private final OutputStream stream;
  private final Consumer<String> lines;

  private ChildOutput(Kind kind, Path file, OutputStream stream, Consumer<String> lines) {
    this.kind = kind;
    this.file = file;
    this.stream = stream;
    this.lines = lines;
  }

  /**
   * Copies the output line by line into the parent's {@code System.out} (for standard output) or
   * {@code System.err} (for standard error). The default.
   *
   * @return the pump redirect
   */
  public static ChildOutput pump() {
    return PUMP;
  }

  /**
   * Gives the child the parent's own file descriptor, as {@link ProcessBuilder.Redirect#INHERIT}.
   *
   * @return the inherit redirect
   */
  public static ChildOutput inherit() {
    return INHERIT;
  }

  /**
   * Discards the output.
   *
   * @return the discard redirect
   */
  public static ChildOutput discard() {
    return DISCARD;
  }

  /**
   * Writes the output to a file, truncating it first.
   *
   * @param file the file; its directory must exist when the process starts
   * @return a file redirect
   * @throws NullPointerException if {@code file} is {@code null}
   */
  public static ChildOutput toFile(Path file) {
    return new ChildOutput(Kind.FILE, Objects.requireNonNull(file, "file"), null, null);
  }

  /**
   * Appends the output to a file.
   *
   * @param file the file; its directory must exist when the process starts
   * @return an appending file redirect
   * @throws NullPointerException if {@code file} is {@code null}
   */
  public static ChildOutput appendTo(Path file) {
    return new ChildOutput(Kind.APPEND, Objects.requireNonNull(file, "file"), null, null);
  }

  /**
   * Copies the output, as UTF-8 bytes, into a stream of the parent. The stream is flushed after
   * each line and never closed.
   *
   * @param stream the destination
   * @return a stream redirect
   * @throws NullPointerException if {@code stream} is {@code null}
   */
  public static ChildOutput toStream(OutputStream stream) {
    return new ChildOutput(Kind.STREAM, null, Objects.requireNonNull(stream, "stream"), null);
  }

  /**
   * Hands each line of output, without its line terminator, to a consumer in the parent. The
   * consumer runs on a pump thread; an exception it throws is logged and the line dropped.
   *
   * @param consumer the consumer of lines
   * @return a line redirect
   * @throws NullPointerException if {@code consumer} is {@code null}
   */
  public static ChildOutput toLines(Consumer<String> consumer) {
    return new ChildOutput(Kind.LINES, null, null, Objects.requireNonNull(consumer, "consumer"));
  }

  Kind kind() {
    return kind;
  }

  Path file() {
    return file;
  }

  OutputStream stream() {
    return stream;
  }

  Consumer<String> lines() {
    return lines;
  }

  /** Tells whether the parent reads this output through a pipe (and the child should write UTF-8). */
  boolean piped() {
    return kind == Kind.PUMP || kind == Kind.STREAM || kind == Kind.LINES;
  }

  @Override
  public String toString() {
    switch (kind) {
      case FILE:
      case APPEND:
        return "ChildOutput[" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + file + "]";
      default:
        return "ChildOutput[" + kind.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
  }
}
