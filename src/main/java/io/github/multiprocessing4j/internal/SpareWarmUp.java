package io.github.multiprocessing4j.internal;

import io.github.multiprocessing4j.Target;

/**
 * What a spare JVM does while it waits for a process: it takes, once, the paths a child takes
 * after its bootstrap arrives, so that the process it gets finds them loaded and linked. It
 * deserializes a lambda target as a child does (Java serialization, its filter, the lambda
 * machinery), and loads, without initializing, the library classes a child uses. Nothing here
 * has an effect a process could observe.
 */
public final class SpareWarmUp {

  private SpareWarmUp() {}

  /** Runs the warm-up; failures are ignored, the process then pays for what was not loaded. */
  public static void run() {
    try {
      Target t = a -> { };
      Object back = JavaSerialization.deserialize(JavaSerialization.serialize(t, "warm-up"), "warm-up");
      ((Target) back).run(io.github.multiprocessing4j.Args.of(java.util.List.of(), java.util.Map.of()));
      // The first string concatenation of a JVM bootstraps StringConcatFactory (about 10 ms);
      // a target's first line of output usually has one.
      long n = System.nanoTime();
      String concat = "a" + n + 'b' + (int) n + back + 1.5 + true;
      if (concat.isEmpty()) {
        throw new AssertionError(concat);
      }
      // The parent watcher reads stdin through an interruptible FileChannel: the NIO file classes.
      try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(java.nio.file.Paths.get(
          System.getProperty("java.io.tmpdir")), java.nio.file.StandardOpenOption.READ)) {
        c.isOpen();
      } catch (java.io.IOException | UnsupportedOperationException e) {
        // a directory cannot be opened everywhere: only the warm-up is poorer
      }
      ClassLoader cl = SpareWarmUp.class.getClassLoader();
      // Initialized: JDK classes without side effects, and the bootstrap's codec classes, which
      // have no static state. The library's other classes are only loaded, below: initializing
      // them would set this JVM up as a main process.
      for (String name : new String[] {"sun.misc.Signal", "java.lang.ApplicationShutdownHooks",
          "java.nio.charset.StandardCharsets", "io.github.multiprocessing4j.internal.ValueCodec",
          "io.github.multiprocessing4j.internal.Bootstrap"}) {
        try {
          Class.forName(name, true, cl);
        } catch (ClassNotFoundException e) {
          // only the warm-up is poorer
        }
      }
      for (String name : new String[] {
          "io.github.multiprocessing4j.Process", "io.github.multiprocessing4j.ProcessRuntime",
          "io.github.multiprocessing4j.ChildRuntime$ParentWatcher", "io.github.multiprocessing4j.ChildRuntime$ExitHook",
          "io.github.multiprocessing4j.internal.ExitReport", "io.github.multiprocessing4j.internal.ExitCodes",
          "io.github.multiprocessing4j.internal.Handoffs", "io.github.multiprocessing4j.internal.SigtermHalt",
          "io.github.multiprocessing4j.RemoteException", "io.github.multiprocessing4j.Process$Kind",
          "io.github.multiprocessing4j.Process$State", "sun.misc.Signal", "sun.nio.ch.FileChannelImpl",
          "java.lang.ApplicationShutdownHooks"}) {
        try {
          Class.forName(name, false, cl);
        } catch (ClassNotFoundException e) {
          // renamed: only the warm-up is poorer
        }
      }
    } catch (Exception | LinkageError e) {
      // a warm-up only
    }
  }
}
