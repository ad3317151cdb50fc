package io.github.multiprocessing4j.managers;

/** {@link ManagedArrayAndJoinableQueueTest}'s tests against a server this JVM serves (see {@link SharedManager}). */
final class ManagedArrayAndJoinableQueueInThisJvmTest extends ManagedArrayAndJoinableQueueTest {}
