package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.internal.runtime.ExitActions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes this process's puts visible before anything it does next can be seen by another process.
 *
 * <p>A put to another process's unbounded queue goes out without waiting for an answer
 * (the queue client's {@code putNoReply}): the owner applies it later, on the thread that serves this
 * process's link, and items of different links can be applied in any order. So that a returned put
 * is seen by everything that happens after it, this record lists the links with puts not yet
 * confirmed, and {@link #await()} confirms them (one round trip per listed link: its answer comes
 * after every earlier put of the link was applied). It is called before every operation through
 * which another process can learn that this one went on: a send on a {@code Connection} (pipes,
 * listeners, the pools' protocol), a request or local operation on another queue, a change of a
 * synchronisation object's state (the sync package's cell), the start of a child, the close of a queue
 * and this process's exit ({@link ExitActions}, bounded by {@link #EXIT_NANOS} so that an owner
 * that stopped answering cannot hold the exit).
 *
 * <p>When nothing is listed, {@link #await()} costs one volatile read. Thread-safe.
 */
public final class PutFence {

  /** The longest the exit waits for a link's confirmation. */
  static final long EXIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final List<Link> LISTED = new ArrayList<>(); // guarded by the class
  private static volatile boolean any; // false only while LISTED is empty
  /**
   * The link LISTED holds when it holds one, else null: a putter that finds itself here has no
   * other link to confirm (a link listed by a put that returned stays listed until confirmed).
   */
  private static volatile Link only;
  private static boolean exitHook; // guarded by the class

  private PutFence() {}

  /**
   * A link whose puts go out without an answer: the fence lists it while some are unconfirmed.
   * Implemented by the queue client; its methods are called by the fence under no lock of the
   * link's.
   */
  public abstract static class Link {
    /** Whether the fence lists this link; written under the fence's lock. */
    volatile boolean listed;

    /** For subclasses. */
    protected Link() {}

    /**
     * Whether the fence lists this link now; a putter that finds it unlisted after counting its
     * put lists it again (see {@link PutFence#unlist}).
     *
     * @return whether listed
     */
    protected final boolean isListed() {
      return listed;
    }

    /**
     * Whether every put sent so far is confirmed.
     *
     * @return true if none is left to confirm
     */
    protected abstract boolean allConfirmed();

    /**
     * Confirms the puts sent so far and then calls {@link PutFence#unlist}; uninterruptible.
     *
     * @param deadline a {@link System#nanoTime()} to give up at (the link stays listed), or 0
     */
    protected abstract void confirmPuts(long deadline);
  }

  /**
   * Confirms every put of this process that is not confirmed yet: on return, each was applied by
   * its queue's owner. Costs one volatile read when there is none. An interrupt does not stop it
   * (it is kept for later).
   */
  public static void await() {
    if (any) {
      confirm(null, 0);
    }
  }

  /**
   * As {@link #await()}, but leaves out one link, whose own later requests already come after its
   * puts.
   *
   * @param self the link to leave out
   */
  public static void awaitOthers(Link self) {
    if (any && only != self) {
      confirm(self, 0);
    }
  }

  /** Lists a link that has a put not confirmed yet; idempotent. */
  public static void list(Link c) {
    synchronized (PutFence.class) {
      if (!LISTED.contains(c)) {
        LISTED.add(c);
      }
      c.listed = true;
      changed();
      if (!exitHook) {
        exitHook = true;
        ExitActions.onExitFlush(new AtExit()); // before the links close
      }
    }
  }

  /**
   * Takes a link off the list once everything it sent is confirmed. The link sets {@code listed}
   * false first and then reads its count of sent puts, the putter counts first and then reads
   * {@code listed}: one of them sees the other, so a put is never left unlisted.
   */
  public static void unlist(Link c) {
    synchronized (PutFence.class) {
      c.listed = false;
      if (c.allConfirmed()) {
        LISTED.remove(c);
      } else {
        c.listed = true;
      }
      changed();
    }
  }

  /** Publishes a change of LISTED; the caller holds the class's lock. */
  private static void changed() {
    only = LISTED.size() == 1 ? LISTED.get(0) : null;
    any = !LISTED.isEmpty();
  }

  private static void confirm(Link except, long deadline) {
    List<Link> todo;
    synchronized (PutFence.class) {
      todo = new ArrayList<>(LISTED);
    }
    for (Link c : todo) {
      if (c != except) {
        c.confirmPuts(deadline);
      }
    }
  }

  /**
   * Confirms at exit, in a thread of its own that the exit leaves behind after {@link #EXIT_NANOS}:
   * a send into the ring of an owner that stopped reading would not return.
   */
  private static void atExit() {
    if (!any) {
      return;
    }
    long deadline = System.nanoTime() + EXIT_NANOS | 1;
    Thread t = new Thread(null, new ConfirmAll(deadline), "mp4j-put-fence", 64 * 1024, false);
    t.setDaemon(true);
    t.start();
    try {
      t.join(TimeUnit.NANOSECONDS.toMillis(EXIT_NANOS) + 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // Classes, not lambdas: the first put lists its link, and a JVM's first lambda of a call site
  // costs it a class spun at run time (a millisecond on the first put, another one at exit).

  /** {@link #atExit()}, as an exit action. */
  static final class AtExit implements Runnable {
    @Override
    public void run() {
      atExit();
    }
  }

  /** Confirms every listed link by a deadline, on the thread {@link #atExit()} starts. */
  private static final class ConfirmAll implements Runnable {
    private final long deadline;

    ConfirmAll(long deadline) {
      this.deadline = deadline;
    }

    @Override
    public void run() {
      confirm(null, deadline);
    }
  }
}
