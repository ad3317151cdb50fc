package io.github.multiprocessing4j.connection;

import io.github.multiprocessing4j.internal.codec.Messages;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A hand-written peer on a raw socket, for tests that play the attacker or a non-Java peer: it
 * frames bytes as CPython does (or not at all) and runs the authkey challenge with its own HMAC
 * code, written from CPython's {@code connection.py}, not from the library's {@code Handshake}.
 */
final class RawPeer implements AutoCloseable {

  static final byte[] CHALLENGE = ascii("#CHALLENGE#");
  static final byte[] WELCOME = ascii("#WELCOME#");
  static final byte[] FAILURE = ascii("#FAILURE#");

  final SocketChannel channel;
  private final DataInputStream in;
  private final OutputStream out;

  RawPeer(SocketChannel channel) {
    this.channel = channel;
    this.in = new DataInputStream(Channels.newInputStream(channel));
    this.out = Channels.newOutputStream(channel);
  }

  static RawPeer connect(SocketAddress address) throws IOException {
    SocketChannel ch = address instanceof UnixDomainSocketAddress
        ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    ch.connect(address);
    return new RawPeer(ch);
  }

  /** Sends bytes as they are, without a length prefix. */
  void sendRaw(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  /** Sends one message in CPython's framing: 4-byte big-endian length, payload. */
  void sendFrame(byte[] b) throws IOException {
    sendRaw(ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array());
  }

  /** Sends a 4-byte length prefix only. */
  void sendLength(int length) throws IOException {
    sendRaw(ByteBuffer.allocate(4).putInt(length).array());
  }

  /** Sends CPython's long form: -1, then an 8-byte length. */
  void sendLongLength(long length) throws IOException {
    sendRaw(ByteBuffer.allocate(12).putInt(-1).putLong(length).array());
  }

  /** Sends an object encoded as {@link Connection#send} encodes it (whatever the codec), framed. */
  void sendObject(Object o) throws IOException {
    sendFrame(Messages.encode(o, "the test peer's object"));
  }

  /** Receives one framed message (short ones only: this is a test peer). */
  byte[] receiveFrame() throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 20)) {
      throw new IOException("unexpected length prefix " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** True if the other side closed: the next read is the end of the stream. */
  boolean seesEndOfStream() throws IOException {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true; // reset by the peer: closed as well
    }
  }

  /** Shuts down the sending half: the other side sees the end of the stream. */
  void shutdownOutput() throws IOException {
    channel.shutdownOutput();
  }

  // ---- the client side of the handshake

  /**
   * Answers the listener's challenge with {@code key}; returns its verdict ({@code #WELCOME#} or
   * {@code #FAILURE#}).
   */
  byte[] answerChallenge(byte[] key) throws IOException {
    byte[] message = expectChallenge();
    sendFrame(response(key, message));
    return receiveFrame();
  }

  /** Receives a challenge and returns the message after {@code #CHALLENGE#}. */
  byte[] expectChallenge() throws IOException {
    byte[] m = receiveFrame();
    if (!startsWith(m, CHALLENGE)) {
      throw new IOException("not a challenge: " + new String(m, StandardCharsets.ISO_8859_1));
    }
    return Arrays.copyOfRange(m, CHALLENGE.length, m.length);
  }

  /** Delivers a modern challenge and checks the answer with {@code key}; returns whether it matched. */
  boolean deliverChallenge(byte[] key) throws IOException {
    byte[] random = new byte[40];
    new SecureRandom().nextBytes(random);
    byte[] message = concat(ascii("{sha256}"), random);
    sendFrame(concat(CHALLENGE, message));
    byte[] answer = receiveFrame();
    boolean ok = Arrays.equals(answer, concat(ascii("{sha256}"), hmac("HmacSHA256", key, message)));
    sendFrame(ok ? WELCOME : FAILURE);
    return ok;
  }

  /** The whole client side with the right key: answer, then challenge. */
  void authenticateAsClient(byte[] key) throws IOException {
    byte[] verdict = answerChallenge(key);
    if (!Arrays.equals(verdict, WELCOME)) {
      throw new IOException("rejected: " + new String(verdict, StandardCharsets.ISO_8859_1));
    }
    if (!deliverChallenge(key)) {
      throw new IOException("the listener does not know the key");
    }
  }

  /** CPython's {@code _create_response}: {sha256}HMAC for a modern challenge, bare HMAC-MD5 for a legacy one. */
  static byte[] response(byte[] key, byte[] message) {
    if (message.length == 20) {
      return hmac("HmacMD5", key, message);
    }
    if (!startsWith(message, ascii("{sha256}"))) {
      throw new IllegalArgumentException("this test peer answers sha256 and legacy challenges only");
    }
    return concat(ascii("{sha256}"), hmac("HmacSHA256", key, message));
  }

  static byte[] hmac(String algorithm, byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static boolean startsWith(byte[] m, byte[] prefix) {
    return m.length >= prefix.length && Arrays.equals(m, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Reads until the end of the stream, to show that nothing more comes. */
  void expectEndOfStream() throws IOException {
    if (!seesEndOfStream()) {
      throw new EOFException("the other side did not close the connection");
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
