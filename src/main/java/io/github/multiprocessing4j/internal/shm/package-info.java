/**
 * Memory mapped by several processes: {@code Segment}, a named file under the private shared
 * memory directory, with the atomic operations that the locks, values and arrays build on, and its
 * lifetime across the processes that map it.
 *
 * <p>May use: {@code internal.runtime} and the JDK. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.shm;
