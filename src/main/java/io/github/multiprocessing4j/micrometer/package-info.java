/**
 * Micrometer meters for pools and executors: {@link io.github.multiprocessing4j.micrometer.PoolMetrics},
 * a {@code MeterBinder}. Micrometer ({@code io.micrometer:micrometer-core}) is an optional
 * dependency: only this package uses it, and nothing else in the library loads this package, so the
 * rest runs without Micrometer on the path.
 */
package io.github.multiprocessing4j.micrometer;
