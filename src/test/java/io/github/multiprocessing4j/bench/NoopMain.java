package io.github.multiprocessing4j.bench;

/**
 * The raw floor's child: a JVM whose main does nothing, or, with {@code --time}, prints
 * {@link WallClock#micros()} as its first action (one line on stdout), or, with {@code --wait},
 * writes {@link #READY} on stdout, reads one byte from stdin and ends (a warm JVM's handoff and
 * exit, with no library) the way a library child whose target returned ends: by returning on JDK
 * 21 and later, where {@code System.exit} logs through {@code System.getLogger}, whose first call
 * searches every jar of the class path (80 ms on JDK 25), else by {@code System.exit(0)}, 0.5 ms
 * faster there.
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
      if (Runtime.version().feature() < 21) {
        System.exit(0);
      }
      return;
    }
    if (args.length > 0 && "--time".equals(args[0])) {
      long t = WallClock.micros();
      System.out.println(t);
    }
  }
}
