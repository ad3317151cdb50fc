package io.github.multiprocessing4j.managers;

/** {@link ManagerParityTest} against a server in this JVM, for the coverage of the server's code. */
final class ManagerParityInThisJvmTest extends ManagerParityTest {}
