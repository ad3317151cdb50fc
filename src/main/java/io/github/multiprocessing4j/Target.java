package io.github.multiprocessing4j;

import java.io.Serializable;

/**
 * What a child process runs: the JVM counterpart of CPython's {@code target=} callable.
 *
 * <p>A target is given to a {@link Process} in one of three forms:
 * <ul>
 *   <li>a named class implementing this interface with a public no-argument constructor
 *       ({@code new Process(Worker.class, "arg")}); the child instantiates it;</li>
 *   <li>the fully qualified name of such a class ({@code Process.builder().target("com.example.Worker")});</li>
 *   <li>a lambda or an instance ({@code new Process(args -> System.out.println(args.get(0)))}).
 *       Because this interface extends {@link Serializable}, a lambda assigned to it is
 *       serializable; whatever it captures must be serializable too, or {@link Process#start()}
 *       fails in the caller's thread naming the target.</li>
 * </ul>
 *
 * <p>The child calls {@link #run(Args)} once, on its main thread, with the positional and keyword
 * arguments given to the process. Returning normally ends the child with exit code 0; an
 * exception ends it with exit code 1 after printing {@code Process <name>:} and the stack trace to
 * the child's standard error, as CPython does.
 */
@FunctionalInterface
public interface Target extends Serializable {

  /**
   * Runs in the child process.
   *
   * @param args the positional and keyword arguments of the process, never {@code null}
   * @throws Exception any exception, which ends the child with exit code 1 and is reported to the
   *     parent through {@link Process#failure()}
   */
  void run(Args args) throws Exception;
}
