package io.github.multiprocessing4j.internal.transport;

import java.io.IOException;

/**
 * A connected, message-oriented channel between two ends: what a {@code Connection} sends and
 * receives through. Messages keep their boundaries; an empty message is a real one.
 *
 * <p>Implementations allow one sending thread and one receiving thread at a time (callers lock);
 * {@link #close()} may be called from any thread and wakes both.
 */
public interface Transport {

  /**
   * Sends one message.
   *
   * @param b the bytes
   * @param off where the message starts
   * @param len its length
   * @throws io.github.multiprocessing4j.connection.BrokenPipeException if the peer has closed or ended
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted while waiting for room
   */
  void send(byte[] b, int off, int len) throws IOException, InterruptedException;

  /**
   * Receives one whole message, waiting as long as it takes.
   *
   * @param maxLength the longest message accepted; a longer one fails with
   *     {@link MessageTooLongException} and is left unread
   * @return the message
   * @throws io.github.multiprocessing4j.connection.PeerClosedException if the peer closed or ended
   *     and nothing is left
   * @throws IOException if the channel fails or the peer ended in the middle of a message
   * @throws InterruptedException if interrupted while waiting
   */
  byte[] receive(int maxLength) throws IOException, InterruptedException;

  /**
   * Receives one whole message into {@code buf} from {@code off} if it fits there, else as a new
   * array in the exception; the message is consumed either way. This default receives an array and
   * copies it; a transport that can copy straight into {@code buf} overrides it, so that a caller who
   * reuses a buffer allocates nothing per message.
   *
   * @param buf where to put the message; if the channel fails in the middle of a message, part of
   *     it may have been written
   * @param off where in {@code buf}, from 0 to {@code buf.length}
   * @return the message's length
   * @throws MessageDoesNotFitException with the message, if it is longer than {@code buf.length - off}
   * @throws io.github.multiprocessing4j.connection.PeerClosedException as {@link #receive}
   * @throws IOException as {@link #receive}
   * @throws InterruptedException if interrupted while waiting
   */
  default int receiveInto(byte[] buf, int off) throws IOException, InterruptedException {
    byte[] m = receive(Integer.MAX_VALUE);
    if (m.length > buf.length - off) {
      throw new MessageDoesNotFitException(m);
    }
    System.arraycopy(m, 0, buf, off, m.length);
    return m.length;
  }

  /**
   * Waits until a message, or the end of the stream, can be received.
   *
   * @param timeoutNanos how long to wait; zero or negative checks without waiting, and
   *     {@link Long#MAX_VALUE} waits forever
   * @return whether {@link #receive} would not block
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted while waiting
   */
  boolean poll(long timeoutNanos) throws IOException, InterruptedException;

  /** Closes this end; idempotent and quiet. The peer sees the end of the stream. */
  void close();

  /** A message longer than the receiver accepts: CPython's {@code OSError("bad message length")}. */
  final class MessageTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates one.
     *
     * @param length the announced length
     * @param max the longest accepted
     */
    public MessageTooLongException(long length, long max) {
      super("bad message length: " + length + " bytes, more than the " + max + " accepted");
    }
  }

  /** A message longer than the buffer {@link #receiveInto} was given; it carries the message, consumed. */
  final class MessageDoesNotFitException extends IOException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // never serialized: it stays in the thread that caught it
    private final byte[] message;

    /**
     * Creates one.
     *
     * @param message the whole message, which was consumed
     */
    public MessageDoesNotFitException(byte[] message) {
      super("a message of " + message.length + " bytes does not fit the buffer");
      this.message = message;
    }

    /**
     * The message.
     *
     * @return the message's bytes, not a copy
     */
    public byte[] message() {
      return message;
    }
  }
}
