package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.internal.access.ObjectRef;
import io.github.multiprocessing4j.internal.transport.TransportWarmUp;
import java.io.InvalidObjectException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Writes and resolves the serialized form of a pipe end, an {@link ObjectRef}: where its pipe's
 * files are and which end it is, so that the receiving process finds its peer. This class is the
 * {@link ObjectRef.Owner#CONNECTION} resolver, registered when it initialises.
 */
final class ConnectionRefs implements ObjectRef.Resolver {

  static {
    // An instance, not a method reference: a child that only reads a reference should not pay for
    // bootstrapping lambdas.
    ObjectRef.register(ObjectRef.Owner.CONNECTION, ConnectionRefs.class, new ConnectionRefs());
  }

  private ConnectionRefs() {}

  /** An end's: its pipe's state and ring files, its side and its directions. */
  static ObjectRef pipeEnd(Path state, Path ring, int side, boolean readable, boolean writable) {
    return ObjectRef.of(ObjectRef.Kind.PIPE_END, state.toString(), ring.toString(), side, readable ? 1 : 0,
        writable ? 1 : 0);
  }

  /**
   * Resolves to this process's end.
   *
   * @throws InvalidObjectException if the reference is not one this package wrote
   */
  @Override
  public Object resolve(ObjectRef ref) throws InvalidObjectException {
    if (ref.kind() != ObjectRef.Kind.PIPE_END) {
      throw ref.refused();
    }
    String ring = ref.detail();
    int side = ref.number(0, 0, 1);
    boolean readable = ref.number(1, 0, 1) == 1;
    boolean writable = ref.number(2, 0, 1) == 1;
    if (!readable && !writable) {
      throw ref.refused();
    }
    // This JVM will likely use the end soon: what its first operation needs loads meanwhile.
    TransportWarmUp.start("io.github.multiprocessing4j.connection.PipeEndpoint",
        "io.github.multiprocessing4j.connection.Connection$PeerAbandoned",
        "io.github.multiprocessing4j.connection.BrokenPipeException",
        "io.github.multiprocessing4j.connection.PeerClosedException");
    try {
      return Connection.resolve(Paths.get(ref.name()), Paths.get(ring), side, readable, writable);
    } catch (InvalidPathException e) {
      InvalidObjectException x = new InvalidObjectException("not a pipe end: " + e.getMessage());
      x.initCause(e);
      throw x;
    }
  }
}
