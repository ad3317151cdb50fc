package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.transport.Handshake;
import io.github.multiprocessing4j.internal.transport.OpenChannels;
import io.github.multiprocessing4j.internal.transport.SocketTransport;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Connects to a {@link Listener}, or to a CPython {@code multiprocessing.connection.Listener}:
 * CPython's {@code multiprocessing.connection.Client}.
 *
 * <pre>{@code
 * try (Connection c = Client.connect(address)) {     // this process's authkey
 *   c.send(List.of(1, 2, 3));
 * }
 * try (Connection c = Client.builder().authkey("secret".getBytes(UTF_8)).connect(Path.of("/run/app.sock"))) {
 *   c.sendBytes(new byte[] {1, 2, 3});
 * }
 * }</pre>
 *
 * <p>The handshake is mutual: the client proves it knows the key, and the listener must prove it
 * too, so a process that merely took over the address gets nothing but a failed challenge. By
 * default the key is {@link Multiprocessing#currentProcess()}{@code .authkey()}; <em>this differs
 * from CPython</em>, where {@code Client(address)} without an authkey does not authenticate
 * (see {@link Builder#noAuthentication()}).
 *
 * <p>Connecting, and then the whole handshake, each take at most the {@linkplain Builder#timeout
 * timeout} (20 seconds by default), so a listener that does not answer cannot block the caller for
 * ever. Thread-safe: it holds no state.
 *
 * <p>Unless otherwise noted, passing {@code null} to a method of this class throws
 * {@link NullPointerException}.
 */
public final class Client {

  private Client() {}

  /**
   * Connects to {@code address}, authenticating with this process's authkey.
   *
   * @param address a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}, such as a
   *     {@link Listener#address()}
   * @return the connection
   * @throws ConnectionException if nothing listens there (CPython's
   *     {@code ConnectionRefusedError}) or connecting fails; the message names the address
   * @throws AuthenticationException {@code "digest sent was rejected"} if the listener has another
   *     key; {@code "digest received was wrong"} if the listener could not prove it has the key
   * @throws IllegalArgumentException if the address is of another kind
   * @throws InterruptedException if interrupted while connecting
   */
  public static Connection connect(SocketAddress address) throws InterruptedException {
    return builder().connect(address);
  }

  /**
   * Connects to the Unix-domain socket at {@code path}, authenticating with this process's authkey.
   *
   * @param path the socket's path
   * @return the connection
   * @throws ConnectionException if nothing listens there or connecting fails; the message names
   *     the path
   * @throws AuthenticationException as {@link #connect(SocketAddress)}
   * @throws InterruptedException if interrupted while connecting
   */
  public static Connection connect(Path path) throws InterruptedException {
    return builder().connect(path);
  }

  /**
   * Connects to {@code address}, authenticating with {@code authkey}: CPython's
   * {@code Client(address, authkey=authkey)}.
   *
   * @param address a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}
   * @param authkey the key; may be empty
   * @return the connection
   * @throws ConnectionException as {@link #connect(SocketAddress)}
   * @throws AuthenticationException as {@link #connect(SocketAddress)}
   * @throws IllegalArgumentException if the address is of another kind
   * @throws InterruptedException if interrupted while connecting
   */
  public static Connection connect(SocketAddress address, byte[] authkey) throws InterruptedException {
    return builder().authkey(authkey).connect(address);
  }

  /**
   * Returns a builder for a connection with options: authkey, timeout and deserialization filter.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Options for connecting. Every setter validates its argument at once; none is required. Not
   * thread-safe; a builder may be reused, each {@code connect} snapshots it.
   */
  public static final class Builder {

    private byte[] authkey;
    private boolean noAuthentication;
    private Duration timeout = Listener.DEFAULT_HANDSHAKE_TIMEOUT;
    private ObjectInputFilter filter;

    private Builder() {}

    /**
     * Sets the key. Default: this process's authkey.
     *
     * @param authkey the key; copied; may be empty
     * @return this builder
     */
    public Builder authkey(byte[] authkey) {
      this.authkey = Objects.requireNonNull(authkey, "authkey").clone();
      this.noAuthentication = false;
      return this;
    }

    /**
     * Connects without the challenge, to a listener that does not authenticate: CPython's
     * {@code Client(address)} with no authkey, for a {@link Listener.Builder#noAuthentication()}
     * listener or a CPython {@code Listener(authkey=None)}. Nothing then proves that the peer is
     * the one expected.
     *
     * @return this builder
     */
    public Builder noAuthentication() {
      this.noAuthentication = true;
      this.authkey = null;
      return this;
    }

    /**
     * Sets how long connecting may take, and then how long the whole handshake may take. Default
     * 20 s.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, not " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the filter of the connection (see {@link Connection#setSerialFilter}).
     *
     * @param filter the filter, or null for none (the default)
     * @return this builder
     */
    public Builder serialFilter(ObjectInputFilter filter) {
      this.filter = filter;
      return this;
    }

    /**
     * Connects to the Unix-domain socket at {@code path}.
     *
     * @param path the socket's path
     * @return the connection
     * @throws ConnectionException as {@link Client#connect(SocketAddress)}
     * @throws AuthenticationException as {@link Client#connect(SocketAddress)}
     * @throws InterruptedException if interrupted while connecting
     */
    public Connection connect(Path path) throws InterruptedException {
      return connect(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * Connects to {@code address}.
     *
     * @param address a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}
     * @return the connection
     * @throws ConnectionException as {@link Client#connect(SocketAddress)}
     * @throws AuthenticationException as {@link Client#connect(SocketAddress)}
     * @throws IllegalArgumentException if the address is of another kind
     * @throws InterruptedException if interrupted while connecting
     */
    public Connection connect(SocketAddress address) throws InterruptedException {
      SocketAddress a = Listener.checkAddress(address);
      byte[] key = noAuthentication ? null : authkey != null ? authkey.clone()
          : Multiprocessing.currentProcess().authkey();
      long nanos = Listener.toNanos(timeout);
      String where = Listener.describe(a);
      SocketChannel s = open(a, where, nanos);
      SocketTransport t;
      try {
        t = new SocketTransport(s);
      } catch (IOException e) {
        closeQuietly(s);
        throw new ConnectionException("cannot connect to " + where + ": " + e.getMessage(), e);
      }
      if (key != null) {
        try {
          Handshake.connect(t, key, nanos);
        } catch (AuthenticationException e) {
          t.close();
          throw e;
        } catch (IOException | ConnectionException e) {
          t.close();
          throw new ConnectionException("cannot connect to " + where + ": the listener hung up or "
              + "failed during the authkey challenge: " + e.getMessage(), e);
        } catch (InterruptedException | RuntimeException | Error e) {
          t.close();
          throw e;
        }
      }
      Connection c = Connection.overSocket(t, "to " + where);
      c.setSerialFilter(filter);
      OpenChannels.add(t);
      return c;
    }

    private static SocketChannel open(SocketAddress a, String where, long nanos) throws InterruptedException {
      SocketChannel s = null;
      try {
        s = a instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        if (a instanceof InetSocketAddress) {
          s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        s.configureBlocking(false);
        if (!s.connect(a)) {
          long deadline = System.nanoTime() + nanos;
          try (Selector selector = Selector.open()) {
            s.register(selector, SelectionKey.OP_CONNECT);
            while (!s.finishConnect()) {
              long left = deadline - System.nanoTime();
              if (left <= 0) {
                throw new ConnectionException("cannot connect to " + where + ": no answer within "
                    + nanos / 1_000_000 + " ms");
              }
              selector.select(Math.max(1, (left + 999_999) / 1_000_000));
              selector.selectedKeys().clear();
              if (Thread.interrupted()) {
                throw new InterruptedException();
              }
            }
          }
        }
        return s;
      } catch (ConnectException e) {
        closeQuietly(s);
        throw new ConnectionException("cannot connect to " + where + ": connection refused; is a "
            + "Listener open there?", e);
      } catch (IOException e) {
        closeQuietly(s);
        throw new ConnectionException("cannot connect to " + where + ": " + e.getMessage(), e);
      } catch (InterruptedException | RuntimeException | Error e) {
        closeQuietly(s);
        throw e;
      }
    }

    private static void closeQuietly(SocketChannel s) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing more to do
        }
      }
    }
  }
}
