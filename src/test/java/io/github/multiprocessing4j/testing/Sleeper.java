package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/**
 * A child target that says {@value #READY} on its standard output once running, then sleeps until
 * the test stops, terminates or kills it: the workload of every test about signals, joins and
 * exit codes. A named class with a public constructor, so that a child (spawned or from a spare
 * JVM) can load it by name.
 *
 * <p>Its one optional argument is how long to sleep, in milliseconds (default
 * {@link Waits#UNTIL_KILLED}); a test that needs the child to outlast a long grace period passes a
 * longer one.
 */
public final class Sleeper implements Target {

  private static final long serialVersionUID = 1L;

  /** The line printed once the child runs; tests wait for it before they signal. */
  public static final String READY = "ready";

  /** Creates the target; the child calls this constructor. */
  public Sleeper() {}

  @Override
  public void run(Args args) throws InterruptedException {
    System.out.println(READY);
    Thread.sleep(args.size() > 0 ? args.getInt(0) : Waits.UNTIL_KILLED.toMillis());
  }
}
