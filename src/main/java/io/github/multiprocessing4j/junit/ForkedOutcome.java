package io.github.multiprocessing4j.junit;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;

/**
 * What a forked test's child sends its parent: how the test ended and, unless it passed, the
 * exception that ended it, the child's own object when it can be serialized.
 */
final class ForkedOutcome implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How the test ended in the child. */
  enum Status {
    /** It passed. */
    SUCCESSFUL,
    /** An assumption failed: {@link #throwable} is JUnit's abort. */
    ABORTED,
    /** It failed, or a lifecycle method or extension around it did. */
    FAILED,
    /** The child's engine skipped it (a condition that holds only there); {@link #reason} says why. */
    SKIPPED,
    /** The child's engine did not find it. */
    NOT_FOUND
  }

  final Status status;
  final Throwable throwable;
  final String reason;

  ForkedOutcome(Status status, Throwable throwable, String reason) {
    this.status = status;
    this.throwable = throwable;
    this.reason = reason;
  }

  /**
   * This outcome with an exception the parent can deserialize: the child's own if it serializes,
   * else a {@link ForkedFailure} with its class name, message, stack trace and causes.
   */
  ForkedOutcome portable() {
    if (throwable == null || serializes(throwable)) {
      return this;
    }
    return new ForkedOutcome(status, ForkedFailure.of(throwable), reason);
  }

  private static boolean serializes(Throwable t) {
    try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
      out.writeObject(t);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
