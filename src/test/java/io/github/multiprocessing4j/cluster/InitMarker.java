package io.github.multiprocessing4j.cluster;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/** A worker initializer that marks the worker JVM: its argument, or "initialized" without one. */
public final class InitMarker implements Target {

  private static final long serialVersionUID = 1L;

  /** The mark of this JVM, null if the initializer did not run here. */
  static volatile String mark;

  /** For ClusterMember's --initializer. */
  public InitMarker() {}

  @Override
  public void run(Args args) {
    mark = args.size() > 0 ? args.getString(0) : "initialized";
  }
}
