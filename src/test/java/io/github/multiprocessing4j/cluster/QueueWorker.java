package io.github.multiprocessing4j.cluster;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/**
 * A child that received cluster queues as arguments (a joinable queue of jobs, a queue for
 * results, a count): takes that many jobs, puts each one doubled on the results, marks it done.
 */
public final class QueueWorker implements Target {

  private static final long serialVersionUID = 1L;

  /** For the child. */
  public QueueWorker() {}

  @Override
  @SuppressWarnings("unchecked")
  public void run(Args args) throws Exception {
    ClusterJoinableQueue<Integer> jobs = (ClusterJoinableQueue<Integer>) args.get(0);
    ClusterQueue<Integer> results = (ClusterQueue<Integer>) args.get(1);
    for (int i = 0; i < args.getInt(2); i++) {
      results.put(jobs.get() * 2);
      jobs.taskDone();
    }
  }
}
