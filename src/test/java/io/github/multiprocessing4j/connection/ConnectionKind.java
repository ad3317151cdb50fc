package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.testing.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Every kind of {@link Connection} the public API makes, for the contract tests that run one body
 * against each (the pattern of JCTools's queue sanity tests): both kinds of {@link Pipe}, and a
 * {@link Listener} and {@link Client} over a Unix socket and over TCP. Socket channels use the
 * authkey of the current process, which a child inherits.
 */
enum ConnectionKind {

  /** {@code Pipe.open()}: two ends that both send and receive. */
  DUPLEX_PIPE(true) {
    @Override
    Channel open() {
      Pipe p = Pipe.open();
      return new Channel(p.conn1(), p.conn2(), null);
    }
  },
  /** {@code Pipe.open(false)}: {@code conn1} only receives, {@code conn2} only sends. */
  ONE_WAY_PIPE(false) {
    @Override
    Channel open() {
      Pipe p = Pipe.open(false);
      return new Channel(p.conn2(), p.conn1(), null);
    }
  },
  /** A listener at its default address, a Unix socket, and the client connected to it. */
  UNIX_SOCKET(true) {
    @Override
    Listener listener() {
      return Listener.open();
    }
  },
  /** A listener on the loopback interface and the client connected to it over TCP. */
  TCP_SOCKET(true) {
    @Override
    Listener listener() {
      return Listener.builder().address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).open();
    }
  };

  private final boolean duplex;

  ConnectionKind(boolean duplex) {
    this.duplex = duplex;
  }

  /** Whether both ends send and receive. */
  boolean duplex() {
    return duplex;
  }

  /** Whether this kind is a socket a child connects to by address rather than a pipe end it is given. */
  boolean socket() {
    return this == UNIX_SOCKET || this == TCP_SOCKET;
  }

  /** For the socket kinds: a listener with the current process's authkey. */
  Listener listener() {
    throw new UnsupportedOperationException(this + " has no listener");
  }

  /** Opens a connected channel in this process: the client sends, the accepted end receives. */
  Channel open() throws Exception {
    Listener l = listener();
    try {
      Background<Connection> client = Background.run(() -> Client.connect(l.address()));
      Connection server = l.accept();
      return new Channel(client.get(Waits.JOIN), server, l);
    } catch (Exception | Error e) {
      l.close();
      throw e;
    }
  }

  /**
   * Two connected ends: {@code sender} can send (and on a duplex channel receive), {@code receiver}
   * can receive. Closing the channel closes both ends and the listener, if any.
   */
  record Channel(Connection sender, Connection receiver, Listener listener) implements AutoCloseable {
    @Override
    public void close() {
      receiver.close();
      sender.close();
      if (listener != null) {
        listener.close();
      }
    }
  }
}
