/**
 * What every part of the library stands on, inside one JVM: logging that works without an SLF4J
 * provider ({@code Log}), the private per-user directories for sockets, segments and caches
 * ({@code RuntimeDir}), actions run at exit ({@code ExitActions}), signal names ({@code Signals}),
 * the decoder limits ({@code Limits}) and the spin-then-yield pause ({@code Backoff}).
 *
 * <p>May use: the JDK, SLF4J, and the public exception types. Never another package of this
 * library. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.runtime;
