package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import io.github.multiprocessing4j.internal.runtime.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A manager connection after its handshake: length-prefixed messages over a blocking socket. A
 * call is a strict request and reply on a connection that one thread uses at a time, so blocking
 * reads and writes do it with the fewest system calls and wake-ups (a selector's wait costs one
 * more of each per message). Closing the channel from another thread ends a blocked read or
 * write; so does interrupting the thread, which closes the channel, as blocking channels do.
 */
final class Frames implements AutoCloseable {

  /** Reads are buffered: a small message and its length come in one read, not two. */
  private static final int BUFFER = 16 * 1024;

  private final SocketChannel channel;
  /** What was read and not yet taken, between position and limit. Direct: no copy in the read. */
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER).flip();
  /** Small messages are written from here. */
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);

  /** Takes an authenticated socket, and makes it blocking. */
  Frames(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(true);
  }

  void send(byte[] m) throws IOException {
    ByteBuffer b;
    if (m.length + 4 <= out.capacity()) {
      b = out.clear();
      b.putInt(m.length).put(m).flip();
    } else {
      b = ByteBuffer.allocate(4 + m.length);
      b.putInt(m.length).put(m).flip();
    }
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /**
   * Receives one message.
   *
   * @throws PeerClosedException at the end of the stream between messages
   * @throws ConnectionException at the end of the stream within one, or for a bad length
   */
  byte[] receive() throws IOException {
    if (!buffer(4, true)) {
      throw new PeerClosedException("the other end was closed");
    }
    int len = in.getInt();
    if (len < 0 || len > Limits.maxMessageBytes()) {
      throw new ConnectionException("bad message length " + len + " from a manager connection");
    }
    byte[] body = new byte[len];
    int have = Math.min(len, in.remaining());
    in.get(body, 0, have);
    if (have < len) { // a large message: the rest straight into it
      ByteBuffer rest = ByteBuffer.wrap(body, have, len - have);
      while (rest.hasRemaining()) {
        if (channel.read(rest) < 0) {
          throw new ConnectionException("got end of file during message");
        }
      }
    }
    return body;
  }

  /**
   * Reads until at least {@code n} bytes are buffered; false if the stream ended with nothing
   * buffered and {@code atStart}.
   */
  private boolean buffer(int n, boolean atStart) throws IOException {
    while (in.remaining() < n) {
      in.compact();
      int r;
      try {
        r = channel.read(in);
      } finally {
        in.flip();
      }
      if (r < 0) {
        if (atStart && in.remaining() == 0) {
          return false;
        }
        throw new ConnectionException("got end of file during message");
      }
    }
    return true;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing
    }
  }
}
