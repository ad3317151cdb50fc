package io.github.multiprocessing4j.internal;

import java.io.ObjectInputFilter;

/**
 * The {@link ObjectInputFilter}s of the library's channels.
 *
 * <p>The bootstrap frame comes from the parent over the child's private stdin pipe, so it may carry
 * any class the user passes as an argument; its filter only bounds the graph (depth, references,
 * bytes) and defers to the JVM-wide filter ({@code jdk.serialFilter}, or
 * {@link ObjectInputFilter.Config#setSerialFilter}), through which users can restrict it further.
 */
public final class SerialFilters {

  private static final long MAX_DEPTH = 10_000;
  private static final long MAX_REFERENCES = 50_000_000;
  private static final ObjectInputFilter BOOTSTRAP = new Bootstrap();

  private SerialFilters() {}

  /**
   * Returns the filter for values in the bootstrap frame.
   *
   * @return the filter
   */
  public static ObjectInputFilter bootstrap() {
    return BOOTSTRAP;
  }

  /** A named class rather than a lambda: child start-up should not pay for lambda bootstrap. */
  private static final class Bootstrap implements ObjectInputFilter {
    @Override
    public Status checkInput(FilterInfo info) {
      if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES) {
        return Status.REJECTED;
      }
      ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
      return global == null ? Status.UNDECIDED : global.checkInput(info);
    }
  }
}
