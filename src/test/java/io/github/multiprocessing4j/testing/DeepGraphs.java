package io.github.multiprocessing4j.testing;

import java.util.HashMap;
import java.util.Map;

/** Deep object graphs for the tests of hostile data: {@code {"k": {"k": ... "bottom"}}}. */
public final class DeepGraphs {

  private DeepGraphs() {}

  /**
   * A HashMap holding a HashMap ... {@code levels} maps deep, the innermost holding a string.
   *
   * @param levels how many maps
   * @return the outermost map
   */
  public static HashMap<String, Object> nested(int levels) {
    HashMap<String, Object> top = new HashMap<>();
    HashMap<String, Object> m = top;
    for (int i = 1; i < levels; i++) {
      HashMap<String, Object> child = new HashMap<>();
      m.put("k", child);
      m = child;
    }
    m.put("k", "bottom");
    return top;
  }

  /**
   * How many maps deep {@code v} is, following the key {@code "k"}.
   *
   * @param v a graph made by {@link #nested}
   * @return its levels
   */
  public static int depth(Object v) {
    int d = 0;
    while (v instanceof Map) {
      v = ((Map<?, ?>) v).get("k");
      d++;
    }
    return d;
  }
}
