package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.MultiprocessingException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A pair of connected {@link Connection}s: CPython's {@code multiprocessing.Pipe()}.
 *
 * <pre>{@code
 * Pipe pipe = Pipe.open();
 * Process p = Process.builder().target(args -> args.get(0, Connection.class).send("hello"))
 *     .args(pipe.conn2()).build();
 * p.start();
 * pipe.conn2().close();                 // this process's copy: the child has its own
 * System.out.println(pipe.conn1().recv());
 * p.join();
 * }</pre>
 *
 * <p>A two-way pipe ({@link #open()}) lets each end send and receive; a one-way pipe
 * ({@link #open(boolean) open(false)}) receives on {@link #conn1()} and sends on {@link #conn2()},
 * as CPython's. Each direction buffers up to 4 MiB (set with the system property
 * {@code multiprocessing4j.ringBytes}, a power of two) in shared memory before a sender waits: a
 * process can send before its peer has started, and what it sent before closing or ending is still
 * delivered. See {@link Connection} for passing ends to other processes.
 *
 * <p>The pipe's files live in the private runtime directory of the process that created it, so an
 * end must be used for the first time while that process runs.
 */
public final class Pipe {

  private final Connection conn1;
  private final Connection conn2;

  private Pipe(Connection conn1, Connection conn2) {
    this.conn1 = conn1;
    this.conn2 = conn2;
  }

  /**
   * Opens a two-way pipe.
   *
   * @return the pipe
   * @throws MultiprocessingException if its files cannot be created
   */
  public static Pipe open() {
    return open(true);
  }

  /**
   * Opens a pipe: CPython's {@code Pipe(duplex)}.
   *
   * @param duplex true for two-way; false for one-way, receiving on {@link #conn1()} and sending on
   *     {@link #conn2()}
   * @return the pipe
   * @throws MultiprocessingException if its files cannot be created
   */
  public static Pipe open(boolean duplex) {
    Path[] files;
    try {
      files = PipeEndpoint.create();
    } catch (IOException e) {
      throw new MultiprocessingException("cannot create a pipe: " + e, e);
    }
    return new Pipe(Connection.pipeEnd(files[0], files[1], 0, true, duplex),
        Connection.pipeEnd(files[0], files[1], 1, duplex, true));
  }

  /**
   * Returns the first end: CPython's {@code conn1}; receive-only in a one-way pipe.
   *
   * @return the end
   */
  public Connection conn1() {
    return conn1;
  }

  /**
   * Returns the second end: CPython's {@code conn2}; send-only in a one-way pipe.
   *
   * @return the end
   */
  public Connection conn2() {
    return conn2;
  }

  @Override
  public String toString() {
    return "Pipe[" + conn1 + ", " + conn2 + "]";
  }
}
