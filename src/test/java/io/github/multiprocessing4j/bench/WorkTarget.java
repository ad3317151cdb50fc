package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;
import java.util.HashMap;
import java.util.Map;

/**
 * A target that does a fixed amount of work, allocation-heavy and JIT-sensitive (a few hundred ms
 * on one core): fills and sums a {@code HashMap} of boxed keys and strings {@code args.getInt(0)}
 * times. It shows what child JVM flags for short-lived targets cost a target that is not short.
 */
public final class WorkTarget implements Target {

  @Override
  public void run(Args args) {
    int rounds = args.getInt(0);
    long sum = 0;
    for (int r = 0; r < rounds; r++) {
      Map<Integer, String> m = new HashMap<>();
      for (int i = 0; i < 200_000; i++) {
        m.put(i, Integer.toString(i * 31 + r));
      }
      for (Map.Entry<Integer, String> e : m.entrySet()) {
        sum += e.getKey() ^ e.getValue().hashCode();
      }
    }
    if (sum == 42) {
      System.out.println(sum); // keep the result alive
    }
  }
}
