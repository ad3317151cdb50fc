package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;

/**
 * A managed joinable queue: CPython's {@code manager.JoinableQueue()} (a {@code queue.Queue} in
 * the manager's process), a {@link BlockingQueue} proxy as {@link SyncManager#queue()} is, plus
 * CPython's {@code task_done()} and {@code join()} under the names of the library's
 * {@link io.github.multiprocessing4j.queues.JoinableQueue}. Every item put counts as an unfinished
 * task until a {@link #taskDone()} says it is done; {@link #join()} waits, in the manager's
 * process, until none is unfinished.
 *
 * <pre>{@code
 * JoinableQueueProxy<String> q = manager.joinableQueue();
 * // a consumer, in any process: String job = q.take(); ...work...; q.taskDone();
 * q.put("job");
 * q.join();                  // returns once the consumer called taskDone()
 * }</pre>
 *
 * <p>Obtained from {@link SyncManager#joinableQueue()}; thread-safe. As with {@code queue()}, a
 * wait ({@code take()}, {@code join()}) holds one of the process's connections, and interrupting
 * the waiting thread ends its wait here but not in the server.
 *
 * @param <E> the item type
 */
public interface JoinableQueueProxy<E> extends BlockingQueue<E> {

  /**
   * Says that an item taken from the queue has been dealt with: CPython's {@code task_done()}.
   *
   * @throws IllegalStateException {@code "task_done() called too many times"} if there are more
   *     calls than items put
   */
  void taskDone();

  /**
   * Waits until every item put has been taken and its {@link #taskDone()} called: CPython's
   * {@code join()}.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void join() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for every item put to be done, as {@link #join()}.
   *
   * @param timeout the longest wait; zero or negative does not wait
   * @return whether every item is done
   * @throws InterruptedException if interrupted while waiting
   */
  boolean join(Duration timeout) throws InterruptedException;
}
