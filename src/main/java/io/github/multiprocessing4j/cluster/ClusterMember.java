package io.github.multiprocessing4j.cluster;

import com.hazelcast.core.LifecycleEvent;
import io.github.multiprocessing4j.Target;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a cluster member on another machine, for a {@link Cluster} to send tasks to:
 *
 * <pre>
 * java -cp app.jar:multiprocessing4j.jar:hazelcast.jar:slf4j-api.jar \
 *     io.github.multiprocessing4j.cluster.ClusterMember --join host1,host2 [--workers N]
 *     [--bind ADDR --allow-non-loopback] [--port P] [--cluster-name NAME]
 *     [--max-tasks-per-child N] [--initializer CLASS]
 * </pre>
 *
 * <p>{@code --max-tasks-per-child} and {@code --initializer} set up the member's worker JVMs as a
 * local pool's options of those names ({@link Cluster.Builder#memberWorkers}); the initializer is
 * a {@link io.github.multiprocessing4j.Target} class with a public no-argument constructor, run
 * with no arguments in each worker before its first task.
 *
 * <p>The class path must hold the application's classes: the member's worker JVMs run the tasks.
 * The member prints {@code multiprocessing4j cluster member ready at ADDRESS} once it has joined
 * and its workers have started, then runs until the JVM is stopped or the member shut down. Defaults are
 * {@link Cluster.Builder}'s: bound to 127.0.0.1, one worker per CPU.
 */
public final class ClusterMember {

  private ClusterMember() {}

  /**
   * Starts a member and runs until the JVM is stopped.
   *
   * @param args the options above
   * @throws IllegalArgumentException for an unknown option or a missing or bad value
   * @throws InterruptedException if interrupted while running
   */
  public static void main(String[] args) throws InterruptedException {
    Cluster c = parse(args).start();
    CountDownLatch down = new CountDownLatch(1);
    c.hazelcast().getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
        down.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(c::close, "cluster-member-exit"));
    System.out.println("multiprocessing4j cluster member ready at "
        + c.hazelcast().getCluster().getLocalMember().getAddress());
    System.out.flush();
    if (c.hazelcast().getLifecycleService().isRunning()) {
      down.await();
    }
  }

  /** The builder the arguments describe. */
  static Cluster.Builder parse(String[] args) {
    Cluster.Builder b = Cluster.builder();
    int maxTasks = 0;
    Target initializer = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--join":
          b.join(value(args, ++i, a).split(","));
          break;
        case "--workers":
          b.workers(number(value(args, ++i, a), a));
          break;
        case "--bind":
          b.bind(value(args, ++i, a));
          break;
        case "--allow-non-loopback":
          b.allowNonLoopback();
          break;
        case "--port":
          b.port(number(value(args, ++i, a), a));
          break;
        case "--cluster-name":
          b.clusterName(value(args, ++i, a));
          break;
        case "--max-tasks-per-child":
          maxTasks = number(value(args, ++i, a), a);
          if (maxTasks < 1) {
            throw new IllegalArgumentException(a + " must be at least 1, not " + maxTasks);
          }
          break;
        case "--initializer":
          initializer = initializer(value(args, ++i, a));
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a + " in " + Arrays.toString(args)
              + "; options: --join host[:port],... --workers N --bind ADDR --allow-non-loopback --port P --cluster-name NAME"
              + " --max-tasks-per-child N --initializer CLASS");
      }
    }
    int max = maxTasks;
    Target init = initializer;
    return b.memberWorkers(pool -> {
      if (max != 0) {
        pool.maxTasksPerChild(max);
      }
      if (init != null) {
        pool.initializer(init);
      }
    });
  }

  /** An initializer named by its class: a {@link Target} with a public no-argument constructor. */
  private static Target initializer(String className) {
    try {
      Class<?> c = Class.forName(className);
      if (!Target.class.isAssignableFrom(c)) {
        throw new IllegalArgumentException("--initializer " + className + " is not a " + Target.class.getName());
      }
      return (Target) c.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("--initializer " + className
          + " needs a class on the class path with a public no-argument constructor: " + e, e);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int number(String v, String option) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, not " + v, e);
    }
  }
}
