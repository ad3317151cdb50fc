/**
 * Memory that several processes read and write: CPython's
 * {@code multiprocessing.shared_memory.SharedMemory} ({@link
 * io.github.multiprocessing4j.shared.SharedMemory}, {@link
 * io.github.multiprocessing4j.shared.ShareableList}) and {@code multiprocessing.RawValue} /
 * {@code RawArray} ({@link io.github.multiprocessing4j.shared.RawValue}, {@link
 * io.github.multiprocessing4j.shared.RawArray}), with lock-free atomic operations on values and
 * array items.
 *
 * <p>Every object of this package but the
 * {@link io.github.multiprocessing4j.shared.SharedMemoryManager} (CPython's
 * {@code SharedMemoryManager}, which unlinks the blocks it created when it shuts down) can be passed
 * to a child process as a {@link io.github.multiprocessing4j.Process} argument: it attaches to the
 * same memory there.
 * Memory is never left behind: it is deleted once every process that used it has exited or been
 * killed.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}.
 *
 * <p>Implementation, package-private beside the API: typed atomic items over a segment and the
 * serialized form of these objects.
 */
package io.github.multiprocessing4j.shared;
