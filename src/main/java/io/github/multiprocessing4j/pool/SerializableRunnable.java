package io.github.multiprocessing4j.pool;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to a worker process: a lambda or method reference assigned
 * to this type is serializable. Whatever it captures must be serializable too, or the call that
 * submits it fails in the caller's thread naming the offending class.
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {}
