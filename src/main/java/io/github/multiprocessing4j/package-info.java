/**
 * Python's {@code multiprocessing} for the JVM.
 *
 * <p>{@link io.github.multiprocessing4j.Process} runs a {@link io.github.multiprocessing4j.Target}
 * in a child JVM, with CPython 3.12's names, exit codes, errors and exit rules;
 * {@link io.github.multiprocessing4j.Multiprocessing} holds the module-level functions
 * ({@code cpuCount}, {@code getpid}, {@code kill}, ...).
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this package throws a
 * {@link java.lang.NullPointerException}.
 *
 * <p>Implementation, package-private beside the API: the child JVM's main class
 * ({@code ChildRuntime}), the child's OS process ({@code ChildHandle}), target resolution
 * ({@code TargetCall}), start methods and warm spares. Shared machinery is in the
 * {@code internal.*} packages, which are not exported.
 */
package io.github.multiprocessing4j;
