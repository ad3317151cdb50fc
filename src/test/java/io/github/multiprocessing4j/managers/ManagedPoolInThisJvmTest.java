package io.github.multiprocessing4j.managers;

/** {@link ManagedPoolTest}'s tests against a server this JVM serves (see {@link SharedManager}). */
final class ManagedPoolInThisJvmTest extends ManagedPoolTest {}
