package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/** The library's trivial target: does nothing. */
public final class NoopTarget implements Target {

  @Override
  public void run(Args args) {
    // nothing: the benchmark measures the process around it
  }
}
