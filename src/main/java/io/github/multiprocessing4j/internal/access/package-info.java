/**
 * The access bridge ({@link io.github.multiprocessing4j.internal.access.SharedSecrets}): what one
 * public package needs of another's package-private implementation, registered by its owner.
 *
 * <p>May use: the JDK only. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.access;
