package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.access.RemoteWorkers;
import io.github.multiprocessing4j.internal.access.SharedSecrets;
import io.github.multiprocessing4j.internal.runtime.ExitActions;
import io.github.multiprocessing4j.internal.runtime.Log;

import io.github.multiprocessing4j.Context;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Pipe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * for that reader. Each worker gets at most {@value WorkerSlot#DEPTH} tasks at a time: one running, one waiting in
 * its pipe, so a worker never idles between tasks while a slow worker does not hoard them.
 *
 * <p>No thread of the pool dies of what it meets, since a task it held would then never complete:
 * a result that cannot be decoded (whatever is thrown, {@link Error}s included) fails its task
 * only; anything else a reader cannot handle kills its worker (logged), whose tasks then fail or
 * run elsewhere; a task the pipe refuses fails alone; and a failure in the pool's own bookkeeping
 * breaks the pool (logged), failing every pending task with a {@link BrokenProcessPoolException}.
 *
 * <p>This class decides what requests, results and worker deaths do to the pool; its parts, which
 * all share its one lock: {@link WorkerSlot} (a worker and its reader), {@link Dispatcher} (which
 * task goes where, and the sends), {@link PoolLifecycle} (the states, broken included),
 * {@link FunctionCache} and {@link WorkerFunctions} (functions serialized once, sent once).
 */
final class WorkerPool {

  /** The pool engine's one logger, for its parts in other classes too. */
  static final Logger LOG = Log.get(WorkerPool.class);
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

  private final int size;
  private final boolean onDemand;
  private final int maxTasksPerChild;
  private final byte[] initializer;
  private final Consumer<Process.Builder> options;
  private final Context context;
  private final boolean poolWorkerNames;
  /** The workers elsewhere that run this pool's tasks, or null for worker processes of this JVM. */
  private final RemoteWorkers remote;
  private final String threadPrefix = "pool-" + POOLS.incrementAndGet() + "-";

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled on every change a waiter may care about: a worker gone, dispatch wanted. */
  private final Condition changed = lock.newCondition();
  private final List<WorkerSlot> workers = new ArrayList<>();
  private final Dispatcher dispatch = new Dispatcher(this, lock, changed, workers);
  /** Tasks no worker has yet; the dispatcher's queue, guarded by {@link #lock}. */
  private final ArrayDeque<PoolTask> pending = dispatch.pending;
  private final List<Thread> threads = new ArrayList<>();
  /** Guarded by {@link #lock}. */
  private final PoolLifecycle lifecycle;
  private final FunctionCache functions = new FunctionCache();
  /** Counters and flight recorder events. */
  final PoolTelemetry telemetry = new PoolTelemetry(threadPrefix.substring(0, threadPrefix.length() - 1));

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
    this.lifecycle = new PoolLifecycle(breakOnDeath);
    this.remote = null;
    LIVE.add(this);
    lock.lock();
    try {
      if (!onDemand) {
        for (int i = 0; i < size; i++) {
          startWorkerLocked();
        }
      }
      startDispatcherLocked();
    } catch (RuntimeException | Error e) {
      lifecycle.terminate();
      for (WorkerSlot s : workers) {
        s.terminate();
      }
      LIVE.remove(this);
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Creates a pool whose tasks run elsewhere (a cluster's members): one slot, a
   * {@link RemoteChannel}, stands for all the remote workers, and everything else of the pool
   * (order, chunks, callbacks, states) is the local pool's.
   *
   * @param remote where the tasks run
   * @param breakOnDeath as for local workers: the executor's flavour of the pool's states
   */
  WorkerPool(RemoteWorkers remote, boolean breakOnDeath) {
    this.size = 0;
    this.onDemand = false;
    this.maxTasksPerChild = 0;
    this.initializer = null;
    this.options = b -> { };
    this.context = null;
    this.poolWorkerNames = false;
    this.lifecycle = new PoolLifecycle(breakOnDeath);
    this.remote = remote;
    LIVE.add(this);
    lock.lock();
    try {
      WorkerSlot s = new WorkerSlot(new RemoteChannel(remote));
      workers.add(s);
      startReaderLocked(s);
      startDispatcherLocked();
    } finally {
      lock.unlock();
    }
    // More remote workers (a member joined): what waits may go now.
    remote.onCapacityChange(() -> {
      lock.lock();
      try {
        dispatch.wantLocked();
      } finally {
        lock.unlock();
      }
    });
  }

  private void startDispatcherLocked() {
    Thread dispatcher = new Thread(dispatch::loop, threadPrefix + "dispatcher");
    dispatcher.setDaemon(true);
    threads.add(dispatcher);
    dispatcher.start();
  }

  /**
   * Runs a task given as the pool protocol's messages (from a cluster member's caller) on this
   * pool's workers.
   *
   * @param function the DEFINE message of its function
   * @param task its TASK message
   * @param where names this JVM in failures
   * @return completes with the worker's OK or ERROR message, never exceptionally; cancelling it
   *     stops the task: dropped if no worker has it yet, its worker killed (and replaced, as after
   *     any death) if it runs
   */
  java.util.concurrent.CompletableFuture<byte[]> runMessages(byte[] function, byte[] task, String where) {
    MessageSink sink = new MessageSink(where);
    try {
      PoolTask t = new PoolTask(functions.fromMessage(function), TaskKind.of(task[PoolProtocol.KIND_AT]),
          java.util.Arrays.copyOfRange(task, PoolProtocol.TASK_HEADER, task.length), sink, null);
      if (!submit(List.of(t), false)) {
        sink.failed(new BrokenProcessPoolException("the pool of " + where + " is closed", null));
      }
      sink.answer.whenComplete((m, e) -> {
        if (sink.answer.isCancelled()) {
          stopTask(t);
        }
      });
    } catch (RuntimeException e) {
      sink.failed(e);
    }
    return sink.answer;
  }

  /**
   * Stops a task whose caller gave up: a pending one is dropped, the worker that runs it is
   * killed, as {@code terminate()} kills a local pool's workers. One that waits in a worker's pipe
   * behind another task is left to run (killing the worker would kill that other task too).
   */
  private void stopTask(PoolTask t) {
    WorkerSlot runner = null;
    lock.lock();
    try {
      if (pending.remove(t)) {
        return;
      }
      for (WorkerSlot s : workers) {
        if (s.process != null && s.inFlight.peekFirst() == t && t.sent) {
          runner = s;
          break;
        }
      }
    } finally {
      lock.unlock();
    }
    if (runner != null) {
      LOG.info("killing worker {}: the caller of its task gave up", runner.where);
      runner.kill();
    }
  }

  /** The number of workers the pool keeps. */
  public int size() {
    return remote != null ? Math.max(1, remote.capacity()) : size;
  }


  /** The pool's state. */
  public PoolLifecycle.State state() {
    lock.lock();
    try {
      return lifecycle.state();
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
    return functions.get(fn, what);
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
    List<WorkerSlot> touched;
    lock.lock();
    try {
      if (!lifecycle.accepts(fed)) {
        return false;
      }
      if (onDemand) {
        startOnDemandLocked(); // first: if no worker can be started, nothing is queued
      }
      pending.addAll(tasks);
      touched = dispatch.assignLocked();
    } finally {
      lock.unlock();
    }
    dispatch.flush(touched);
    return true;
  }

  /**
   * Removes tasks that no worker has yet, all or none.
   *
   * @param tasks the tasks
   * @return whether they were all still pending (and are now removed)
   */
  public boolean cancel(Collection<PoolTask> tasks) {
    List<WorkerSlot> stopping;
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
    dispatch.flush(stopping);
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
      return lifecycle.openFeed();
    } finally {
      lock.unlock();
    }
  }

  /** Ends a producer registered with {@link #openFeed()}. */
  public void closeFeed() {
    List<WorkerSlot> stopping;
    lock.lock();
    try {
      lifecycle.closeFeed();
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    dispatch.flush(stopping);
  }

  /**
   * Removes every task no worker has yet (CPython's {@code cancel_futures}); the open feeds may
   * submit no more, so what a running {@code map} has not read yet is cancelled too.
   *
   * @return the removed tasks, in order
   */
  public List<PoolTask> drainPending() {
    List<PoolTask> out;
    List<WorkerSlot> stopping;
    lock.lock();
    try {
      out = new ArrayList<>(pending);
      pending.clear();
      lifecycle.cancelFeeds(); // the rest of a running map is cancelled too, as CPython's queued items are
      stopping = stopIdleLocked();
    } finally {
      lock.unlock();
    }
    dispatch.flush(stopping);
    return out;
  }

  /** Stops accepting work; the workers exit once the queued work is done (CPython's {@code close()}). */
  public void shutdown() {
    List<WorkerSlot> stopping;
    lock.lock();
    try {
      lifecycle.close();
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    dispatch.flush(stopping);
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
    List<WorkerSlot> slots;
    lock.lock();
    try {
      if (!lifecycle.terminate()) {
        return unsent;
      }
      slots = stopWorkersLocked(running, unsent);
    } finally {
      lock.unlock();
    }
    for (WorkerSlot s : slots) {
      s.terminate();
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
      while (lifecycle.state() == PoolLifecycle.State.RUN || !endedLocked()) {
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
      return lifecycle.state() != PoolLifecycle.State.RUN && endedLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Tells whether nothing can start a worker any more (see {@link PoolLifecycle#ended}). */
  boolean endedLocked() {
    return lifecycle.ended(workers.isEmpty());
  }

  /** Drops the pool from {@link #LIVE} once it has ended, also when no worker was left to end last. */
  private void forgetIfEndedLocked() {
    if (endedLocked()) {
      LIVE.remove(this);
    }
  }

  /** What the pool is doing and has done, for {@code statistics()}. */
  public PoolStatistics statistics() {
    int busy = 0;
    int count;
    int queued;
    lock.lock();
    try {
      count = workers.size();
      for (WorkerSlot s : workers) {
        if (!s.inFlight.isEmpty()) {
          busy++;
        }
      }
      queued = pending.size();
    } finally {
      lock.unlock();
    }
    return telemetry.snapshot(count, busy, queued);
  }

  /** The pids of the live workers, for tests and diagnostics. */
  public List<Long> workerPids() {
    lock.lock();
    try {
      List<Long> pids = new ArrayList<>();
      for (WorkerSlot s : workers) {
        if (s.process != null) {
          pids.add(s.process.pid());
        }
      }
      return pids;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Breaks the pool when one of its own threads met what it cannot handle: every pending and
   * running task fails with the {@link BrokenProcessPoolException}, which later submissions
   * throw too, and the workers are terminated (their readers then see them gone).
   */
  void breakPool(String why, Throwable cause) {
    List<PoolTask> failed = new ArrayList<>();
    List<WorkerSlot> slots;
    BrokenProcessPoolException b;
    lock.lock();
    try {
      b = lifecycle.breakWith(new BrokenProcessPoolException(why, cause));
      slots = stopWorkersLocked(failed, failed);
    } finally {
      lock.unlock();
    }
    for (WorkerSlot s : slots) {
      s.terminate();
    }
    for (PoolTask t : failed) {
      t.fail(b);
    }
  }

  /**
   * Takes every task off the queue and the workers and marks the workers stopping; the caller
   * terminates the returned workers once it has released the lock.
   *
   * @param running receives the first task sent to each worker: only it can have started
   * @param unsent receives the others, pending ones first
   */
  private List<WorkerSlot> stopWorkersLocked(List<PoolTask> running, List<PoolTask> unsent) {
    unsent.addAll(pending);
    pending.clear();
    for (WorkerSlot s : workers) {
      s.takeAll(running, unsent);
    }
    List<WorkerSlot> slots = new ArrayList<>(workers);
    forgetIfEndedLocked();
    changed.signalAll();
    return slots;
  }

  // ---- workers

  private void startOnDemandLocked() {
    for (WorkerSlot s : workers) {
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
    WorkerSlot s = new WorkerSlot(p, WorkerChannel.of(pipe.conn1()), maxTasksPerChild);
    s.waitsForReady = !onDemand; // an executor's worker starts for a task: it takes it at once
    workers.add(s);
    startReaderLocked(s);
  }

  private void startReaderLocked(WorkerSlot s) {
    Thread reader = new Thread(() -> dispatch.runAsReader(() -> s.read(this)), threadPrefix + "reader-" + (s.process != null ? s.process.name() : "remote"));
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
  private List<WorkerSlot> stopIdleLocked() {
    List<WorkerSlot> out = new ArrayList<>(0);
    if (!lifecycle.idleMayStop(pending.isEmpty())) {
      return out;
    }
    for (WorkerSlot s : workers) {
      if (s.inFlight.isEmpty() && !s.stopping) {
        s.stopping = true;
        out.add(s);
      }
    }
    return out;
  }

  /** The end of a worker's reader: the worker is gone, whatever ended its reader. */
  void onReaderEnd(WorkerSlot s) {
    try {
      onWorkerGone(s);
    } catch (RuntimeException | Error e) {
      LOG.error("the pool could not deal with the end of worker {}; the pool is broken", s.where, e);
      breakPool("the pool failed while worker " + s.where + " ended (" + e + "); the pool is not usable anymore", e);
      forget(s);
    }
  }

  /** Drops a worker whose end could not be dealt with, so that waiting for the pool ends. */
  private void forget(WorkerSlot s) {
    lock.lock();
    try {
      workers.remove(s);
      forgetIfEndedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void onReady(WorkerSlot s) {
    List<WorkerSlot> touched = new ArrayList<>(2);
    lock.lock();
    try {
      s.ready = true;
      assignFromReaderLocked(touched); // the tasks that waited for a worker up
    } finally {
      lock.unlock();
    }
    dispatch.flush(touched);
  }

  /**
   * Gives pending tasks to workers, from a reader: the workers whose sends cannot block go into
   * {@code toFlush}, for the caller to flush after unlocking; the others to the dispatcher.
   */
  private void assignFromReaderLocked(List<WorkerSlot> toFlush) {
    for (WorkerSlot t : dispatch.assignLocked()) {
      if (t.sendsCannotBlock()) {
        toFlush.add(t);
      } else {
        dispatch.wantLocked();
      }
    }
  }

  void onResult(WorkerSlot s, byte[] m) {
    long id = PoolProtocol.getLong(m, PoolProtocol.ID_AT);
    PoolTask task;
    List<WorkerSlot> stopping;
    lock.lock();
    try {
      task = s.answered(id);
      if (task == null) {
        return; // cancelled by terminate()
      }
      stopping = stopIdleLocked();
      // Send the next tasks from here, before decoding this result, when that cannot block: a
      // hand-off to the dispatcher costs a thread wake-up per task.
      assignFromReaderLocked(stopping);
    } finally {
      lock.unlock();
    }
    try {
      dispatch.flush(stopping);
    } finally {
      // The task is no longer in flight: whatever happens from here, it must complete now, or
      // its caller would wait for ever.
      telemetry.answered(task, s, m[0] == PoolProtocol.OK);
      task.complete(m, s.where);
    }
  }

  private void onWorkerGone(WorkerSlot s) {
    Integer exitCode = null;
    try {
      if (s.process != null) {
        if (!s.process.join(EXIT_WAIT)) {
          s.process.kill();
          s.process.join(EXIT_WAIT);
        }
        exitCode = s.process.exitCode();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    s.conn.close();
    PoolTask died = null;
    List<PoolTask> failed = new ArrayList<>();
    BrokenProcessPoolException breaking = null;
    List<WorkerSlot> stopping;
    BrokenProcessPoolException broken;
    boolean unasked;
    WorkerSlot replacement = null;
    lock.lock();
    try {
      unasked = s.process != null && !s.stopping;
      workers.remove(s);
      s.outbox.clear();
      if (lifecycle.running()) {
        breaking = s.process != null ? lifecycle.brokenBy(s, exitCode) : remoteEnded(s);
        if (breaking == null && !s.inFlight.isEmpty()) {
          died = s.requeueAfterDeath(pending);
        }
      }
      if (breaking != null) {
        lifecycle.breakWith(breaking);
        failed.addAll(s.inFlight);
        s.inFlight.clear();
        failed.addAll(pending);
        pending.clear();
        for (WorkerSlot other : workers) {
          other.takeAll(failed, failed);
          other.terminate();
        }
      } else if (s.process != null && lifecycle.replaces(onDemand, pending.isEmpty())) {
        try {
          startWorkerLocked();
          replacement = workers.get(workers.size() - 1);
        } catch (RuntimeException | Error e) {
          LOG.error("cannot start a replacement pool worker", e);
          lifecycle.breakWith(new BrokenProcessPoolException("cannot start a replacement worker: " + e, e));
          failed.addAll(pending);
          pending.clear();
        }
      }
      if (!pending.isEmpty()) {
        dispatch.wantLocked();
      }
      stopping = stopIdleLocked();
      forgetIfEndedLocked();
      changed.signalAll();
      broken = breaking != null ? breaking : lifecycle.broken();
    } finally {
      lock.unlock();
    }
    dispatch.flush(stopping);
    if (unasked) {
      telemetry.workerEnded(s, exitCode, replacement);
    }
    if (died != null) {
      telemetry.died(died, s);
      died.fail(s.readerFailure != null
          ? new io.github.multiprocessing4j.MultiprocessingException("the pool could not read from worker " + s.where
              + " (" + s.readerFailure + "), which was killed and replaced", s.readerFailure)
          : new WorkerDiedException("worker " + s.where + " died with exit code " + exitCode
              + " while running this task", exitCode));
    }
    for (PoolTask t : failed) {
      t.fail(broken);
    }
  }

  /** What the end of a remote slot does to a running pool: nothing after its STOP, else it breaks. */
  private static BrokenProcessPoolException remoteEnded(WorkerSlot s) {
    if (s.stopSent && s.inFlight.isEmpty()) {
      return null;
    }
    return new BrokenProcessPoolException("the pool's link to " + s.where + " ended"
        + (s.readerFailure != null ? " (" + s.readerFailure + ")" : "") + "; the pool is not usable anymore",
        s.readerFailure);
  }

  /** For the facades' {@code toString}. */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "state=" + lifecycle + ", pool_size=" + size() + (remote != null ? ", workers=" + remote.describe() : "");
    } finally {
      lock.unlock();
    }
  }
}
