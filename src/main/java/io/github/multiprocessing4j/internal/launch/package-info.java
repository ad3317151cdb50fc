/**
 * Starting a child JVM and reading how it ended: the bootstrap frame a child reads on its standard
 * input ({@code Bootstrap}), handing open connections to a child ({@code Handoffs}), the class path
 * and class-data-sharing archive of a child ({@code Classpath}, {@code ClassDataSharing}), the
 * start-up flags of short-lived children, the warm-up of spares, exit codes and the child's exit
 * report ({@code ExitCodes}, {@code ExitReport}).
 *
 * <p>May use: {@code internal.runtime}, {@code internal.codec}, the JDK, and the public exception
 * types. The {@code Process} lifecycle itself lives beside its API, in the root package. Not
 * exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal.launch;
