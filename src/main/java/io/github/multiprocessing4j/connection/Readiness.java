package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.Process;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for the first of several connections, processes and listeners to become ready: CPython's
 * {@code multiprocessing.connection.wait(object_list, timeout)}.
 *
 * <pre>{@code
 * List<Object> ready = Readiness.wait(List.of(conn, process, listener), Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>An object is ready when
 * <ul>
 *   <li>a {@link Connection} has a message to receive, or its stream has ended (the peer closed or
 *       its process ended): a receive would not block, as {@link Connection#poll()} tells;
 *   <li>a {@link Process} (a started child of this JVM) has ended, as {@link Process#join()} would
 *       return: CPython's {@code Process.sentinel};
 *   <li>a {@link Listener} has a client waiting to be accepted.
 * </ul>
 *
 * <p><b>Blocking.</b> Nothing polls in a loop: while nothing is ready, each object is waited for
 * by its own means (a connection's wake-up, a process's exit, the listener's selector), on a pooled
 * daemon thread per object ({@code mp4j-wait-N}, reused by later waits, ended after 30 s idle).
 * When one is ready, the others stop waiting, and this method returns only once none of those
 * threads touches the objects any more, so a receive or accept right after it never competes with
 * them. Consuming what made an object ready is up to the caller; nothing is received or accepted
 * here.
 *
 * <p><b>Threads.</b> Thread-safe: several threads may wait at once, on the same objects too. An
 * object another thread uses meanwhile may stop being ready before the caller gets to it (another
 * thread took the message), as in CPython. A receive in another thread on a connection from a
 * {@link Listener} or {@link Client} that this call waits on waits until it returns (such a
 * connection's poll and receive share a lock); pipe ends have no such lock.
 *
 * <p><b>Differences from CPython.</b> The ready objects come in the order given (CPython's order
 * is not defined); a {@link Listener} is accepted directly (CPython takes its socket); a
 * {@link Process} is ready once its output has been copied too, as for {@code join()}; the wait
 * throws {@link InterruptedException} when interrupted.
 */
public final class Readiness {

  private Readiness() {}

  /**
   * Waits for ever until at least one of the objects is ready; returns those ready. An empty
   * collection waits for ever, as in CPython (until interrupted).
   *
   * @param <T> the type of the objects
   * @param objects {@link Connection}s, {@link Process}es and {@link Listener}s
   * @return the ready objects, in the order given; never empty
   * @throws NullPointerException if {@code objects} or one of them is {@code null}
   * @throws IllegalArgumentException if an object is of another type (the message names it)
   * @throws ConnectionException if a connection or listener is closed ({@code "handle is closed"},
   *     {@code "listener is closed"}, also when closed while waiting) or a connection is write-only
   * @throws IllegalStateException for a process that is not a started child of this JVM, or closed
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public static <T> List<T> wait(Collection<? extends T> objects) throws InterruptedException {
    return waitUntil(objects, Long.MAX_VALUE);
  }

  /**
   * Waits up to {@code timeout} until at least one of the objects is ready; returns those ready,
   * or an empty list if none became ready in time. A zero or negative timeout checks without
   * waiting. An empty collection waits for the timeout and returns an empty list, as in CPython.
   *
   * @param <T> the type of the objects
   * @param objects {@link Connection}s, {@link Process}es and {@link Listener}s
   * @param timeout the longest wait; a duration too long for a {@code long} of nanoseconds waits
   *     for ever
   * @return the ready objects, in the order given; empty if the timeout passed first
   * @throws NullPointerException if {@code objects}, one of them or {@code timeout} is {@code null}
   * @throws IllegalArgumentException if an object is of another type (the message names it)
   * @throws ConnectionException if a connection or listener is closed ({@code "handle is closed"},
   *     {@code "listener is closed"}, also when closed while waiting) or a connection is write-only
   * @throws IllegalStateException for a process that is not a started child of this JVM, or closed
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public static <T> List<T> wait(Collection<? extends T> objects, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout; use wait(objects) to wait for ever");
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE;
    }
    return waitUntil(objects, nanos);
  }

  private static <T> List<T> waitUntil(Collection<? extends T> objects, long timeoutNanos)
      throws InterruptedException {
    Objects.requireNonNull(objects, "objects");
    List<T> list = new ArrayList<>(objects);
    for (int i = 0; i < list.size(); i++) {
      Object o = list.get(i);
      if (o == null) {
        throw new NullPointerException("object #" + i + " to wait for is null");
      }
      if (!(o instanceof Connection) && !(o instanceof Process) && !(o instanceof Listener)) {
        throw new IllegalArgumentException("object #" + i + " (" + o.getClass().getName()
            + ") cannot be waited for: expected a Connection, a Process or a Listener");
      }
    }
    long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
    while (true) {
      List<T> ready = readyNow(list);
      if (!ready.isEmpty()) {
        return ready;
      }
      long left = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
      if (left <= 0) {
        return ready;
      }
      // Something may be ready now, or nothing before the deadline: check again either way (another
      // thread may have taken what woke us, as CPython's loop allows for).
      awaitAny(list, left);
    }
  }

  /** The objects ready now, without waiting; throws for a closed or unusable one. */
  private static <T> List<T> readyNow(List<T> list) throws InterruptedException {
    List<T> ready = new ArrayList<>();
    for (T o : list) {
      if (ready(o, 0)) {
        ready.add(o);
      }
    }
    return ready;
  }

  /**
   * Waits up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: for ever) for an object to be ready
   * (or to fail, which the next check reports), then stops the other waits and returns once they
   * have all ended.
   */
  private static void awaitAny(List<?> list, long timeoutNanos) throws InterruptedException {
    CountDownLatch any = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(list.size());
    List<Watch> watches = new ArrayList<>(list.size());
    for (Object o : list) {
      Watch w = new Watch(o, any, ended);
      watches.add(w);
      Waiters.EXECUTOR.execute(w);
    }
    try {
      if (timeoutNanos == Long.MAX_VALUE) {
        any.await();
      } else {
        any.await(timeoutNanos, TimeUnit.NANOSECONDS);
      }
    } finally {
      for (Watch w : watches) {
        w.cancel();
      }
      // Cancelled waits end at once (an interrupt ends each of them); none may outlive this call.
      boolean interrupted = false;
      while (true) {
        try {
          ended.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether the object is ready, waiting up to {@code timeoutNanos} (zero: not at all). */
  private static boolean ready(Object o, long timeoutNanos) throws InterruptedException {
    if (o instanceof Connection) {
      return ((Connection) o).poll(timeoutNanos == Long.MAX_VALUE ? FOREVER : Duration.ofNanos(timeoutNanos));
    }
    if (o instanceof Listener) {
      return ((Listener) o).awaitClient(timeoutNanos);
    }
    Process p = (Process) o;
    if (timeoutNanos == Long.MAX_VALUE) {
      p.join();
      return true;
    }
    return p.join(Duration.ofNanos(timeoutNanos));
  }

  /** Longer than a long of nanoseconds: {@link Connection#poll(Duration)} then waits for ever. */
  private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

  /** Waits for one object on a pooled thread until it is ready or cancelled. */
  private static final class Watch implements Runnable {
    private final Object object;
    private final CountDownLatch any;
    private final CountDownLatch ended;
    private boolean cancelled; // guarded by this
    private Thread runner; // guarded by this

    Watch(Object object, CountDownLatch any, CountDownLatch ended) {
      this.object = object;
      this.any = any;
      this.ended = ended;
    }

    @Override
    public void run() {
      try {
        synchronized (this) {
          if (cancelled) {
            return;
          }
          runner = Thread.currentThread();
        }
        try {
          ready(object, Long.MAX_VALUE);
          any.countDown();
        } catch (InterruptedException e) {
          // cancelled: another object was ready, or the wait timed out
        } catch (RuntimeException e) {
          any.countDown(); // closed meanwhile, say: the caller's next check reports it in its thread
        } finally {
          synchronized (this) {
            runner = null;
            Thread.interrupted(); // a cancel() that came late must not reach the pool's next task
          }
        }
      } finally {
        ended.countDown();
      }
    }

    synchronized void cancel() {
      cancelled = true;
      if (runner != null) {
        runner.interrupt();
      }
    }
  }

  /** The threads that wait for single objects, created on demand and reused. */
  private static final class Waiters {
    static final ThreadPoolExecutor EXECUTOR = executor();

    private static ThreadPoolExecutor executor() {
      AtomicInteger n = new AtomicInteger();
      return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "mp4j-wait-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
  }
}
