package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.ConnectionException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker process and what the parent knows about it: its end of the worker's pipe, the tasks
 * it holds, and the body of its reader thread. Apart from {@link WorkerPool} because a worker's
 * own bookkeeping (how many tasks it may take, which one died with it) needs nothing of the
 * pool's; what its messages do to the pool, the pool decides.
 *
 * <p>Fields marked so are guarded by the pool's lock, which the caller holds.
 */
final class WorkerSlot {

  /** Tasks a worker holds at most: one running, one waiting in its pipe (see {@link WorkerPool}). */
  static final int DEPTH = 2;

  /** The worker process, or null for a slot whose tasks run elsewhere ({@link #remote}). */
  final Process process;
  final WorkerChannel conn;
  /** The channel of a slot whose tasks run elsewhere, else null. */
  final RemoteChannel remote;
  final String where;
  /** Tasks given to this worker and not answered, oldest first; guarded by the pool's lock. */
  final ArrayDeque<PoolTask> inFlight = new ArrayDeque<>();
  /** The unsent tail of {@link #inFlight}; guarded by the pool's lock. */
  final ArrayDeque<PoolTask> outbox = new ArrayDeque<>();
  /** Orders the sends to this worker. */
  final ReentrantLock sendLock = new ReentrantLock();
  /** What the worker holds; guarded by {@link #sendLock}. */
  final WorkerFunctions functions = new WorkerFunctions();
  private final int maxTasks;
  /** Guarded by the pool's lock. */
  int assigned;
  boolean ready;
  /**
   * Tasks wait for this worker's READY instead of queuing in its pipe while its JVM boots, so that
   * a new pool's first tasks go to the first worker up, not to the first one started. Guarded by
   * the pool's lock.
   */
  boolean waitsForReady;
  /** No more tasks for this worker; STOP is due once its outbox is sent. Guarded by the pool's lock. */
  boolean stopping;
  /** Guarded by the pool's lock. */
  boolean stopSent;
  Throwable initFailure;
  /** What made this worker's reader give up on it, if anything did; set by the reader only. */
  Throwable readerFailure;

  /**
   * @param process the started worker
   * @param conn the pool's end of its pipe
   * @param maxTasks tasks after which it exits, 0 for never
   */
  WorkerSlot(Process process, WorkerChannel conn, int maxTasks) {
    this.process = process;
    this.conn = conn;
    this.remote = null;
    this.maxTasks = maxTasks;
    this.where = process.name() + ", pid " + process.pid();
  }

  /**
   * A slot whose tasks run elsewhere: it stands for every remote worker at once, so its depth is
   * theirs, and it never dies of a worker (the remote side retries or fails a task itself).
   *
   * @param remote the channel to the remote workers
   */
  WorkerSlot(RemoteChannel remote) {
    this.process = null;
    this.conn = remote;
    this.remote = remote;
    this.maxTasks = 0;
    this.where = remote.where();
  }

  /** Tells whether the worker may be given another task. */
  boolean accepts() {
    int depth = remote == null ? DEPTH : remote.depth();
    return !stopping && inFlight.size() < depth && (maxTasks == 0 || assigned < maxTasks);
  }

  /** Tells whether tasks may be sent to this worker now: it said READY, or need not. */
  boolean up() {
    return ready || !waitsForReady;
  }

  /** Stops the worker with SIGTERM; a remote slot's channel is closed. */
  void terminate() {
    if (process != null) {
      process.terminate();
    } else {
      conn.close();
    }
  }

  /** Stops the worker with SIGKILL; a remote slot's channel is closed. */
  void kill() {
    if (process != null) {
      process.kill();
    } else {
      conn.close();
    }
  }

  /**
   * Tells whether a reader may send this worker's outbox: when every task the worker holds is
   * small, at most {@value #DEPTH} small tasks can be unread in its pipe, which then always has
   * room, so a reader never waits on a worker that may be waiting for that reader.
   */
  boolean sendsCannotBlock() {
    if (remote != null) {
      return true; // a remote send only starts a run
    }
    for (PoolTask t : inFlight) {
      if (!t.small) {
        return false;
      }
    }
    return true;
  }

  /** Tells whether the worker exited because it had run its {@code maxTasksPerChild} tasks. */
  boolean retired(Integer exitCode) {
    return exitCode != null && exitCode == 0 && maxTasks > 0 && assigned >= maxTasks;
  }

  /**
   * Takes the task a result answers off {@link #inFlight}.
   *
   * @return the task, or null if it is no longer here (cancelled by {@code terminate()})
   */
  PoolTask answered(long id) {
    for (PoolTask t : inFlight) {
      if (t.id == id) {
        inFlight.remove(t);
        return t;
      }
    }
    return null;
  }

  /**
   * Takes every task off this worker, which is to stop.
   *
   * @param running receives the first task sent: a worker runs its tasks in order, so only it
   *     can have started (every task sent, for a remote slot)
   * @param unsent receives the others
   */
  void takeAll(List<PoolTask> running, List<PoolTask> unsent) {
    boolean first = true;
    for (PoolTask t : inFlight) {
      // A remote slot's workers run its sent tasks side by side: any of them may have started.
      ((first || remote != null) && t.sent ? running : unsent).add(t);
      first = false;
    }
    inFlight.clear();
    outbox.clear();
    stopping = true;
  }

  /**
   * After the worker died: takes the task that died with it (the first one sent, if any) and puts
   * the others, which never started, at the front of {@code pending}, in order, to run elsewhere.
   *
   * @return the task that died, or null
   */
  PoolTask requeueAfterDeath(ArrayDeque<PoolTask> pending) {
    PoolTask died = null;
    PoolTask first = inFlight.poll();
    if (first.sent) {
      died = first;
    } else {
      inFlight.addFirst(first);
    }
    for (var it = inFlight.descendingIterator(); it.hasNext(); ) {
      PoolTask t = it.next();
      t.sent = false;
      pending.addFirst(t);
    }
    inFlight.clear();
    return died;
  }

  /**
   * The reader thread's body: hands each message of the worker to the pool until the worker
   * ends, then tells the pool so, whatever happened.
   */
  void read(WorkerPool pool) {
    try {
      while (true) {
        byte[] m = conn.recvBytes();
        switch (m[0]) {
          case PoolProtocol.READY:
            pool.onReady(this);
            break;
          case PoolProtocol.INIT_FAILED:
            initFailure = PoolProtocol.readFailure(m, PoolProtocol.INIT_FAILURE_AT, where);
            break;
          case PoolProtocol.OK:
          case PoolProtocol.ERROR:
            pool.onResult(this, m);
            break;
          default:
            throw new IllegalStateException("unknown message " + m[0] + " from worker " + where);
        }
      }
    } catch (ConnectionException e) {
      // the worker ended (or was terminated)
    } catch (InterruptedException e) {
      // only at JVM exit
    } catch (RuntimeException | Error e) {
      // Whatever it is, this worker's stream cannot be trusted any more: the worker is killed,
      // and the pool fails (or requeues) what it held, blaming this failure.
      WorkerPool.LOG.error("the pool's reader for worker {} failed; killing the worker", where, e);
      readerFailure = e;
      kill();
    } finally {
      pool.onReaderEnd(this);
    }
  }
}
