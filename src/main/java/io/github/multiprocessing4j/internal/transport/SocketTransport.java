package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.connection.BrokenPipeException;
import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.connection.PeerClosedException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Messages over a stream socket in CPython's wire format: a 4-byte big-endian signed length, or
 * {@code -1} and an 8-byte length for messages over 2 GiB, then the payload. The socket is
 * non-blocking and waits go through selectors, so every wait can time out and be interrupted.
 *
 * <p>Nothing is read ahead of the message asked for: after a handshake the socket can be handed on
 * (see {@link #detach()}) with no byte lost.
 *
 * <p>{@link #close()} may be called from any thread: a send, receive or poll waiting in another
 * thread then fails with {@link ConnectionException}{@code ("handle is closed")}. A transport
 * registered with {@link OpenChannels} removes itself from there when closed.
 */
public final class SocketTransport implements Transport, AutoCloseable {

  /** Payloads up to this size go out in one write with their header, as CPython does. */
  private static final int SMALL = 16384;
  /** A length prefix is trusted only this far ahead of the bytes that actually arrived. */
  private static final int GROW_STEP = 1 << 20;

  private final SocketChannel channel;
  private final Selector readSelector;
  private final Selector writeSelector;
  private final ByteBuffer header = ByteBuffer.allocate(4);
  private final Object readLock = new Object();
  private final Object writeLock = new Object();
  private volatile boolean closed;
  private boolean eof; // guarded by readLock
  /** Why the stream can no longer be read: the peer sent a length prefix that is not one. */
  private String corrupt; // guarded by readLock

  /**
   * Wraps a connected socket.
   *
   * @param channel the socket; made non-blocking
   * @throws IOException if the selectors cannot be opened
   */
  public SocketTransport(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    readSelector = Selector.open();
    writeSelector = Selector.open();
    channel.register(readSelector, SelectionKey.OP_READ);
    channel.register(writeSelector, SelectionKey.OP_WRITE);
  }

  /**
   * Returns the socket, for use in blocking mode, and releases the selectors. This transport must
   * not be used afterwards.
   *
   * @return the socket, in blocking mode
   * @throws IOException if the socket cannot be switched back
   */
  public SocketChannel detach() throws IOException {
    readSelector.close();
    writeSelector.close();
    channel.configureBlocking(true);
    return channel;
  }

  @Override
  public void send(byte[] b, int off, int len) throws IOException, InterruptedException {
    synchronized (writeLock) {
      checkOpen();
      ByteBuffer body = ByteBuffer.wrap(b, off, len);
      if (len <= SMALL) {
        ByteBuffer one = ByteBuffer.allocate(4 + len).putInt(len).put(body);
        one.flip();
        writeFully(new ByteBuffer[] {one});
      } else {
        writeFully(new ByteBuffer[] {ByteBuffer.allocate(4).putInt(0, len), body});
      }
    }
  }

  private void writeFully(ByteBuffer[] bufs) throws IOException, InterruptedException {
    ByteBuffer last = bufs[bufs.length - 1];
    try {
      while (last.hasRemaining()) {
        if (channel.write(bufs) == 0) {
          try {
            writeSelector.select();
            writeSelector.selectedKeys().clear();
          } catch (ClosedSelectorException e) {
            // close() in another thread: reported as "handle is closed" just below
          }
          checkInterrupt();
          checkOpen();
        }
      }
    } catch (IOException e) {
      if (closed) {
        throw new ConnectionException("handle is closed");
      }
      String m = String.valueOf(e.getMessage());
      if (m.contains("Broken pipe") || m.contains("reset") || m.contains("closed")) {
        throw new BrokenPipeException("Broken pipe: the other end is closed");
      }
      throw e;
    }
  }

  @Override
  public byte[] receive(int maxLength) throws IOException, InterruptedException {
    return receive(maxLength, Long.MAX_VALUE);
  }

  /**
   * Receives one message, waiting at most the given time for each part of it.
   *
   * @param maxLength the longest message accepted
   * @param timeoutNanos how long to wait for bytes; {@link Long#MAX_VALUE} waits forever
   * @return the message
   * @throws SocketTimeoutException if nothing arrived in time
   * @throws IOException as {@link #receive(int)}
   * @throws InterruptedException if interrupted while waiting
   */
  public byte[] receive(int maxLength, long timeoutNanos) throws IOException, InterruptedException {
    synchronized (readLock) {
      checkOpen();
      if (corrupt != null) {
        throw new ConnectionException(corrupt);
      }
      long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
      if (!fill(header, deadline)) {
        if (header.position() == 0) {
          throw new PeerClosedException("the other end was closed and every message has been received");
        }
        throw new ConnectionException("got end of file during message");
      }
      long length = header.getInt(0);
      if (length == -1) {
        ByteBuffer wide = ByteBuffer.allocate(8);
        if (!fill(wide, deadline)) {
          throw new ConnectionException("got end of file during message");
        }
        length = wide.getLong(0);
      }
      if (length < 0) {
        // Nothing after it can be trusted to start a message: every later receive fails too.
        corrupt = "bad message length: the length prefix " + length
            + " is negative; the peer does not speak this protocol";
        throw new ConnectionException(corrupt);
      }
      if (length > maxLength) {
        header.clear();
        throw new MessageTooLongException(length, maxLength);
      }
      int len = (int) length;
      byte[] msg = new byte[Math.min(len, GROW_STEP)];
      int got = 0;
      while (got < len) {
        if (got == msg.length) {
          msg = Arrays.copyOf(msg, (int) Math.min(len, (long) msg.length * 2));
        }
        ByteBuffer part = ByteBuffer.wrap(msg, got, msg.length - got);
        if (!fill(part, deadline)) {
          header.clear();
          throw new ConnectionException("got end of file during message");
        }
        got = msg.length;
      }
      header.clear();
      return msg;
    }
  }

  /** Fills {@code buf}; false at the end of the stream. */
  private boolean fill(ByteBuffer buf, long deadline) throws IOException, InterruptedException {
    while (buf.hasRemaining()) {
      if (eof) {
        return false;
      }
      int n = read(buf);
      if (n < 0) {
        eof = true;
        return false;
      }
      if (n == 0 && !await(deadline)) {
        throw new SocketTimeoutException("no message within the time allowed");
      }
    }
    return true;
  }

  private boolean await(long deadline) throws IOException, InterruptedException {
    long now = System.nanoTime();
    if (deadline != Long.MAX_VALUE && now - deadline >= 0) {
      return false;
    }
    long ms = deadline == Long.MAX_VALUE ? 0 : Math.max(1, (deadline - now + 999_999) / 1_000_000);
    try {
      readSelector.select(ms);
      readSelector.selectedKeys().clear();
    } catch (ClosedSelectorException e) {
      // close() in another thread: reported as "handle is closed" just below
    }
    checkInterrupt();
    checkOpen();
    return true;
  }

  @Override
  public boolean poll(long timeoutNanos) throws IOException, InterruptedException {
    synchronized (readLock) {
      checkOpen();
      long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeoutNanos);
      while (true) {
        if (eof || corrupt != null || header.position() > 0) {
          return true;
        }
        int n = read(header);
        if (n < 0) {
          eof = true;
          return true;
        }
        if (n > 0) {
          return true;
        }
        if (!await(deadline)) {
          return false;
        }
      }
    }
  }

  /** Reads what is there; a channel closed by {@link #close()} in another thread is "handle is closed". */
  private int read(ByteBuffer buf) throws IOException {
    try {
      return channel.read(buf);
    } catch (ClosedChannelException e) {
      checkOpen();
      throw e;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new ConnectionException("handle is closed");
    }
  }

  private static void checkInterrupt() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    readSelector.wakeup();
    writeSelector.wakeup();
    try {
      channel.close();
    } catch (IOException e) {
      // closing is best effort: the descriptor is released either way
    }
    try {
      readSelector.close();
      writeSelector.close();
    } catch (IOException e) {
      // as above
    }
    OpenChannels.remove(this);
  }
}
