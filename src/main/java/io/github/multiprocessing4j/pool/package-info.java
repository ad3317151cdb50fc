/**
 * Pools of reusable worker processes: CPython's {@code multiprocessing.Pool} as
 * {@link io.github.multiprocessing4j.pool.Pool}, and
 * {@code concurrent.futures.ProcessPoolExecutor} as
 * {@link io.github.multiprocessing4j.pool.ProcessPoolExecutor}, a
 * {@link java.util.concurrent.ExecutorService}.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}; a null item or result is allowed.
 *
 * <p>Implementation, package-private beside the API: the engine shared by both (worker slots,
 * dispatch, the pool's states, the function cache, the protocol and the worker's loop).
 */
package io.github.multiprocessing4j.pool;
