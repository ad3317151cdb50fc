package io.github.multiprocessing4j.managers;

/** {@link ManagedSynchronizationTest}'s tests against a server this JVM serves (see {@link SharedManager}). */
final class ManagedSynchronizationInThisJvmTest extends ManagedSynchronizationTest {}
