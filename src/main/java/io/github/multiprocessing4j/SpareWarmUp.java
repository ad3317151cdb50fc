package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.codec.JavaSerialization;
import io.github.multiprocessing4j.internal.codec.ValueCodec;
import io.github.multiprocessing4j.internal.runtime.ExitActions;

/**
 * What a spare JVM does while it waits for a process: it takes, once, the paths a child takes
 * after its bootstrap arrives, so that the process it gets finds them loaded and linked. It
 * deserializes a lambda target as a child does (the compact form, and Java serialization with its
 * filter for the targets that need it, the lambda machinery), and initializes the classes a
 * child's start and exit use. Nothing here has an effect a process could observe.
 */
final class SpareWarmUp {

  /**
   * The classes a spare initialises: JDK classes without side effects, and the library classes a
   * child's start and exit go through, whose static state is inert until a process uses it. Named
   * by string so that a spare loads nothing else; {@code SpareWarmUpTest} checks every name resolves.
   */
  static final String[] PRELOADED = {"sun.misc.Signal", "java.lang.ApplicationShutdownHooks",
      "java.nio.charset.StandardCharsets", "sun.nio.ch.FileChannelImpl",
      "io.github.multiprocessing4j.internal.codec.ValueCodec",
      "io.github.multiprocessing4j.internal.codec.Varints", "io.github.multiprocessing4j.internal.launch.Bootstrap",
      "io.github.multiprocessing4j.Process", "io.github.multiprocessing4j.ProcessView",
      "io.github.multiprocessing4j.TargetCall",
      "io.github.multiprocessing4j.Process$State", "io.github.multiprocessing4j.ProcessRuntime",
      "io.github.multiprocessing4j.Args", "io.github.multiprocessing4j.ChildRuntime$ExitHook",
      "io.github.multiprocessing4j.internal.launch.ExitReport", "io.github.multiprocessing4j.internal.launch.ExitCodes",
      "io.github.multiprocessing4j.internal.runtime.ExitActions", "io.github.multiprocessing4j.internal.launch.Handoffs",
      "io.github.multiprocessing4j.RemoteException"};

  private SpareWarmUp() {}

  /**
   * Initialises the classes the process's command line names in
   * {@code -Dmultiprocessing4j.spareWarmUp=a.B,c.D}: a library package whose processes load much
   * more than the core (the JUnit extension's children load the JUnit Platform) does its warm-up
   * in such a class's static initialiser, so that a spare has it done before the process arrives.
   */
  private static void warmUpNamedClasses(ClassLoader cl) {
    String names = System.getProperty(io.github.multiprocessing4j.internal.runtime.Tunable.SPARE_WARM_UP_KEY);
    if (names == null) {
      return;
    }
    for (String name : names.split(",")) {
      try {
        Class.forName(name.strip(), true, cl);
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        // only the warm-up is poorer: the process loads what it needs itself
      }
    }
  }

  /**
   * What a process's first steps load after the handoff unless done here: the stream a spare
   * reads its frame through (a {@code SequenceInputStream}, which loads {@code Vector} from the
   * JDK's modules, not its archive), a UTF-8 {@code PrintStream}'s first line (the charset
   * encoder's buffers), and the scan for user threads at the end of a process. Into a stream that
   * goes nowhere: nothing a process could see.
   */
  private static void warmHandoffAndOutput() throws java.io.IOException {
    java.io.InputStream in = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream(new byte[] {1}), new java.io.ByteArrayInputStream(new byte[] {2}));
    in.readNBytes(2);
    java.io.PrintStream ps = new java.io.PrintStream(java.io.OutputStream.nullOutputStream(), true,
        java.nio.charset.StandardCharsets.UTF_8);
    ps.println("warm-up " + 1);
    ps.print('x');
    ps.flush();
    ProcessRuntime.otherUserThread();
  }

  /** Runs the warm-up; failures are ignored, the process then pays for what was not loaded. */
  static void run() {
    try {
      Target t = a -> { };
      Object back = JavaSerialization.deserialize(JavaSerialization.serialize(t, "warm-up"), "warm-up");
      ((Target) back).run(Args.of(java.util.List.of(), java.util.Map.of()));
      // A method-reference or lambda target, and a pipe end or a queue among the arguments, now
      // arrive in the codec's compact forms: that path too. Java serialization above stays warm
      // for the targets and arguments that still need it.
      ((Target) ValueCodec.decode(ValueCodec.encode(t, "warm-up"), "warm-up"))
          .run(Args.of(java.util.List.of(), java.util.Map.of()));
      // The first string concatenation of a JVM bootstraps StringConcatFactory (about 10 ms);
      // a target's first line of output usually has one.
      long n = System.nanoTime();
      String concat = "a" + n + 'b' + (int) n + back + 1.5 + true;
      if (concat.isEmpty()) {
        throw new AssertionError(concat);
      }
      // The parent watcher reads stdin through an interruptible FileChannel. The first read loads
      // and links that path; done here, it is short, which matters at exit: a watcher interrupted
      // between entering the channel and entering the read(2) call misses the signal, and the
      // channel's close then waits 50 ms before it signals again.
      try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(java.nio.file.Paths.get(
          System.getProperty("java.home"), "release"), java.nio.file.StandardOpenOption.READ)) {
        c.read(java.nio.ByteBuffer.allocateDirect(256));
      } catch (java.io.IOException | RuntimeException e) {
        // no release file: only the warm-up is poorer
      }
      // A process using a pipe, a queue, a lock's wake socket or a manager pays tens of
      // milliseconds at its first socket (selector provider, the JDK's Unix-domain secure random).
      io.github.multiprocessing4j.internal.transport.TransportWarmUp.warmSockets();
      warmHandoffAndOutput();
      ClassLoader cl = SpareWarmUp.class.getClassLoader();
      // Initialized, which also links (verifies) them. ProcessRuntime's pid is this JVM's, which
      // is the process's. Never the main-process side: Multiprocessing, Spares, RuntimeDir.
      for (String name : PRELOADED) {
        try {
          Class.forName(name, true, cl);
        } catch (ClassNotFoundException e) {
          // not in this JDK: only the warm-up is poorer
        }
      }
      warmUpNamedClasses(cl);
    } catch (Exception | LinkageError e) {
      // a warm-up only
    }
  }
}
