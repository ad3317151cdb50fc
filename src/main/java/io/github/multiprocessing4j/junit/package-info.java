/**
 * A JUnit 5 extension that runs a test in a fresh JVM started by this library:
 * {@link io.github.multiprocessing4j.junit.ForkedJvm @ForkedJvm} on a test method or class. Static
 * state, {@code System.exit}, system property changes and native crashes stay in the child; the
 * parent reports the child's outcome as JUnit's own. JUnit is an optional dependency of the
 * library: only this package uses it, and nothing else in the library loads this package.
 */
package io.github.multiprocessing4j.junit;
