package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.Tunable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import io.github.multiprocessing4j.internal.runtime.Log;

/**
 * Spare child JVMs for the {@code forkserver} start method: JVMs launched ahead of time with a
 * process's exact command line, working directory and environment, that have booted and wait on
 * their standard input for a bootstrap frame. Starting a process with a matching spare writes its
 * frame there instead of launching a JVM, and a new spare is launched in the background.
 *
 * <p>A spare is fresh: it never ran anything, and is used once. Spares are kept per launch key (a
 * spare never serves a process with other JVM options, system properties, class path,
 * environment or working directory), {@value #DEFAULT_COUNT} per key by default (the system
 * property {@code multiprocessing4j.spares}: after a start, that many are launched for its key,
 * once starts have paused for 100 ms), and discarded after
 * {@code multiprocessing4j.spareIdleMillis} (default 60 s) unused, when the program ends, and when
 * their parent dies: a spare ends at the end of its standard input, SIGKILL of the parent included.
 * A waiting spare uses no CPU: it is blocked in a read. Once warm, a spare writes one byte,
 * {@link #READY_MARK}, on its stdout: {@link #take} prefers such a spare, and the pump of the
 * process it serves drops the byte.
 */
final class Spares {

  private static final Logger LOG = Log.get(Spares.class);
  static final int DEFAULT_COUNT = 1;
  /** Marks a spare's command line; the child then ends quietly at the end of its input. */
  static final String SPARE_PROPERTY = Tunable.SPARE_KEY;
  /** What a spare writes on its stdout once warm, before it reads its bootstrap (ASCII ACK). */
  static final int READY_MARK = 0x06;
  private static final int COUNT = Math.max(0, Tunable.SPARES.intValue(DEFAULT_COUNT));
  private static final long IDLE_NANOS =
      TimeUnit.MILLISECONDS.toNanos(Tunable.SPARE_IDLE_MILLIS.longValue(60_000));

  /** What a spare must share with a process to serve it. */
  static final class Key {
    final List<String> command;
    final Path directory;
    final Map<String, String> environment;

    Key(List<String> command, Path directory, Map<String, String> environment) {
      this.command = List.copyOf(command);
      this.directory = directory;
      this.environment = Map.copyOf(environment);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return command.equals(k.command) && Objects.equals(directory, k.directory) && environment.equals(k.environment);
    }

    @Override
    public int hashCode() {
      return Objects.hash(command, directory, environment);
    }
  }

  private static final class Spare {
    final java.lang.Process process;
    final long since = System.nanoTime();
    private boolean ready; // guarded by Spares.class

    Spare(java.lang.Process process) {
      this.process = process;
    }

    /** Whether its mark is in the stdout pipe: it has warmed up; never blocks, never reads. */
    boolean ready() {
      if (!ready) {
        try {
          ready = process.getInputStream().available() > 0;
        } catch (IOException e) {
          return false; // its pipe is gone: it died
        }
      }
      return ready;
    }
  }

  private static final Map<Key, ArrayDeque<Spare>> IDLE = new HashMap<>(); // guarded by the class

  static {
    // Registered on first use, so that a child, which never uses spares, never loads this class.
    io.github.multiprocessing4j.internal.runtime.ExitActions.beforeChildren(Spares::close);
  }
  private static Thread keeper; // guarded by the class
  private static boolean closed; // guarded by the class
  private static long taken; // guarded by the class
  private static long lastLaunched; // guarded by the class
  private static long lastTake; // guarded by the class
  /** Counts {@link #discardAll()} calls: a spare launched across one is discarded too. */
  private static long generation; // guarded by the class
  /** Launches between their request's pick and the spare's registration; guarded by the class. */
  private static int launching;
  /** Runs in the keeper right after a spare's JVM is launched; for tests of discard races. */
  static volatile Runnable afterLaunchForTests;
  private static final long REFILL_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private Spares() {}

  /**
   * Takes a spare for a process and has a new one launched for the next, in the background.
   *
   * @param key the process's launch key
   * @param builder launches a JVM for that key (the spare's command line, pipes for all streams)
   * @return a spare's OS process, or null if none is ready (the caller then launches cold)
   */
  static java.lang.Process take(Key key, ProcessBuilder builder) {
    Spare s = null;
    synchronized (Spares.class) {
      if (closed || COUNT == 0) {
        return null;
      }
      ArrayDeque<Spare> idle = IDLE.computeIfAbsent(key, k -> new ArrayDeque<>());
      idle.removeIf(dead -> !dead.process.isAlive()); // killed by someone else; the keeper reaps it
      for (Spare candidate : idle) {
        if (candidate.ready()) { // a warm one first; else the oldest, which is the furthest along
          s = candidate;
          break;
        }
      }
      if (s == null) {
        s = idle.peek();
      }
      if (s != null) {
        idle.remove(s);
      }
      if (s != null) {
        taken++;
      }
      lastTake = System.nanoTime();
      startKeeper();
      pending.removeIf(r -> r[0].equals(key));
      pending.add(new Object[] {key, builder}); // served until the key has its spares
      Spares.class.notifyAll();
    }
    return s == null ? null : s.process;
  }

  /** Launch requests for the keeper: {key, builder}; guarded by the class. */
  private static final List<Object[]> pending = new ArrayList<>();

  private static void startKeeper() {
    if (keeper == null) {
      keeper = new Thread(Spares::keep, "mp4j-spares");
      keeper.setDaemon(true);
      keeper.start();
    }
  }

