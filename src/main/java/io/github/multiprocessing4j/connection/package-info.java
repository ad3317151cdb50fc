/**
 * Messages between processes: CPython's {@code multiprocessing.connection}.
 *
 * <p>{@link io.github.multiprocessing4j.connection.Pipe} makes two connected
 * {@link io.github.multiprocessing4j.connection.Connection}s whose ends can be passed to other
 * processes; {@link io.github.multiprocessing4j.connection.Listener} and
 * {@link io.github.multiprocessing4j.connection.Client} connect processes by address, authenticated
 * with an authkey. Every channel is authenticated and deserializes through an
 * {@link java.io.ObjectInputFilter}.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}.
 *
 * <p>Implementation, package-private beside the API: {@code PipeEndpoint}, how the two ends of a
 * pipe find each other; the byte transports are shared with the queues and pools.
 */
package io.github.multiprocessing4j.connection;
