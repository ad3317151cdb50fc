package io.github.multiprocessing4j.bench;

/**
 * The raw floor's child: a JVM whose main does nothing, or, with {@code --time}, prints
 * {@link WallClock#micros()} as its first action (one line on stdout), or, with {@code --wait},
 * writes {@link #READY} on stdout, reads one byte from stdin and returns (a warm JVM's handoff and
 * exit, with no library). It returns rather than call {@code System.exit(0)}, as a library child
 * whose target returned does: from JDK 21 {@code System.exit} logs through {@code System.getLogger},
 * whose first call searches every jar of the class path (100 ms and more on JDK 25).
 */
public final class NoopMain {

  /** What {@code --wait} writes once it waits: the byte a library spare writes (ASCII ACK). */
  static final int READY = 0x06;

  private NoopMain() {}

  public static void main(String[] args) throws java.io.IOException {
    if (args.length > 0 && "--wait".equals(args[0])) {
      System.out.write(READY);
      System.out.flush();
      System.in.read();
      return;
    }
    if (args.length > 0 && "--time".equals(args[0])) {
      long t = WallClock.micros();
      System.out.println(t);
    }
  }
}
