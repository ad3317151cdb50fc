/**
 * Memory mapped by several processes: {@code MappedRegion}, mapped memory with the atomic int and
 * long operations that the locks, values, arrays and pipe rings build on; {@code Segment}, a named
 * file under the private shared memory directory, and its lifetime across the processes that map it
 * ({@code SegmentFile}: one segment file's permissions, identity and deletion).
 *
 * <p>May use: {@code internal.runtime} and the JDK. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.shm;
