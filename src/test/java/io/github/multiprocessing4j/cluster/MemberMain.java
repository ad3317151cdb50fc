package io.github.multiprocessing4j.cluster;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/** Runs {@link ClusterMember#main} in a child started with this library's {@code Process}. */
public final class MemberMain implements Target {

  private static final long serialVersionUID = 1L;

  /** For the child. */
  public MemberMain() {}

  @Override
  public void run(Args args) throws Exception {
    ClusterMember.main(args.positional().stream().map(String::valueOf).toArray(String[]::new));
  }
}
