/**
 * The library's JDK Flight Recorder events ({@code jdk.jfr}, category {@code multiprocessing4j}):
 * process start and exit, pool tasks, worker replacements. {@link
 * io.github.multiprocessing4j.internal.events.FlightEvents} is the one entry point; the event
 * classes behind it are loaded only while a recording runs, so a runtime without the
 * {@code jdk.jfr} module works, without the events. Used by the root and {@code pool} packages;
 * uses no other package of the library (not even {@code runtime}: it must stay loadable alone).
 */
package io.github.multiprocessing4j.internal.events;
