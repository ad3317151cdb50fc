package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.transport.PutFence;
import java.time.Duration;

/**
 * A {@link Queue} that also counts unfinished tasks: CPython's {@code multiprocessing.JoinableQueue}.
 * Every {@code put} adds a task; a consumer calls {@link #taskDone()} once it has processed an
 * item; {@link #join()} waits until every task put so far is done. A task is counted when its
 * {@code put} returns: a {@code join()} that happens after the put in any process (after an
 * {@code Event} the putter set, for one) waits for its {@code taskDone()}; see {@link Queue#put(Object)}.
 *
 * @param <E> the type of the items
 */
public class JoinableQueue<E> extends Queue<E> {

  private static final long serialVersionUID = 1L;

  /** Creates an unbounded queue. */
  public JoinableQueue() {
    super(0);
  }

  /**
   * Creates a queue that holds at most {@code maxsize} items.
   *
   * @param maxsize the limit; zero or negative for none
   */
  public JoinableQueue(int maxsize) {
    super(maxsize);
  }

  /** A queue that another process created, served at {@code address}. */
  JoinableQueue(String address, long id, long ownerPid, int maxsize) {
    super(address, id, ownerPid, maxsize);
  }

  /**
   * Marks one task done: CPython's {@code task_done()}.
   *
   * @throws IllegalStateException {@code "task_done() called too many times"}, or if closed
   * @throws ConnectionException if the process that created the queue has ended
   */
  public void taskDone() {
    checkOpen();
    QueueStore s = store();
    if (s != null) {
      PutFence.await();
      s.taskDone();
    } else {
      uninterruptibly(() -> {
        client().taskDone();
        return null;
      });
    }
  }

  /**
   * Waits until every item put so far has been marked done; returns at once if none is unfinished.
   *
   * @throws IllegalStateException if closed
   * @throws ConnectionException if the process that created the queue has ended
   * @throws InterruptedException if interrupted while waiting
   */
  public void join() throws InterruptedException {
    join(FOREVER);
  }

  /**
   * Waits up to {@code timeout} until every item put so far has been marked done.
   *
   * @param timeout how long to wait
   * @return false if tasks were still unfinished when the time ran out
   * @throws IllegalStateException if closed
   * @throws ConnectionException if the process that created the queue has ended
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean join(Duration timeout) throws InterruptedException {
    return join(nanos(timeout));
  }

  private boolean join(long timeoutNanos) throws InterruptedException {
    checkOpen();
    QueueStore s = store();
    if (s != null) {
      PutFence.await();
      QueueStore.Waiter w = s.join(null);
      return w == null || s.await(w, timeoutNanos);
    }
    return client().join(timeoutNanos == FOREVER ? -1 : timeoutNanos);
  }

  @Override
  ObjectRef.Kind kind() {
    return ObjectRef.Kind.JOINABLE_QUEUE;
  }
}
