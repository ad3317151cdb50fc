package io.github.multiprocessing4j;

import java.util.concurrent.CompletableFuture;

/**
 * What a {@link Process} object stands for. Most are {@link #CHILD}ren: created in this JVM to be
 * started as child JVMs, with a handle once started. The other three are views of processes this
 * JVM did not start and can only observe: the main JVM ({@code MainProcess}, CPython's
 * {@code _MainProcess}), a child's own process ({@code currentProcess()} in a child) and a child's
 * parent (CPython's {@code _ParentProcess}). Apart from {@code Process} so that what a view
 * answers is said once, per view, rather than by a switch in each of its methods.
 */
enum ProcessView {

  /** A process created here, to be started as a child JVM. */
  CHILD(null, null),

  /** The main JVM, seen from itself. */
  MAIN("_MainProcess", "started") {
    @Override
    boolean isAlive() {
      return true;
    }
  },

  /** A child, seen from itself: a plain process or a deserialized subclass. */
  SELF(null, "started") {
    @Override
    boolean isAlive() {
      return true;
    }
  },

  /** A child's parent, seen from the child: alive until the child sees the end of its standard input. */
  PARENT("_ParentProcess", "unknown") {
    @Override
    boolean isAlive() {
      return !ChildRuntime.parentDeath().isDone();
    }

    @Override
    CompletableFuture<Integer> exitFuture() {
      return ChildRuntime.parentDeath();
    }
  };

  /** The class CPython's repr shows, or null for the object's own (e.g. {@code SpawnProcess}). */
  final String reprType;
  /** The status CPython's repr shows, or null for a child's, which follows its state. */
  final String reprStatus;

  ProcessView(String reprType, String reprStatus) {
    this.reprType = reprType;
    this.reprStatus = reprStatus;
  }

  /** Whether this is a view of a process this JVM did not start (not a {@link #CHILD}). */
  boolean observed() {
    return this != CHILD;
  }

  /** For an {@linkplain #observed() observed} process: whether it runs. A child asks its handle. */
  boolean isAlive() {
    throw new IllegalStateException("can only test a child process");
  }

  /**
   * For an {@linkplain #observed() observed} process: what {@code join()} waits on.
   *
   * @throws IllegalStateException {@code "can only join a child process"} for a process that cannot end
   *     before this JVM does
   */
  CompletableFuture<Integer> exitFuture() {
    throw new IllegalStateException("can only join a child process");
  }
}
