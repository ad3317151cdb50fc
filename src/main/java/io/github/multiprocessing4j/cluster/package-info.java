/**
 * The library's {@link io.github.multiprocessing4j.pool.Pool} and
 * {@link io.github.multiprocessing4j.pool.ProcessPoolExecutor} over a Hazelcast cluster:
 * {@link io.github.multiprocessing4j.cluster.Cluster} is the handle (by default one embedded member
 * in this JVM, on loopback), {@link io.github.multiprocessing4j.cluster.ClusterMember} the main class
 * of a member on another machine, {@link io.github.multiprocessing4j.cluster.ClusterQueue} a queue
 * shared across machines. Every member runs its own pool of worker JVMs; tasks still run in worker
 * JVMs. See {@code docs/cluster.md}.
 *
 * <p>Hazelcast ({@code com.hazelcast:hazelcast}) is an optional dependency: only this package uses
 * it, and nothing of it is loaded until this package is used.
 *
 * <p>Implementation, package-private beside the API: the member's configuration, its local
 * workers, the task a member runs, and the caller's spreading of tasks over members.
 */
package io.github.multiprocessing4j.cluster;
