/**
 * Locks and synchronisation shared by processes and threads: CPython's {@code Lock},
 * {@code RLock}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Event}, {@code Condition} and
 * {@code Barrier} from {@code multiprocessing.synchronize}. Each object lives in a small segment of
 * shared memory; pass it to child processes as a {@link io.github.multiprocessing4j.Process}
 * argument. Uncontended operations are a compare-and-set; waiters spin briefly and then park
 * without using a core, and are woken across processes over authenticated Unix-domain sockets.
 * {@link io.github.multiprocessing4j.sync.Lock} and {@link io.github.multiprocessing4j.sync.RLock}
 * are robust: a process that died holding one does not keep it.
 *
 * <p><b>Lifetime of the shared memory.</b> A process uses an object's segment while it has a
 * reachable object for it (this JVM has one object per segment: every reference it reads resolves
 * to it). Once that object is unreachable, a cleaner gives the segment up after a garbage
 * collection: it closes the process's file descriptor, unmaps the memory, and deletes the file if
 * no other process uses it; a process that reads a reference later attaches it afresh. So a loop
 * that makes an object per request stays bounded (the library asks for a collection every thousand
 * or so new segments, as the JDK does for direct buffers). The one exception: <em>serializing an
 * object pins it in the serializing process until that process exits</em>, reachable or not. The
 * reader of a {@link io.github.multiprocessing4j.Process} argument, a queue item or a pipe message
 * attaches the segment by name, hundreds of milliseconds or minutes later, and must find it even if
 * the writer dropped its object meanwhile. An object that is made per message and sent away
 * therefore stays until the sender exits: share long-lived objects instead. A process that only
 * received an object gives it up when it drops it (the sender still has it).
 *
 * <p>Implementation, package-private beside the API: each object's shared state and its waiting
 * JVMs ({@code SyncCell}), the wake sockets ({@code ParkingLot}), lock owners
 * ({@code ProcessToken}) and the serialized form.
 */
package io.github.multiprocessing4j.sync;
