package io.github.multiprocessing4j.internal.launch;

/**
 * An exception that ended a task or a child in another process, as read back here: what the
 * public {@code RemoteException} is built from by the package that reports it (the process's
 * {@code failure()}, a pool's task result).
 *
 * @param className the remote exception's class name
 * @param message its message, or {@code null}
 * @param trace its stack trace as the remote side printed it
 * @param frames its stack frames
 * @param where describes the process it came from
 */
public record RemoteFailure(String className, String message, String trace, StackTraceElement[] frames,
    String where) {}
