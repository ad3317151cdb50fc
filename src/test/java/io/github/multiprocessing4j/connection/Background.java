package io.github.multiprocessing4j.connection;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call running in a thread of its own, for the other side of a connection in the same test. */
final class Background<T> {

  private final FutureTask<T> task;
  private final Thread thread;

  private Background(Callable<T> call) {
    this.task = new FutureTask<>(call);
    this.thread = new Thread(task, "test-background");
    thread.setDaemon(true);
    thread.start();
  }

  static <T> Background<T> run(Callable<T> call) {
    return new Background<>(call);
  }

  /** The result, or what the call threw (unwrapped). */
  T get(Duration timeout) throws Exception {
    try {
      return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception) {
        throw (Exception) c;
      }
      throw e;
    } catch (TimeoutException e) {
      thread.interrupt();
      throw new AssertionError("the background call did not finish within " + timeout
          + "; it was at " + Arrays.toString(thread.getStackTrace()), e);
    }
  }

  /** Whether the call has ended. */
  boolean isDone() {
    return task.isDone();
  }

  /** Interrupts the thread of the call. */
  void interrupt() {
    thread.interrupt();
  }

  /**
   * Waits until the call is blocked in a selector (waiting for a socket), so that what the test
   * does next happens while it waits, not before.
   */
  void awaitBlockedInSelect(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      for (StackTraceElement e : thread.getStackTrace()) {
        if (e.getClassName().contains("SelectorImpl")) {
          return;
        }
      }
      if (task.isDone()) {
        throw new AssertionError("the background call ended before it waited");
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("the background call did not wait in a selector within " + timeout
        + "; it is at " + Arrays.toString(thread.getStackTrace()));
  }

  /**
   * Waits until the call's thread is parked (waiting, with or without a timeout), as a receiver on
   * an empty pipe is, so that what the test does next happens while it waits.
   */
  void awaitParked(Duration timeout) {
    io.github.multiprocessing4j.testing.Waits.until(() -> {
      if (task.isDone()) {
        throw new AssertionError("the background call ended before it waited");
      }
      Thread.State st = thread.getState();
      return st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING;
    }, "the background call parked", timeout);
  }

  /**
   * Waits until the call is parked inside a method of that name (a frame's method name), so that
   * what the test does next happens while it waits there.
   */
  void awaitParkedIn(String method, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Thread.State st = thread.getState();
      if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) {
        for (StackTraceElement e : thread.getStackTrace()) {
          if (e.getMethodName().equals(method)) {
            return;
          }
        }
      }
      if (task.isDone()) {
        throw new AssertionError("the background call ended before it waited in " + method);
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("the background call did not park in " + method + " within " + timeout
        + "; it is at " + Arrays.toString(thread.getStackTrace()));
  }
}
