/**
 * Managers: CPython's {@code multiprocessing.managers}. A {@link BaseManager} runs a server (a
 * child process of its own, or a JVM that serves with {@link ManagerServer#serveForever()}) that
 * owns objects; every process that holds a proxy to one of them calls its methods through the
 * server, each call a round trip with copies of the arguments and the result.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}; a null method argument or result is allowed.
 *
 * <p>Implementation, package-private beside the API: the server's object table with its
 * reference counts ({@code ObjectTable}), the server's connections ({@code ServerCore}), the
 * child's main ({@code ServerMain}), a process's links to a server ({@code ServerLink}), the
 * proxies' handler ({@code ProxyHandler}), the wire format ({@code ManagerProtocol}) and its
 * framing over a blocking socket ({@code Frames}), the copies of views in results
 * ({@code Copies}), the namespace's object ({@code NamespaceObject}) and the proxies' serialized
 * form ({@code ManagerRefs}), the synchronization types' objects ({@code ManagedLock},
 * {@code ManagedSemaphore}, {@code ManagedCondition}, {@code ManagedEvent}, {@code ManagedBarrier},
 * their waits {@code ServerWaits}), whose owner is the calling client thread ({@code Caller}) and
 * which give back what a call took for a caller that gave up ({@code Undoable}, {@code GiveBack}). The objects behind the managed array, joinable queue and pool
 * ({@code ArrayObject}, {@code JoinableQueueObject}, {@code PoolObject} with its
 * {@code AsyncResultObject}s), and {@code OnRelease}, by which the table tells an object it dropped.
 */
package io.github.multiprocessing4j.managers;
