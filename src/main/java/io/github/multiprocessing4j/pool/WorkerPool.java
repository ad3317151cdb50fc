package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.internal.codec.Messages;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;

import io.github.multiprocessing4j.Context;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.Pipe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The machinery behind {@code Pool} and {@code ProcessPoolExecutor}: worker processes, each with a
 * private duplex pipe, a queue of tasks not yet given to a worker, and the bookkeeping that knows
 * which worker has which task.
 *
 * <p>Unlike CPython's pool, where workers take tasks from one shared queue, the parent decides
 * which worker gets a task, so when a worker dies it knows exactly which task died with it (the
 * oldest one sent and not answered: a worker runs its tasks in order) and which ones were only
 * queued behind it and can run elsewhere.
 *
 * <p>Threads: one reader per worker receives results and completes tasks; callers send their
 * own tasks when a worker has room, which keeps the round trip of a lone task free of thread
 * hand-offs. When a result makes room, the reader sends the next tasks itself if they are small
 * (a quarter of a pipe's ring at most), which cannot block; larger ones go through a dispatcher
 * thread, so that a reader never waits on a full pipe towards a worker that is itself waiting
 * for that reader. Each worker gets at most {@value #DEPTH} tasks at a time: one running, one waiting in
 * its pipe, so a worker never idles between tasks while a slow worker does not hoard them.
 *
 * <p>No thread of the pool dies of what it meets, since a task it held would then never complete:
 * a result that cannot be decoded (whatever is thrown, {@link Error}s included) fails its task
 * only; anything else a reader cannot handle kills its worker (logged), whose tasks then fail or
 * run elsewhere; a task the pipe refuses fails alone; and a failure in the pool's own bookkeeping
 * breaks the pool (logged), failing every pending task with a {@link BrokenProcessPoolException}.
 */
final class WorkerPool {

  private static final Logger LOG = Log.get(WorkerPool.class);
  private static final int DEPTH = 2;
  /** CPython's text for the futures of an executor that broke. */
  private static final String ABRUPT =
      "A process in the process pool was terminated abruptly while the future was running or pending.";
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** Pools whose workers may be alive, terminated at exit before the exit rules run. */
  private static final java.util.Set<WorkerPool> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    ExitActions.beforeChildren(WorkerPool::terminateAllAtExit);
  }

  /**
   * Terminates every live pool when the program ends: when {@code main} and the other user
   * threads have ended, as CPython's pool finalizer does at interpreter exit, and at JVM shutdown.
   * Without this, the exit rules would terminate the workers and the pools would start new ones.
   */
  private static void terminateAllAtExit() {
    for (WorkerPool p : LIVE.toArray(new WorkerPool[0])) {
      p.terminate();
    }
  }

  /** Lifecycle, as CPython's pool states. */
  public enum State {
    /** Accepting work. */
    RUN,
    /** No new work; workers exit once the queued work is done. */
    CLOSE,
    /** Stopping at once; unfinished work is cancelled. */
    TERMINATE
  }

  /** One worker process and what the parent knows about it. */
  final class Slot {
    final Process process;
    final Connection conn;
    final String where;
    /** Tasks given to this worker and not answered, oldest first; guarded by {@link #lock}. */
    final ArrayDeque<PoolTask> inFlight = new ArrayDeque<>();
    /** The unsent tail of {@link #inFlight}; guarded by {@link #lock}. */
    final ArrayDeque<PoolTask> outbox = new ArrayDeque<>();
    /** Orders the sends to this worker. */
    final ReentrantLock sendLock = new ReentrantLock();
    /** The ids of the functions the worker holds, as its own table; guarded by {@link #sendLock}. */
    final java.util.LinkedHashMap<Integer, Boolean> defined = PoolProtocol.functionTable();
    /** Guarded by {@link #lock}. */
    int assigned;
    boolean ready;
    /** No more tasks for this worker; STOP is due once its outbox is sent. Guarded by {@link #lock}. */
    boolean stopping;
    /** Guarded by {@link #lock}. */
    boolean stopSent;
    Throwable initFailure;
    /** What made this worker's reader give up on it, if anything did; set by the reader only. */
    Throwable readerFailure;
    Slot(Process process, Connection conn) {
      this.process = process;
      this.conn = conn;
      this.where = process.name() + ", pid " + process.pid();
    }

    boolean accepts() {
      return !stopping && inFlight.size() < DEPTH && (maxTasksPerChild == 0 || assigned < maxTasksPerChild);
    }
  }

  private final int size;
  private final boolean onDemand;
  private final int maxTasksPerChild;
  private final byte[] initializer;
  private final Consumer<Process.Builder> options;
  private final Context context;
  private final boolean poolWorkerNames;
  private final boolean breakOnDeath;
  private final String threadPrefix = "pool-" + POOLS.incrementAndGet() + "-";

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled on every change a waiter may care about: a worker gone, dispatch wanted. */
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<PoolTask> pending = new ArrayDeque<>();
  private final List<Slot> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  /** The reader threads, which must never wait on a pipe (see {@link #flush(Slot)}). */
  private final java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private State state = State.RUN;
  private BrokenProcessPoolException broken;
  private boolean dispatchWanted;
  /** Set by {@link #drainPending()}: feeds may submit no more; guarded by {@link #lock}. */
  private boolean feedsCancelled;
  /** Open {@link #openFeed() feeds}; guarded by {@link #lock}. */
  private int feeds;
  /** Recently serialized stateless functions, most recent last; guarded by itself. */
  private final ArrayDeque<PoolFunction> functions = new ArrayDeque<>();

  /**
   * Creates a pool and, unless {@code onDemand}, starts its workers.
   *
   * @param size the number of workers
   * @param onDemand start workers one per submission while none is idle, as CPython's executor
   * @param maxTasksPerChild tasks after which a worker is replaced, 0 for never
   * @param initializer the encoded initializer and its arguments, or null
   * @param context gives each worker's process builder (its start method and names)
   * @param options applied to each worker's process builder before the pool's own settings
   * @param poolWorkerNames whether to name workers as a pool's ({@code SpawnPoolWorker-N}) rather
   *     than as the context's processes ({@code SpawnProcess-N})
   * @param breakOnDeath whether a worker's death breaks the pool (the executor) instead of failing
   *     only its task (the pool)
   * @throws RuntimeException if a worker cannot be started; those started are terminated first
   */
  public WorkerPool(int size, boolean onDemand, int maxTasksPerChild, byte[] initializer,
      Context context, Consumer<Process.Builder> options, boolean poolWorkerNames, boolean breakOnDeath) {
    this.size = size;
    this.onDemand = onDemand;
    this.maxTasksPerChild = maxTasksPerChild;
    this.initializer = initializer;
    this.options = options;
    this.context = java.util.Objects.requireNonNull(context, "context");
    this.poolWorkerNames = poolWorkerNames;
    this.breakOnDeath = breakOnDeath;
    LIVE.add(this);
    lock.lock();
    try {
      if (!onDemand) {
        for (int i = 0; i < size; i++) {
          startWorkerLocked();
        }
      }
      Thread dispatcher = new Thread(this::dispatchLoop, threadPrefix + "dispatcher");
      dispatcher.setDaemon(true);
      threads.add(dispatcher);
      dispatcher.start();
    } catch (RuntimeException | Error e) {
      state = State.TERMINATE;
      for (Slot s : workers) {
        s.process.terminate();
      }
      LIVE.remove(this);
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /** The number of workers the pool keeps. */
  public int size() {
    return size;
  }

  /** The pool's state. */
  public State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Serializes a function for tasks, in the caller's thread.
   *
   * @param fn the function
   * @param what names it in an error message
   * @return the serialized function
   * @throws IllegalArgumentException if it cannot be serialized
   */
  public PoolFunction function(Object fn, String what) {
    synchronized (functions) {
      for (PoolFunction f : functions) {
        if (f.fn == fn) {
          return f;
        }
      }
    }
    PoolFunction f = PoolFunction.of(fn, what);
    if (f.reusable) {
      synchronized (functions) {
        functions.addLast(f);
        if (functions.size() > PoolProtocol.FUNCTIONS) {
          functions.removeFirst();
        }
      }
    }
    return f;
  }

  /**
   * Creates a task.
   *
   * @param fn its function
   * @param kind a {@link PoolProtocol} task kind
   * @param payload the encoded argument (a chunk's items), or empty
   * @param sink where its outcome goes
   * @param source the user's task, or null
   * @return the task
   */
  public static PoolTask task(PoolFunction fn, byte kind, byte[] payload, TaskSink sink, Object source) {
    return new PoolTask(fn, kind, payload, sink, source);
  }

  /** Task kind: a {@link java.util.concurrent.Callable}. */
  public static byte call() {
    return PoolProtocol.CALL;
  }

  /** Task kind: a {@link Runnable}. */
  public static byte run() {
    return PoolProtocol.RUN;
  }

  /** Task kind: a chunk of {@code map} items. */
  public static byte map() {
    return PoolProtocol.MAP;
  }

  /** Task kind: a chunk of {@code starmap} argument lists. */
  public static byte starmap() {
    return PoolProtocol.STARMAP;
  }

  /**
   * Queues tasks and sends what workers have room for, in this thread.
   *
   * @param tasks the tasks, in order
   * @param fed whether they come from an open {@link #openFeed() feed}, which a closed pool
   *     still accepts
   * @return false, queuing nothing, if the pool no longer accepts work
   * @throws BrokenProcessPoolException if the pool is broken
   */
  public boolean submit(Collection<PoolTask> tasks, boolean fed) {
    List<Slot> touched;
    lock.lock();
    try {
      if (broken != null) {
        throw brokenForSubmit();
      }
      if (state != State.RUN && !(fed && state == State.CLOSE && !feedsCancelled)) {
        return false;
      }
      if (onDemand) {
        startOnDemandLocked(); // first: if no worker can be started, nothing is queued
      }
      pending.addAll(tasks);
      touched = assignLocked();
    } finally {
      lock.unlock();
    }
    flush(touched);
    return true;
  }

  /** What a submission to a broken pool throws: CPython's message, with what broke it as cause. */
  private BrokenProcessPoolException brokenForSubmit() {
    return new BrokenProcessPoolException(breakOnDeath
        ? "A child process terminated abruptly, the process pool is not usable anymore"
        : broken.getMessage(), broken);
  }

  /**
   * Removes tasks that no worker has yet, all or none.
   *
   * @param tasks the tasks
   * @return whether they were all still pending (and are now removed)
   */
  public boolean cancel(Collection<PoolTask> tasks) {
    List<Slot> stopping;
    lock.lock();
    try {
      if (!pending.containsAll(tasks)) {
        return false;
      }
      pending.removeAll(tasks);
      stopping = stopIdleLocked();
    } finally {
      lock.unlock();
    }
    flush(stopping);
    return true;
  }

  /**
   * Registers a producer of tasks that keeps submitting after {@link #shutdown()} (an
   * {@code imap}'s input, accepted before the pool closed): the workers stay until it ends.
   *
   * @return false if the pool no longer accepts work
   * @throws BrokenProcessPoolException if the pool is broken, as {@link #submit}
   */
  public boolean openFeed() {
    lock.lock();
    try {
      if (broken != null) {
        throw brokenForSubmit();
      }
      if (state != State.RUN) {
        return false;
      }
      feeds++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ends a producer registered with {@link #openFeed()}. */
  public void closeFeed() {
    List<Slot> stopping;
    lock.lock();
    try {
      feeds--;
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    flush(stopping);
  }

  /**
   * Removes every task no worker has yet (CPython's {@code cancel_futures}); the open feeds may
   * submit no more, so what a running {@code map} has not read yet is cancelled too.
   *
   * @return the removed tasks, in order
   */
  public List<PoolTask> drainPending() {
    List<PoolTask> out;
    List<Slot> stopping;
    lock.lock();
    try {
      out = new ArrayList<>(pending);
      pending.clear();
      feedsCancelled = true; // the rest of a running map is cancelled too, as CPython's queued items are
      stopping = stopIdleLocked();
    } finally {
      lock.unlock();
    }
    flush(stopping);
    return out;
  }

  /** Stops accepting work; the workers exit once the queued work is done (CPython's {@code close()}). */
  public void shutdown() {
    List<Slot> stopping;
    lock.lock();
    try {
      if (state == State.RUN) {
        state = State.CLOSE;
      }
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    flush(stopping);
  }

  /**
   * Stops at once: unfinished tasks fail with a {@link CancellationException} and the workers get
   * SIGTERM (CPython's {@code terminate()}).
   *
   * @return the tasks no worker had started: those not sent, and those queued in a worker's pipe
   *     behind the one it was running (one that started just now, its predecessor's result still
   *     on the way, may be among them)
   */
  public List<PoolTask> terminate() {
    List<PoolTask> unsent = new ArrayList<>();
    List<PoolTask> running = new ArrayList<>();
    List<Slot> slots;
    lock.lock();
    try {
      if (state == State.TERMINATE) {
        return unsent;
      }
      state = State.TERMINATE;
      slots = stopWorkersLocked(running, unsent);
    } finally {
      lock.unlock();
    }
    for (Slot s : slots) {
      s.process.terminate();
    }
    CancellationException cancelled = new PoolCancellation("the pool was terminated");
    for (PoolTask t : unsent) {
      t.sink.failed(cancelled);
    }
    for (PoolTask t : running) {
      t.sink.failed(cancelled);
    }
    return unsent;
  }

  /**
   * Waits until every worker has exited and the pool's threads have ended, after
   * {@link #shutdown()} or {@link #terminate()}.
   *
   * @param timeout the longest wait, or null for no limit
   * @return whether the pool is terminated
   * @throws IllegalStateException if called from a callback, which runs in a pool thread
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
    List<Thread> toJoin;
    lock.lock();
    try {
      if (threads.contains(Thread.currentThread())) {
        // A callback runs in a reader, which must return before its worker counts as gone.
        throw new IllegalStateException("cannot wait for a pool to terminate from one of its own "
            + "threads (a callback): it would wait for itself");
      }
      while (state == State.RUN || !endedLocked()) {
        if (timeout == null) {
          changed.await();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          changed.awaitNanos(left);
        }
      }
      toJoin = new ArrayList<>(threads);
    } finally {
      lock.unlock();
    }
    for (Thread t : toJoin) {
      if (t == Thread.currentThread()) {
        continue;
      }
      if (timeout == null) {
        t.join();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        if (t.isAlive()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Tells whether the pool stopped accepting work and every worker has exited. */
  public boolean isTerminated() {
    lock.lock();
    try {
      return state != State.RUN && endedLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Tells whether nothing can start a worker any more: no new work is accepted, no worker is left,
   * and no open {@link #openFeed() feed} of a closed pool may still submit (and start one).
   */
  private boolean endedLocked() {
    return (state != State.RUN || broken != null) && workers.isEmpty()
        && (feeds == 0 || state == State.TERMINATE || broken != null);
  }

  /** Drops the pool from {@link #LIVE} once it has ended, also when no worker was left to end last. */
  private void forgetIfEndedLocked() {
    if (endedLocked()) {
      LIVE.remove(this);
    }
  }

  /** The pids of the live workers, for tests and diagnostics. */
  public List<Long> workerPids() {
    lock.lock();
    try {
      List<Long> pids = new ArrayList<>();
      for (Slot s : workers) {
        pids.add(s.process.pid());
      }
      return pids;
    } finally {
      lock.unlock();
    }
  }

  // ---- dispatching

  /** Gives pending tasks to workers with room, least loaded first; returns the workers to flush. */
  private List<Slot> assignLocked() {
    List<Slot> touched = new ArrayList<>(2);
    while (!pending.isEmpty()) {
      Slot best = null;
      for (Slot s : workers) {
        if (s.accepts() && (best == null || s.inFlight.size() < best.inFlight.size())) {
          best = s;
        }
      }
      if (best == null) {
        break;
      }
      PoolTask t = pending.poll();
      t.slot = best;
      best.inFlight.add(t);
      best.outbox.add(t);
      best.assigned++;
      if (!touched.contains(best)) {
        touched.add(best);
      }
    }
    return touched;
  }

  /**
   * Tells whether a reader may send a worker's outbox: when every task the worker holds is small,
   * at most {@value #DEPTH} small tasks can be unread in its pipe, which then always has room, so
   * a reader never waits on a worker that may be waiting for that reader.
   */
  private static boolean sendsCannotBlock(Slot s) {
    for (PoolTask t : s.inFlight) {
      if (!t.small) {
        return false;
      }
    }
    return true;
  }

  private void flush(List<Slot> slots) {
    for (Slot s : slots) {
      flush(s);
    }
  }

  /**
   * Sends a worker's outbox. Whoever holds the worker's send lock sends everything queued for it,
   * including what others queued meanwhile; they return at once instead of waiting.
   */
  private void flush(Slot s) {
    boolean fromReader = readers.contains(Thread.currentThread());
    while (s.sendLock.tryLock()) {
      try {
        while (true) {
          PoolTask t;
          lock.lock();
          try {
            if (fromReader && !s.outbox.isEmpty() && !sendsCannotBlock(s)) {
              // A large task joined meanwhile: a reader must not wait on a pipe, so leave it.
              dispatchWanted = true;
              changed.signalAll();
              return;
            }
            t = s.outbox.poll();
            if (t != null) {
              // Marked before the send: once the bytes are in the pipe the worker may run the
              // task and die before this thread returns, and that task must be the one blamed.
              t.sent = true;
            }
          } finally {
            lock.unlock();
          }
          if (t == null) {
            sendStopIfDue(s);
            break;
          }
          try {
            // containsKey, not get: only a task actually sent counts as a use of its function,
            // exactly as the worker counts it, so that both tables drop the same functions.
            if (!s.defined.containsKey(t.fn.id)) {
              s.conn.sendBytes(t.fn.define);
              s.defined.put(t.fn.id, Boolean.TRUE);
            }
            s.conn.sendBytes(t.message);
            s.defined.get(t.fn.id);
          } catch (InterruptedException e) {
            // Not sent: back to the front, for the dispatcher; the caller keeps its interrupt.
            unsent(s, t, true);
            Thread.currentThread().interrupt();
            return;
          } catch (ConnectionException e) {
            unsent(s, t, false); // the worker is gone; its reader deals with its tasks
            return;
          } catch (RuntimeException | Error e) {
            // Refused before anything was written (a limit, say), or worse: this task fails, and
            // no thread (a reader or the dispatcher among them) dies of it.
            failUnsendable(s, t, e);
            if (e instanceof Error) {
              return; // the worker was killed: the pipe may hold part of a message
            }
          }
        }
      } finally {
        s.sendLock.unlock();
      }
      lock.lock();
      try {
        if (s.outbox.isEmpty() && (!s.stopping || s.stopSent)) {
          return;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Sends STOP after the last task, if the worker is to stop; the send lock is held. */
  private void sendStopIfDue(Slot s) {
    lock.lock();
    try {
      if (!s.stopping || s.stopSent || !s.outbox.isEmpty()) {
        return;
      }
      s.stopSent = true;
    } finally {
      lock.unlock();
    }
    // The worker has nothing in flight (or is being terminated), so this send does not wait for
    // long; an interrupt (a send with the flag set fails at once) must not lose the STOP, which
    // no one would send again: the worker would never exit.
    boolean interrupted = false;
    while (true) {
      try {
        s.conn.sendBytes(new byte[] {PoolProtocol.STOP});
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ConnectionException e) {
        break; // already gone
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Fails a task that could not be written to its worker's pipe. An {@link Error} may have left
   * part of a message in the pipe, so the worker is killed then; its reader fails or requeues
   * what else it held.
   */
  private void failUnsendable(Slot s, PoolTask t, Throwable e) {
    boolean mine;
    lock.lock();
    try {
      t.sent = false;
      mine = s.inFlight.remove(t);
      if (mine) {
        s.assigned--;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (e instanceof Error) {
      LOG.error("cannot send a task to pool worker {}; killing it", s.where, e);
      s.process.kill();
    }
    if (mine) {
      fail(t, new io.github.multiprocessing4j.MultiprocessingException(
          "the task cannot be sent to worker " + s.where + ": " + e, e));
    }
  }

  /** Completes a task with a failure; a sink that throws is logged, never the caller's death. */
  private static void fail(PoolTask t, Throwable error) {
    try {
      t.sink.failed(error);
    } catch (RuntimeException | Error e) {
      LOG.error("completing a pool task with its failure threw", e);
    }
  }

  /** A task whose send failed; {@code retry}: back to the front of the outbox, for the dispatcher. */
  private void unsent(Slot s, PoolTask t, boolean retry) {
    lock.lock();
    try {
      t.sent = false;
      if (retry && s.inFlight.contains(t)) {
        s.outbox.addFirst(t);
        dispatchWanted = true;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void dispatchLoop() {
    lock.lock();
    try {
      while (true) {
        while (!dispatchWanted) {
          if (endedLocked()) {
            return;
          }
          changed.await();
        }
        dispatchWanted = false;
        List<Slot> touched = assignLocked();
        for (Slot s : workers) {
          if (!s.outbox.isEmpty() && !touched.contains(s)) {
            touched.add(s);
          }
        }
        lock.unlock();
        try {
          flush(touched);
        } finally {
          lock.lock();
        }
      }
    } catch (InterruptedException e) {
      // only at JVM exit
    } catch (RuntimeException | Error e) {
      // Without this thread the tasks queued for it would wait for ever: break the pool, loudly.
      lock.unlock();
      try {
        LOG.error("the pool's dispatcher failed; the pool is broken", e);
        breakPool("the pool's dispatcher thread failed (" + e + "); the pool is not usable anymore", e);
      } finally {
        lock.lock();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Breaks the pool when one of its own threads met what it cannot handle: every pending and
   * running task fails with the {@link BrokenProcessPoolException}, which later submissions
   * throw too, and the workers are terminated (their readers then see them gone).
   */
  private void breakPool(String why, Throwable cause) {
    List<PoolTask> failed = new ArrayList<>();
    List<Slot> slots;
    BrokenProcessPoolException b;
    lock.lock();
    try {
      if (broken == null) {
        broken = new BrokenProcessPoolException(why, cause);
      }
      b = broken;
      slots = stopWorkersLocked(failed, failed);
    } finally {
      lock.unlock();
    }
    for (Slot s : slots) {
      s.process.terminate();
    }
    for (PoolTask t : failed) {
      fail(t, b);
    }
  }

  /**
   * Takes every task off the queue and the workers and marks the workers stopping; the caller
   * terminates the returned workers once it has released the lock.
   *
   * @param running receives the first task sent to each worker: only it can have started
   * @param unsent receives the others, pending ones first
   */
  private List<Slot> stopWorkersLocked(List<PoolTask> running, List<PoolTask> unsent) {
    unsent.addAll(pending);
    pending.clear();
    for (Slot s : workers) {
      // A worker runs its tasks in order: only the first one sent can have started.
      boolean first = true;
      for (PoolTask t : s.inFlight) {
        (first && t.sent ? running : unsent).add(t);
        first = false;
      }
      s.inFlight.clear();
      s.outbox.clear();
      s.stopping = true;
    }
    List<Slot> slots = new ArrayList<>(workers);
    forgetIfEndedLocked();
    changed.signalAll();
    return slots;
  }

  // ---- workers

  private void startOnDemandLocked() {
    for (Slot s : workers) {
      if (s.inFlight.isEmpty() && s.accepts()) {
        return;
      }
    }
    if (workers.size() < size) {
      startWorkerLocked();
    }
  }

  private void startWorkerLocked() {
    Pipe pipe = Pipe.open();
    Process.Builder b = context.processBuilder();
    options.accept(b);
    b.target(PoolWorker.class).daemon(true)
        .args(pipe.conn2(), initializer, maxTasksPerChild);
    if (poolWorkerNames) {
      SharedSecrets.processBuilderAccess(Process.Builder.class).nameAsPoolWorker(b);
    }
    Process p = b.build();
    try {
      p.start();
    } catch (RuntimeException | Error e) {
      pipe.conn1().close();
      pipe.conn2().close();
      throw e;
    }
    pipe.conn2().close();
    Slot s = new Slot(p, pipe.conn1());
    workers.add(s);
    Thread reader = new Thread(() -> readLoop(s), threadPrefix + "reader-" + p.name());
    reader.setDaemon(true);
    threads.removeIf(t -> !t.isAlive());
    threads.add(reader);
    reader.start();
  }

  /**
   * Marks the idle workers of a closed pool with nothing left to do as stopping; the caller
   * flushes them after unlocking, which sends STOP. Nothing is in flight to them, so the pipe has
   * room and that send cannot block, even from a reader.
   */
  private List<Slot> stopIdleLocked() {
    List<Slot> out = new ArrayList<>(0);
    if (state != State.CLOSE || !pending.isEmpty() || feeds > 0) {
      return out;
    }
    for (Slot s : workers) {
      if (s.inFlight.isEmpty() && !s.stopping) {
        s.stopping = true;
        out.add(s);
      }
    }
    return out;
  }

  private void readLoop(Slot s) {
    readers.add(Thread.currentThread());
    try {
      while (true) {
        byte[] m = s.conn.recvBytes();
        switch (m[0]) {
          case PoolProtocol.READY:
            onReady(s);
            break;
          case PoolProtocol.INIT_FAILED:
            s.initFailure = PoolProtocol.readFailure(m, 1, s.where);
            break;
          case PoolProtocol.OK:
          case PoolProtocol.ERROR:
            onResult(s, m);
            break;
          default:
            throw new IllegalStateException("unknown message " + m[0] + " from worker " + s.where);
        }
      }
    } catch (ConnectionException e) {
      // the worker ended (or was terminated)
    } catch (InterruptedException e) {
      // only at JVM exit
    } catch (RuntimeException | Error e) {
      // Whatever it is, this worker's stream cannot be trusted any more: the worker is killed,
      // and onWorkerGone fails (or requeues) what it held, blaming this failure.
      LOG.error("the pool's reader for worker {} failed; killing the worker", s.where, e);
      s.readerFailure = e;
      s.process.kill();
    } finally {
      try {
        onWorkerGone(s);
      } catch (RuntimeException | Error e) {
        LOG.error("the pool could not deal with the end of worker {}; the pool is broken", s.where, e);
        breakPool("the pool failed while worker " + s.where + " ended (" + e + "); the pool is not usable anymore", e);
        forget(s);
      } finally {
        readers.remove(Thread.currentThread());
      }
    }
  }

  /** Drops a worker whose end could not be dealt with, so that waiting for the pool ends. */
  private void forget(Slot s) {
    lock.lock();
    try {
      workers.remove(s);
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void onReady(Slot s) {
    lock.lock();
    try {
      s.ready = true;
    } finally {
      lock.unlock();
    }
  }

  private void onResult(Slot s, byte[] m) {
    long id = PoolProtocol.getLong(m, 1);
    PoolTask task = null;
    List<Slot> stopping;
    lock.lock();
    try {
      for (PoolTask t : s.inFlight) {
        if (t.id == id) {
          task = t;
          break;
        }
      }
      if (task == null) {
        return; // cancelled by terminate()
      }
      s.inFlight.remove(task);
      stopping = stopIdleLocked();
      // Send the next tasks from here, before decoding this result, when that cannot block: a
      // hand-off to the dispatcher costs a thread wake-up per task.
      for (Slot t : assignLocked()) {
        if (sendsCannotBlock(t)) {
          stopping.add(t);
        } else {
          dispatchWanted = true;
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      flush(stopping);
    } finally {
      // The task is no longer in flight: whatever happens from here, it must complete now, or
      // its caller would wait for ever.
      complete(s, task, m);
    }
  }

  private static void complete(Slot s, PoolTask task, byte[] m) {
    if (m[0] != PoolProtocol.OK) {
      Throwable failure;
      try {
        failure = PoolProtocol.readFailure(m, PoolProtocol.RESULT_HEADER, s.where);
      } catch (RuntimeException | Error e) {
        failure = new io.github.multiprocessing4j.MultiprocessingException(
            "the failure of a task from worker " + s.where + " cannot be read: " + e, e);
      }
      fail(task, failure);
      return;
    }
    Object value;
    try {
      value = Messages.decode(m, PoolProtocol.RESULT_HEADER, null);
    } catch (Exception | Error e) {
      // Any of them: a class that cannot be initialized here (LinkageError), a graph too deep
      // for this thread's stack (StackOverflowError), a readObject that throws an Error. This
      // reader, which serves every later result of the worker, goes on.
      fail(task, new io.github.multiprocessing4j.MultiprocessingException(
          "the result of a task from worker " + s.where + " cannot be deserialized: " + e, e));
      return;
    }
    try {
      task.sink.succeeded(value);
    } catch (RuntimeException | Error e) {
      fail(task, new io.github.multiprocessing4j.MultiprocessingException(
          "the result of a task from worker " + s.where + " cannot be delivered: " + e, e));
    }
  }

  /** Whether a worker exited because it had run its {@code maxTasksPerChild} tasks. */
  private boolean retired(Slot s, Integer exitCode) {
    return exitCode != null && exitCode == 0 && maxTasksPerChild > 0 && s.assigned >= maxTasksPerChild;
  }

  private void onWorkerGone(Slot s) {
    Integer exitCode = null;
    try {
      if (!s.process.join(EXIT_WAIT)) {
        s.process.kill();
        s.process.join(EXIT_WAIT);
      }
      exitCode = s.process.exitCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    s.conn.close();
    PoolTask died = null;
    List<PoolTask> failed = new ArrayList<>();
    BrokenProcessPoolException breaking = null;
    List<Slot> stopping;
    lock.lock();
    try {
      workers.remove(s);
      s.outbox.clear();
      if (state != State.TERMINATE && broken == null) {
        if (!s.ready || s.initFailure != null) {
          String why = s.initFailure != null ? "the initializer failed in worker " + s.where
              : "worker " + s.where + " exited with code " + exitCode + " before it was ready (see its standard error)";
          // The executor's futures get CPython's BrokenProcessPool text, which CPython gives for
          // any worker that ended, a failed initializer included; the pool's own text says more.
          breaking = new BrokenProcessPoolException(breakOnDeath ? ABRUPT + " (" + why + ")"
              : why + "; the pool is not usable anymore",
              s.initFailure != null ? s.initFailure : s.process.failure().orElse(null));
        } else if (breakOnDeath && (!s.inFlight.isEmpty() || !s.stopping && !retired(s, exitCode))) {
          breaking = new BrokenProcessPoolException(ABRUPT + " (worker " + s.where + ", exit code " + exitCode + ")",
              null);
        } else if (!s.inFlight.isEmpty()) {
          PoolTask first = s.inFlight.poll();
          if (first.sent) {
            died = first;
          } else {
            s.inFlight.addFirst(first);
          }
          // Queued behind the task that died and never started: they run elsewhere, first.
          for (var it = s.inFlight.descendingIterator(); it.hasNext(); ) {
            PoolTask t = it.next();
            t.sent = false;
            pending.addFirst(t);
          }
          s.inFlight.clear();
        }
      }
      if (breaking != null) {
        broken = breaking;
        failed.addAll(s.inFlight);
        s.inFlight.clear();
        failed.addAll(pending);
        pending.clear();
        for (Slot other : workers) {
          failed.addAll(other.inFlight);
          other.inFlight.clear();
          other.outbox.clear();
          other.stopping = true;
          other.process.terminate();
        }
      } else if (broken == null && (state == State.RUN ? !onDemand || !pending.isEmpty()
          : state == State.CLOSE && (!pending.isEmpty() || feeds > 0))) {
        try {
          startWorkerLocked();
        } catch (RuntimeException | Error e) {
          LOG.error("cannot start a replacement pool worker", e);
          broken = new BrokenProcessPoolException("cannot start a replacement worker: " + e, e);
          failed.addAll(pending);
          pending.clear();
        }
      }
      if (!pending.isEmpty()) {
        dispatchWanted = true;
      }
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    flush(stopping);
    if (died != null) {
      fail(died, s.readerFailure != null
          ? new io.github.multiprocessing4j.MultiprocessingException("the pool could not read from worker " + s.where
              + " (" + s.readerFailure + "), which was killed and replaced", s.readerFailure)
          : new WorkerDiedException("worker " + s.where + " died with exit code " + exitCode
              + " while running this task", exitCode));
    }
    for (PoolTask t : failed) {
      fail(t, breaking != null ? breaking : broken);
    }
  }

  /** For the facades' {@code toString}. */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "state=" + (broken != null ? "BROKEN" : state) + ", pool_size=" + size;
    } finally {
      lock.unlock();
    }
  }
}
