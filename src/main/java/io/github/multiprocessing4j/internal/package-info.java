/**
 * Implementation details: the child JVM's main class, the bootstrap frame, class path and private
 * directory handling. Not exported by the module; not an API.
 */
package io.github.multiprocessing4j.internal;
