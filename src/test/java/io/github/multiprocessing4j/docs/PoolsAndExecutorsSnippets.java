package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.pool.AsyncResult;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** docs/pools-and-executors.md's snippets. */
final class PoolsAndExecutorsSnippets {

  private PoolsAndExecutorsSnippets() {}

  static void poolAndExecutor() throws Exception {
    // snippet:pool-and-executor
    try (Pool pool = new Pool(2)) {
      System.out.println(pool.map(x -> x * x, List.of(1, 2, 3, 4)));          // [1, 4, 9, 16]
      AsyncResult<Long> pid = pool.applyAsync(Multiprocessing::getpid);
      System.out.println(pid.get(Duration.ofSeconds(30)) != Multiprocessing.getpid()); // true
      try {
        pool.apply(() -> Integer.parseInt("not a number"));
      } catch (ExecutionException e) {
        System.out.println(e.getCause());  // java.lang.NumberFormatException: For input string: "not a number"
      }
    }

    try (ProcessPoolExecutor executor = new ProcessPoolExecutor(2)) {
      Future<String> f = executor.submit(() -> "hello from " + Multiprocessing.currentProcess().name());
      System.out.println(f.get());          // hello from SpawnProcess-N
    }
    // end:pool-and-executor
  }
}
