package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.pool.SerializableFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The object behind a {@link PoolProxy}, in the manager's process: a {@link Pool}, terminated when
 * the server has dropped it and every pending result it handed out ({@link AsyncResultObject},
 * {@link ResultIteratorObject}),
 * which need the pool to finish. The manager's process terminates it at exit in any case, as it
 * does every pool.
 */
final class PoolObject implements PoolProxy, OnRelease {

  private final Pool pool;
  /** The table's reference to this pool, and one per result still in the table. */
  private final AtomicInteger holders = new AtomicInteger(1);

  PoolObject(Pool pool) {
    this.pool = pool;
  }

  @Override
  public <R> R apply(SerializableCallable<R> task) throws InterruptedException, ExecutionException {
    return pool.apply(task);
  }

  @Override
  public <R> AsyncResultProxy<R> applyAsync(SerializableCallable<R> task) {
    return result(pool.applyAsync(task));
  }

  @Override
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items)
      throws InterruptedException, ExecutionException {
    return new ArrayList<>(pool.<T, R>map(fn, items));
  }

  @Override
  public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize) throws InterruptedException, ExecutionException {
    return new ArrayList<>(pool.<T, R>map(fn, items, chunksize));
  }

  @Override
  public <T, R> AsyncResultProxy<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items) {
    return result(pool.<T, R>mapAsync(fn, items));
  }

  @Override
  public <R> List<R> starmap(SerializableFunction<Args, ? extends R> fn, Iterable<? extends List<?>> argLists)
      throws InterruptedException, ExecutionException {
    return new ArrayList<>(pool.<R>starmap(fn, argLists));
  }

  @Override
  public <R> AsyncResultProxy<List<R>> starmapAsync(SerializableFunction<Args, ? extends R> fn,
      Iterable<? extends List<?>> argLists) {
    return result(pool.<R>starmapAsync(fn, argLists, 0, null, null));
  }

  @Override
  public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return results(pool.<T, R>imap(fn, items));
  }

  @Override
  public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
      int chunksize) {
    return results(pool.<T, R>imap(fn, items, chunksize));
  }

  @Override
  public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items) {
    return results(pool.<T, R>imapUnordered(fn, items));
  }

  @Override
  public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items, int chunksize) {
    return results(pool.<T, R>imapUnordered(fn, items, chunksize));
  }

  @Override
  public void shutdown() {
    pool.shutdown();
  }

  @Override
  public void terminate() {
    pool.terminate();
  }

  @Override
  public void join() throws InterruptedException {
    pool.join();
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    return pool.join(timeout);
  }

  @Override
  public int processes() {
    return pool.processes();
  }

  @Override
  public List<Long> workerPids() {
    return new ArrayList<>(pool.workerPids());
  }

  private <R> AsyncResultProxy<R> result(AsyncResult<R> r) {
    holders.incrementAndGet();
    return new AsyncResultObject<>(r, this);
  }

  private <R> ResultIterator<R> results(ResultIterator<R> r) {
    holders.incrementAndGet();
    return new ResultIteratorObject<>(r, this);
  }

  @Override
  public void released() {
    drop();
  }

  /** One holder fewer; the last one terminates the pool (which only signals its workers). */
  void drop() {
    if (holders.decrementAndGet() == 0) {
      pool.terminate();
    }
  }

  @Override
  public String toString() {
    return pool.toString();
  }
}
