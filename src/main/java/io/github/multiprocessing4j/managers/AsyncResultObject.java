package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.pool.AsyncResult;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The object behind an {@link AsyncResultProxy}, in the manager's process: a pool's
 * {@link AsyncResult}, which holds its {@link PoolObject} until the server drops it.
 */
final class AsyncResultObject<T> implements AsyncResultProxy<T>, OnRelease {

  private final AsyncResult<T> result;
  private final PoolObject pool;
  private final AtomicBoolean released = new AtomicBoolean();

  AsyncResultObject(AsyncResult<T> result, PoolObject pool) {
    this.result = result;
    this.pool = pool;
  }

  @Override
  public boolean ready() {
    return result.ready();
  }

  @Override
  public boolean successful() {
    return result.successful();
  }

  @Override
  public void await() throws InterruptedException {
    result.await();
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return result.await(timeout);
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    return result.get();
  }

  @Override
  public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
    return result.get(timeout, unit);
  }

  @Override
  public T get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    return result.get(timeout);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return result.cancel(mayInterruptIfRunning);
  }

  @Override
  public boolean isCancelled() {
    return result.isCancelled();
  }

  @Override
  public boolean isDone() {
    return result.isDone();
  }

  @Override
  public void released() {
    if (released.compareAndSet(false, true)) {
      pool.drop();
    }
  }

  @Override
  public String toString() {
    return result.toString();
  }
}
