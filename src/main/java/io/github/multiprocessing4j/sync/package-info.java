/**
 * Locks and synchronisation shared by processes and threads: CPython's {@code Lock},
 * {@code RLock}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Event}, {@code Condition} and
 * {@code Barrier} from {@code multiprocessing.synchronize}. Each object lives in a small segment of
 * shared memory; pass it to child processes as a {@link io.github.multiprocessing4j.Process}
 * argument. Uncontended operations are a compare-and-set; waiters spin briefly and then park
 * without using a core, and are woken across processes over authenticated Unix-domain sockets.
 * {@link io.github.multiprocessing4j.sync.Lock} and {@link io.github.multiprocessing4j.sync.RLock}
 * are robust: a process that died holding one does not keep it.
 */
package io.github.multiprocessing4j.sync;
