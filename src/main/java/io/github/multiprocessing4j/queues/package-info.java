/**
 * Queues that several processes share: CPython's {@code multiprocessing.Queue},
 * {@code JoinableQueue} and {@code SimpleQueue}.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}; a null item is allowed.
 *
 * <p>Implementation, package-private beside the API: the owner's server, the client link to an
 * owner, the item store and the wire protocol.
 */
package io.github.multiprocessing4j.queues;
