package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.connection.ConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which task goes to which worker, and the sending: the queue of tasks no worker has yet, their
 * assignment to the least loaded worker with room, each worker's outbox written to its pipe, and
 * the dispatcher thread that sends what a reader must not. Apart from {@link WorkerPool}, which
 * decides what the workers' messages and ends do to the pool, because this is the hot path of
 * every task and its rule, that a reader never waits on a pipe, must read in one place.
 *
 * <p>Shares the pool's lock (one lock per task, not two); methods named {@code ...Locked} are
 * called with it held, the others without.
 */
final class Dispatcher {

  /** Tasks no worker has yet, in order; guarded by the pool's lock. */
  final ArrayDeque<PoolTask> pending = new ArrayDeque<>();
  private final WorkerPool pool;
  private final ReentrantLock lock;
  private final Condition changed;
  /** The pool's workers; guarded by the pool's lock. */
  private final List<WorkerSlot> workers;
  /** The reader threads, which must never wait on a pipe (see {@link #flush(WorkerSlot)}). */
  private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
  /** Guarded by the pool's lock. */
  private boolean wanted;

  Dispatcher(WorkerPool pool, ReentrantLock lock, Condition changed, List<WorkerSlot> workers) {
    this.pool = pool;
    this.lock = lock;
    this.changed = changed;
    this.workers = workers;
  }

  /** Runs a worker's reader loop, marked as a reader so that its sends never wait on a pipe. */
  void runAsReader(Runnable loop) {
    readers.add(Thread.currentThread());
    try {
      loop.run();
    } finally {
      readers.remove(Thread.currentThread());
    }
  }

  /** Asks the dispatcher thread to assign and send what it can. */
  void wantLocked() {
    wanted = true;
    changed.signalAll();
  }

  /** Gives pending tasks to workers with room, least loaded first; returns the workers to flush. */
  List<WorkerSlot> assignLocked() {
    List<WorkerSlot> touched = new ArrayList<>(2);
    int booting = 0; // workers not up yet that will take tasks once they are
    for (WorkerSlot s : workers) {
      if (!s.up() && s.accepts()) {
        booting++;
      }
    }
    while (!pending.isEmpty()) {
      WorkerSlot best = null;
      for (WorkerSlot s : workers) {
        // A worker up takes a second task only if one is left for each booting worker: two
        // tasks that must run at once still get two workers, and a map's chunks still queue.
        if (s.up() && s.accepts() && (s.inFlight.isEmpty() || pending.size() > booting)
            && (best == null || s.inFlight.size() < best.inFlight.size())) {
          best = s;
        }
      }
      if (best == null) {
        break;
      }
      PoolTask t = pending.poll();
      best.inFlight.add(t);
      best.outbox.add(t);
      best.assigned++;
      if (!touched.contains(best)) {
        touched.add(best);
      }
    }
    return touched;
  }

  void flush(List<WorkerSlot> slots) {
    for (WorkerSlot s : slots) {
      flush(s);
    }
  }

  /**
   * Sends a worker's outbox. Whoever holds the worker's send lock sends everything queued for it,
   * including what others queued meanwhile; they return at once instead of waiting.
   */
  void flush(WorkerSlot s) {
    boolean fromReader = readers.contains(Thread.currentThread());
    while (s.sendLock.tryLock()) {
      try {
        while (true) {
          PoolTask t;
          lock.lock();
          try {
            if (fromReader && !s.outbox.isEmpty() && !s.sendsCannotBlock()) {
              // A large task joined meanwhile: a reader must not wait on a pipe, so leave it.
              wantLocked();
              return;
            }
            t = s.outbox.poll();
            if (t != null) {
              // Marked before the send: once the bytes are in the pipe the worker may run the
              // task and die before this thread returns, and that task must be the one blamed.
              t.sent = true;
              t.sentAt = System.nanoTime();
            }
          } finally {
            lock.unlock();
          }
          if (t == null) {
            sendStopIfDue(s);
            break;
          }
          try {
            s.functions.send(s.conn, t);
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
  private void sendStopIfDue(WorkerSlot s) {
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
  private void failUnsendable(WorkerSlot s, PoolTask t, Throwable e) {
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
      WorkerPool.LOG.error("cannot send a task to pool worker {}; killing it", s.where, e);
      s.kill();
    }
    if (mine) {
      t.fail(new io.github.multiprocessing4j.MultiprocessingException(
          "the task cannot be sent to worker " + s.where + ": " + e, e));
    }
  }

  /** A task whose send failed; {@code retry}: back to the front of the outbox, for the dispatcher. */
  private void unsent(WorkerSlot s, PoolTask t, boolean retry) {
    lock.lock();
    try {
      t.sent = false;
      if (retry && s.inFlight.contains(t)) {
        s.outbox.addFirst(t);
        wantLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The dispatcher thread's body: sends what was wanted until the pool has ended. */
  void loop() {
    lock.lock();
    try {
      while (true) {
        while (!wanted) {
          if (pool.endedLocked()) {
            return;
          }
          changed.await();
        }
        wanted = false;
        List<WorkerSlot> touched = assignLocked();
        for (WorkerSlot s : workers) {
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
        WorkerPool.LOG.error("the pool's dispatcher failed; the pool is broken", e);
        pool.breakPool("the pool's dispatcher thread failed (" + e + "); the pool is not usable anymore", e);
      } finally {
        lock.lock();
      }
    } finally {
      lock.unlock();
    }
  }
}
