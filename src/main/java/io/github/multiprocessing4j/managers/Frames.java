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

  private final SocketChannel channel;
  private final ByteBuffer header = ByteBuffer.allocate(4);

  /** Takes an authenticated socket, and makes it blocking. */
  Frames(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(true);
  }

  void send(byte[] m) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + m.length);
    b.putInt(m.length).put(m).flip();
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
    header.clear();
    if (!fill(header)) {
      throw new PeerClosedException("the other end was closed");
    }
    int len = header.getInt(0);
    if (len < 0 || len > Limits.maxMessageBytes()) {
      throw new ConnectionException("bad message length " + len + " from a manager connection");
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    if (!fill(body)) {
      throw new ConnectionException("got end of file during message");
    }
    return body.array();
  }

  /** Fills {@code b}; false if the stream ended before its first byte. */
  private boolean fill(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        if (b.position() == 0) {
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
