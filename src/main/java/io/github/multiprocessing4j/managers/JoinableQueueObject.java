package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The object behind a {@link JoinableQueueProxy}, in the manager's process: a
 * {@link LinkedBlockingQueue} that counts unfinished tasks as CPython's {@code queue.Queue} does.
 * An insertion counts its task before the item is in the queue (and uncounts it if the insertion
 * fails), so that a consumer's {@code taskDone()} for an item it just took never finds the count
 * still at zero.
 */
final class JoinableQueueObject extends LinkedBlockingQueue<Object> implements JoinableQueueProxy<Object> {

  private static final long serialVersionUID = 1L; // never serialized: it stays in the server

  private final transient ReentrantLock lock = new ReentrantLock();
  private final transient Condition allDone = lock.newCondition();
  private transient long unfinished; // guarded by lock

  JoinableQueueObject(int maxsize) {
    super(maxsize <= 0 ? Integer.MAX_VALUE : maxsize);
  }

  @Override
  public void put(Object e) throws InterruptedException {
    count(1);
    boolean done = false;
    try {
      super.put(e);
      done = true;
    } finally {
      if (!done) {
        count(-1);
      }
    }
  }

  @Override
  public boolean offer(Object e) {
    count(1);
    boolean done = false;
    try {
      done = super.offer(e);
      return done;
    } finally {
      if (!done) {
        count(-1);
      }
    }
  }

  @Override
  public boolean offer(Object e, long timeout, TimeUnit unit) throws InterruptedException {
    count(1);
    boolean done = false;
    try {
      done = super.offer(e, timeout, unit);
      return done;
    } finally {
      if (!done) {
        count(-1);
      }
    }
  }

  @Override
  public void taskDone() {
    lock.lock();
    try {
      if (unfinished <= 0) {
        throw new IllegalStateException("task_done() called too many times");
      }
      count(-1);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void join() throws InterruptedException {
    lock.lock();
    try {
      while (unfinished > 0) {
        allDone.await();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean join(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (unfinished > 0) {
        if (left <= 0) {
          return false;
        }
        left = allDone.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void count(int delta) {
    lock.lock();
    try {
      unfinished += delta;
      if (unfinished == 0) {
        allDone.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
