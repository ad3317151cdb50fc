package io.github.multiprocessing4j.internal.codec;

import java.io.IOException;
import java.io.InvalidObjectException;

/**
 * Runs decoding or Java serialization again, on a thread of its own with a stack sized for
 * {@link Limits#maxDepth()}, when it overflowed the caller's stack. Java serialization recurses
 * once (a dozen frames) per level of the object graph: a graph within the depth limit may need
 * megabytes of stack, more than a default thread stack has (a 700-deep {@code HashMap} overflows
 * 1 MiB), and far more than the small stacks of the library's own threads (64 or 128 KiB). The
 * common, shallow case pays nothing; a deep one pays a thread start.
 */
final class DeepStack {

  /** Stack bytes reserved a level of {@link Limits#maxDepth()}: about 1-2 KiB are used. */
  private static final long BYTES_A_LEVEL = 8 * 1024;
  private static final long MIN_STACK = 8L << 20;

  /** Work that may overflow the stack. */
  interface Work<T> {
    T run() throws IOException;
  }

  private DeepStack() {}

  /** The stack of the thread that retries, for graphs of up to {@code depth} levels. */
  static long stackFor(long depth) {
    return Math.max(MIN_STACK, depth * BYTES_A_LEVEL);
  }

  /**
   * Runs {@code work} here, and if it overflows the stack, once more on a thread with a stack for
   * {@code depth} levels.
   *
   * @param depth the depth limit that applies to the work
   * @param limit names that limit in an error message (its system property, as {@code -Dname})
   * @throws InvalidObjectException if it overflows that stack too
   * @throws IOException what the work throws
   */
  static <T> T run(Work<T> work, long depth, String limit) throws IOException {
    try {
      return work.run();
    } catch (StackOverflowError e) {
      // Unwound: this frame has room again. Fall through to the deep thread.
    }
    return onDeepStack(work, depth, limit);
  }

  private static <T> T onDeepStack(Work<T> work, long depth, String limit) throws IOException {
    long stack = stackFor(depth);
    Outcome<T> outcome = new Outcome<>(work);
    Thread t = new Thread(null, outcome, "mp4j-deep-stack", stack, false);
    t.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    t.setDaemon(true);
    t.start();
    boolean interrupted = false;
    // The work is CPU-bound and bounded by the limits: waiting for it keeps the caller's state
    // (a half-read message) consistent, as the first attempt would have.
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (outcome.overflowed) {
      throw new InvalidObjectException("the object graph is nested too deep: it overflowed a stack "
          + "of " + (stack >> 20) + " MiB reserved for the depth limit of " + depth + " (" + limit + ")");
    }
    if (outcome.error != null) {
      throw outcome.error;
    }
    if (outcome.failure != null) {
      throw outcome.failure;
    }
    return outcome.value;
  }

  /** What the deep thread did. */
  private static final class Outcome<T> implements Runnable {
    private final Work<T> work;
    T value;
    IOException failure;
    Error error;
    boolean overflowed;

    Outcome(Work<T> work) {
      this.work = work;
    }

    @Override
    public void run() {
      try {
        value = work.run();
      } catch (StackOverflowError e) {
        overflowed = true;
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException(e.toString(), e);
      } catch (Error e) {
        error = e;
      }
    }
  }
}
