/**
 * Bytes between processes: the {@code Transport} contract, its socket and shared-memory ring
 * implementations (the ring link {@code RingTransport} over two {@code Ring}s in a
 * {@code RingFile}, with a {@code WakeupSocket} beside them), the authkey handshake ({@code Handshake}, CPython's
 * {@code answer_challenge}/{@code deliver_challenge}) and the one thread that runs handshakes for
 * every server ({@code Authenticator}), the registry of open channels, and the causal-order fence
 * over pipelined queue links ({@code PutFence}).
 *
 * <p>May use: {@code internal.runtime}, {@code internal.shm}, the JDK, and the public exception
 * types. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.transport;
