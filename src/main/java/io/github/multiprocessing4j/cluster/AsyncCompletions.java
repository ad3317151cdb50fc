package io.github.multiprocessing4j.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import io.github.multiprocessing4j.internal.runtime.Log;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Where Hazelcast completes the futures of its invocations: on its default async executor, which is
 * the common pool or, where the common pool has one thread (2 CPUs), a new thread for every
 * completion: two threads started per task sent, a third to two thirds of the submitting JVM's CPU
 * per chunk as measured by {@code ClusterBench}. There, this class gives Hazelcast a cached pool
 * instead: as many threads as completions run at once, as before, but reused.
 */
final class AsyncCompletions {

  private static final Logger LOG = Log.get(AsyncCompletions.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static volatile boolean done;

  private AsyncCompletions() {}

  /** Installs the cached pool once per JVM, if Hazelcast would start a thread per completion. */
  static synchronized void pooled() {
    if (done) {
      return;
    }
    done = true;
    if (ForkJoinPool.getCommonPoolParallelism() > 1) {
      return; // Hazelcast uses the common pool
    }
    ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "mp4j-hazelcast-async-" + THREADS.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    try {
      ConcurrencyUtil.setDefaultAsyncExecutor(pool);
    } catch (LinkageError e) {
      // another Hazelcast version without this internal hook: its own executor stays
      LOG.debug("cannot set Hazelcast's default async executor", e);
      pool.shutdown();
    }
  }
}
