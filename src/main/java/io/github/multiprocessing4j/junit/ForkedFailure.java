package io.github.multiprocessing4j.junit;

/**
 * Stands in for a forked test's exception that cannot be serialized (a field of a type that is
 * not {@code Serializable}): the same class name, message, stack trace and causes, shown as the
 * original (its {@link #toString()} is the original's).
 */
final class ForkedFailure extends AssertionError {

  private static final long serialVersionUID = 1L;

  private final String originalClass;

  private ForkedFailure(String originalClass, String message) {
    super(message);
    this.originalClass = originalClass;
  }

  static ForkedFailure of(Throwable t) {
    ForkedFailure f = new ForkedFailure(t.getClass().getName(), t.getMessage());
    f.setStackTrace(t.getStackTrace());
    if (t.getCause() != null && t.getCause() != t) {
      f.initCause(of(t.getCause()));
    }
    for (Throwable s : t.getSuppressed()) {
      f.addSuppressed(of(s));
    }
    return f;
  }

  /** The class of the child's exception. */
  String originalClass() {
    return originalClass;
  }

  @Override
  public String toString() {
    String m = getLocalizedMessage();
    return m == null ? originalClass : originalClass + ": " + m;
  }
}
