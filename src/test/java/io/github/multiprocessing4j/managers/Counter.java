package io.github.multiprocessing4j.managers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A counter served by a manager in these tests. */
final class Counter implements CounterApi {
  private int value;
  private Object kept;
  private final List<Integer> history = new ArrayList<>();

  Counter(int start) {
    value = start;
  }

  static Counter create(Object[] args) {
    return new Counter(args.length == 0 ? 0 : (Integer) args[0]);
  }

  @Override
  public synchronized int increment() {
    history.add(value);
    return ++value;
  }

  @Override
  public synchronized void add(int n) {
    value += n;
  }

  @Override
  public synchronized int value() {
    return value;
  }

  @Override
  public void fail(String message) {
    throw new IllegalStateException(message);
  }

  @Override
  public void failChecked(String message) throws IOException {
    throw new IOException(message);
  }

  @Override
  public int secret() {
    return 42;
  }

  @Override
  public synchronized CounterApi child() {
    return new Counter(value);
  }

  @Override
  public java.util.Collection<Integer> brokenView() {
    return new java.util.AbstractCollection<>() {
      @Override
      public java.util.Iterator<Integer> iterator() {
        throw new IllegalStateException("broken view");
      }

      @Override
      public int size() {
        return 1;
      }
    };
  }

  @Override
  public Object unsendable() {
    return new Object();
  }

  @Override
  public synchronized void keep(Object o) {
    kept = o;
  }

  @Override
  public synchronized Object kept() {
    return kept;
  }

  @Override
  public void block() throws InterruptedException {
    synchronized (this) {
      value++;
    }
    new CountDownLatch(1).await();
  }

  @Override
  public synchronized List<Integer> history() {
    return new ArrayList<>(history);
  }
}