  /** Launches the spares asked for, and discards those idle too long. */
  private static void keep() {
    while (true) {
      Object[] request;
      long gen;
      synchronized (Spares.class) {
        long now = System.nanoTime();
        long nextExpiry = Long.MAX_VALUE;
        for (ArrayDeque<Spare> idle : IDLE.values()) {
          for (var it = idle.iterator(); it.hasNext(); ) {
            Spare s = it.next();
            long left = s.since + IDLE_NANOS - now;
            if (left <= 0 || !s.process.isAlive()) {
              it.remove();
              s.process.destroyForcibly();
            } else {
              nextExpiry = Math.min(nextExpiry, left);
            }
          }
        }
        if (closed) {
          return;
        }
        // Replacements wait until starts have paused for a moment: launched at once, they would
        // compete for the CPUs with the processes just started (8 at once on 2 cores: 3x slower).
        long quiet = lastTake + REFILL_DELAY_NANOS - now;
        if (pending.isEmpty() || quiet > 0) {
          long wait = pending.isEmpty() ? nextExpiry : Math.min(nextExpiry, quiet);
          try {
            TimeUnit.NANOSECONDS.timedWait(Spares.class, wait == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(60) : wait);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        request = pending.get(0);
        Key key = (Key) request[0];
        if (IDLE.getOrDefault(key, new ArrayDeque<>()).size() >= COUNT) {
          pending.remove(0); // this key has its spares
          continue;
        }
        // Read with the pick: a discard after it must see this launch and wait for it.
        gen = generation;
        launching++;
      }
      if (!launch((Key) request[0], (ProcessBuilder) request[1], gen)) {
        synchronized (Spares.class) {
          pending.remove(request); // cannot launch for this key now: the next start asks again
        }
      }
    }
  }

  /**
   * Launches one spare unless a discard came after its request was picked, and ends the launch
   * {@link #discardAll()} waits for; a spare discarded meanwhile is killed and reaped here.
   *
   * @return false if no JVM could be launched
   */
  private static boolean launch(Key key, ProcessBuilder builder, long gen) {
    java.lang.Process p = null;
    try {
      p = builder.start();
      Runnable hook = afterLaunchForTests;
      if (hook != null) {
        hook.run();
      }
    } catch (IOException e) {
      LOG.debug("cannot launch a spare JVM: {}", e.toString());
    } finally {
      boolean discarded;
      synchronized (Spares.class) {
        discarded = closed || gen != generation;
        if (p != null && !discarded) {
          IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Spare(p));
          lastLaunched = p.pid();
        }
      }
      if (p != null && discarded) {
        p.destroyForcibly();
        awaitExit(p);
      }
      synchronized (Spares.class) {
        launching--;
        Spares.class.notifyAll();
      }
    }
    return p != null;
  }

  private static void awaitExit(java.lang.Process p) {
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until no spare is due to be launched and every idle spare has warmed up.
   *
   * @param timeoutNanos how long to wait at most
   * @return true if so, false on timeout
   * @throws InterruptedException if interrupted while waiting
   */
  static boolean awaitReady(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      synchronized (Spares.class) {
        boolean ready = pending.isEmpty() || closed || COUNT == 0;
        for (ArrayDeque<Spare> idle : IDLE.values()) {
          for (Spare s : idle) {
            ready &= s.ready() || !s.process.isAlive();
          }
        }
        if (ready) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // A spare's mark arrives in a pipe nobody watches, so this polls; only a caller who asked
        // to wait pays for it, a spare boots in about 100 ms.
        TimeUnit.NANOSECONDS.timedWait(Spares.class, Math.min(left, TimeUnit.MILLISECONDS.toNanos(2)));
      }
    }
  }

  /**
   * Discards every idle spare and every spare being launched, and returns once they have ended
   * (at most about 10 s each): a caller that then lists its child processes finds none of them.
   * Later starts launch new ones. For tests and at exit.
   */
  static void discardAll() {
    List<Spare> all = new ArrayList<>();
    synchronized (Spares.class) {
      for (ArrayDeque<Spare> idle : IDLE.values()) {
        all.addAll(idle);
      }
      IDLE.clear();
      pending.clear();
      generation++;
    }
    for (Spare s : all) {
      s.process.destroyForcibly();
    }
    for (Spare s : all) {
      awaitExit(s.process);
    }
    // A launch in flight registers nothing now; it kills its JVM itself, and is waited for.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    synchronized (Spares.class) {
      while (launching > 0 && Thread.currentThread() != keeper) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.debug("a spare JVM's launch did not end within 20 s of a discard");
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(Spares.class, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Discards every spare and launches no more: the program is ending. */
  static void close() {
    synchronized (Spares.class) {
      closed = true;
      Spares.class.notifyAll();
    }
    discardAll();
  }

  /** How many processes a spare has served, for tests. */
  static synchronized long taken() {
    return taken;
  }

  /**
   * The pid of the last spare launched, or 0; for tests of a spare that is discarded soon after
   * its launch (idle too long), which {@link #idlePids()} may never show.
   */
  static synchronized long lastLaunchedPid() {
    return lastLaunched;
  }

  /** The pids of the idle spares, for tests. */
  static synchronized List<Long> idlePids() {
    List<Long> pids = new ArrayList<>();
    for (ArrayDeque<Spare> idle : IDLE.values()) {
      for (Spare s : idle) {
        pids.add(s.process.pid());
      }
    }
    return pids;
  }

  /** The pids of the idle spares that have warmed up, for tests. */
  static synchronized List<Long> readyPids() {
    List<Long> pids = new ArrayList<>();
    for (ArrayDeque<Spare> idle : IDLE.values()) {
      for (Spare s : idle) {
        if (s.ready()) {
          pids.add(s.process.pid());
        }
      }
    }
    return pids;
  }
}
