package io.github.multiprocessing4j.bench;

/**
 * The raw floor's child: a JVM whose main does nothing, or, with {@code --time}, prints
 * {@link WallClock#micros()} as its first action (one line on stdout).
 */
public final class NoopMain {

  private NoopMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && "--time".equals(args[0])) {
      long t = WallClock.micros();
      System.out.println(t);
    }
  }
}
