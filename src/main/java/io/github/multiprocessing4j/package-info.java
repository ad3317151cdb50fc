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
 */
package io.github.multiprocessing4j;
