package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.pool.ResultIterator;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The object behind the proxy of a managed pool's {@code imap} or {@code imapUnordered}, in the
 * manager's process: the pool's {@link ResultIterator}, which holds its {@link PoolObject} until
 * the server drops it, as CPython's manager serves an {@code IMapIterator} as typeid
 * {@code 'Iterator'}.
 *
 * @param <T> the result type
 */
final class ResultIteratorObject<T> implements ResultIterator<T>, OnRelease {

  private final ResultIterator<T> results;
  private final PoolObject pool;
  private final AtomicBoolean released = new AtomicBoolean();

  ResultIteratorObject(ResultIterator<T> results, PoolObject pool) {
    this.results = results;
    this.pool = pool;
  }

  @Override
  public boolean hasNext() {
    return results.hasNext();
  }

  @Override
  public T next() {
    return results.next();
  }

  @Override
  public T next(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    return results.next(timeout);
  }

  @Override
  public void released() {
    if (released.compareAndSet(false, true)) {
      pool.drop();
    }
  }

  @Override
  public String toString() {
    return results.toString();
  }
}
