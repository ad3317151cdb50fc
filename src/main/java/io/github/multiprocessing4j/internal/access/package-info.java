/**
 * The access bridge ({@link io.github.multiprocessing4j.internal.access.SharedSecrets}): what one
 * public package needs of another's package-private implementation, registered by its owner; and
 * {@link io.github.multiprocessing4j.internal.access.ObjectRef}, the one serialized form of every
 * object sent by name (locks, shared memory, queues, pipe ends), resolved by the resolver its
 * package registered.
 *
 * <p>May use: the JDK only. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.access;
