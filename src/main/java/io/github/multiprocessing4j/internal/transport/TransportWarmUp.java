package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads, on a thread of its own, what a JVM's first pipe or queue operation needs, as soon as the
 * JVM receives a pipe end or a queue: the first operation then finds it ready instead of paying
 * for it on the caller's thread.
 *
 * <p>Why: a cold JVM's first socket costs tens of milliseconds before a byte moves. The JDK looks
 * up its selector provider, and its {@code sun.nio.ch.UnixDomainSockets} seeds a
 * {@code SecureRandom} in its static initialiser, which loads the security providers; then come the
 * selector, the first string concatenation, the rings' {@code VarHandle}s and this package's
 * classes. A child that receives a pipe end in its arguments still has its bootstrap to finish and
 * its target to load and link before its first {@code send}: this runs meanwhile, on the second
 * core when there is one.
 *
 * <p>What it does changes nothing a program does: it opens an unconnected socket and a selector and
 * closes them, and initialises classes whose static state is inert until used. It runs once per
 * JVM, and not at all with {@code -Dmultiprocessing4j.transportWarmUp=false}. Failures are ignored:
 * the first operation then loads what it needs itself, and fails there, on the caller's thread, if
 * something is wrong. Thread-safe.
 */
public final class TransportWarmUp {

  private static final AtomicBoolean STARTED = new AtomicBoolean();

  /**
   * This package's classes on the first operation's path, named by string so that the caller
   * loads none of them. {@code TransportWarmUpTest} checks every name resolves.
   */
  static final String[] CLASSES = {
      "io.github.multiprocessing4j.internal.transport.Ring",
      "io.github.multiprocessing4j.internal.transport.RingFile",
      "io.github.multiprocessing4j.internal.transport.RingTransport",
      "io.github.multiprocessing4j.internal.transport.RingTransport$Wakeup",
      "io.github.multiprocessing4j.internal.transport.RingTransport$DataReady",
      "io.github.multiprocessing4j.internal.transport.RingTransport$RoomReady",
      "io.github.multiprocessing4j.internal.transport.WakeupSocket",
      "io.github.multiprocessing4j.internal.transport.WakeupSocket$Watch",
      "io.github.multiprocessing4j.internal.transport.SocketTransport",
      "io.github.multiprocessing4j.internal.transport.Handshake",
      "io.github.multiprocessing4j.internal.transport.HmacSha256",
      "io.github.multiprocessing4j.internal.transport.OpenChannels",
      "io.github.multiprocessing4j.internal.transport.OpenChannels$CloseAll",
      "io.github.multiprocessing4j.internal.transport.PutFence",
      "io.github.multiprocessing4j.internal.transport.PutFence$AtExit",
      "io.github.multiprocessing4j.internal.shm.MappedRegion",
      "io.github.multiprocessing4j.internal.runtime.Backoff",
      "io.github.multiprocessing4j.internal.runtime.ExitActions",
      "io.github.multiprocessing4j.internal.runtime.ExitActions$RunAll",
      "io.github.multiprocessing4j.internal.codec.Messages",
      "io.github.multiprocessing4j.internal.codec.Messages$Decoding",
      "io.github.multiprocessing4j.internal.codec.Encoder"};

  /**
   * The JDK's class a ring's first mapping initialises (its static initialiser bootstraps a
   * lambda); inert. Absent from some JDKs, which is fine.
   */
  static final String[] JDK_CLASSES = {"jdk.internal.misc.ExtendedMapMode"};

  private TransportWarmUp() {}

  /**
   * Starts the warm-up on a daemon thread, unless it has started before in this JVM or is turned
   * off. Returns at once, and never fails: if no thread can be started, nothing is warmed.
   *
   * @param callerClasses classes of the caller's package that its first operation loads (a queue's
   *     client, a pipe end's), named by string; initialised after this package's, so they must have
   *     inert static state
   */
  public static void start(String... callerClasses) {
    if (!"false".equals(Tunable.TRANSPORT_WARM_UP.value()) && STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(null, new Run(callerClasses), "mp4j-transport-warm-up", 256 * 1024, false);
      t.setDaemon(true);
      try {
        t.start();
      } catch (OutOfMemoryError | RuntimeException e) {
        // No thread to spare ("unable to create native thread"): the caller is decoding a message,
        // which must not fail for an optimisation; the first operation loads what it needs itself.
      }
    }
  }

  /**
   * Opens an unconnected Unix-domain socket and a selector, registers the one with the other, and
   * closes both: the selector provider, the JDK's Unix-domain socket classes with their secure
   * random, and the selector's are then loaded. Synchronous; used by the warm-up thread and by a
   * spare JVM's own warm-up.
   */
  public static void warmSockets() {
    try (Selector sel = Selector.open(); SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.configureBlocking(false);
      s.register(sel, SelectionKey.OP_READ);
      sel.selectNow();
    } catch (IOException | RuntimeException e) {
      // no Unix-domain sockets here (loopback TCP then): only the warm-up is poorer
    }
  }

  /** The thread's work; a class, not a lambda, so that starting it bootstraps no lambda. */
  private static final class Run implements Runnable {
    private final String[] callerClasses;

    Run(String[] callerClasses) {
      this.callerClasses = callerClasses.clone();
    }

    @Override
    public void run() {
      try {
        warmSockets();
        // The first string concatenation of a JVM bootstraps StringConcatFactory (about 10 ms); a
        // queue client's first use names its link with one.
        if (("warm-up " + System.nanoTime() + '#' + 1).isEmpty()) {
          throw new AssertionError();
        }
        initialise(JDK_CLASSES, null);
        ClassLoader cl = TransportWarmUp.class.getClassLoader();
        initialise(CLASSES, cl);
        initialise(callerClasses, cl);
      } catch (RuntimeException | LinkageError e) {
        // a warm-up only: the first operation loads what it needs itself
      }
    }

    private static void initialise(String[] names, ClassLoader cl) {
      for (String name : names) {
        try {
          Class.forName(name, true, cl);
        } catch (ClassNotFoundException e) {
          // only the warm-up is poorer
        }
      }
    }
  }
}
