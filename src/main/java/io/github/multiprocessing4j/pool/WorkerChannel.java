package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.connection.Connection;

/**
 * How a {@link WorkerSlot} talks to its worker: the pool protocol's messages, sent in order and
 * received by the slot's reader. A worker process's pipe ({@link #of(Connection)}), or a
 * {@link RemoteChannel} to workers elsewhere.
 */
interface WorkerChannel {

  /**
   * Sends one message.
   *
   * @param m the message
   * @throws InterruptedException if interrupted before it was sent
   * @throws io.github.multiprocessing4j.connection.ConnectionException if the worker is gone
   */
  void sendBytes(byte[] m) throws InterruptedException;

  /**
   * Receives the next message.
   *
   * @return the message
   * @throws InterruptedException if interrupted while waiting
   * @throws io.github.multiprocessing4j.connection.ConnectionException once the worker is gone
   */
  byte[] recvBytes() throws InterruptedException;

  /** Closes this end; quiet and idempotent. */
  void close();

  /** A worker process's pipe, the pool's end of it. */
  static WorkerChannel of(Connection conn) {
    return new WorkerChannel() {
      @Override
      public void sendBytes(byte[] m) throws InterruptedException {
        conn.sendBytes(m);
      }

      @Override
      public byte[] recvBytes() throws InterruptedException {
        return conn.recvBytes();
      }

      @Override
      public void close() {
        conn.close();
      }
    };
  }
}
