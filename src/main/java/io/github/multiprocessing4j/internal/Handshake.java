package io.github.multiprocessing4j.internal;

import io.github.multiprocessing4j.connection.AuthenticationException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authkey challenge of CPython's {@code multiprocessing.connection}, byte for byte: the
 * accepting side delivers a challenge and then answers one, the connecting side does the reverse,
 * so each proves to the other that it knows the key without sending it. HMAC-SHA256 by default;
 * answers in SHA-384, SHA3-256, SHA3-384 and legacy MD5 are understood, as CPython 3.12 does.
 */
public final class Handshake {

  private static final byte[] CHALLENGE = ascii("#CHALLENGE#");
  private static final byte[] WELCOME = ascii("#WELCOME#");
  private static final byte[] FAILURE = ascii("#FAILURE#");
  private static final int MESSAGE_LENGTH = 40;
  private static final int MAX_LENGTH = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /**
   * Runs the accepting side: deliver a challenge, then answer the peer's.
   *
   * @param t the fresh channel
   * @param key the authkey
   * @param timeoutNanos how long the peer may take over each step
   * @throws AuthenticationException if the peer fails, or does not answer in time
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted
   */
  public static void accept(SocketTransport t, byte[] key, long timeoutNanos) throws IOException, InterruptedException {
    deliverChallenge(t, key, timeoutNanos);
    answerChallenge(t, key, timeoutNanos);
  }

  /**
   * Runs the connecting side: answer the peer's challenge, then deliver one.
   *
   * @param t the fresh channel
   * @param key the authkey
   * @param timeoutNanos how long the peer may take over each step
   * @throws AuthenticationException if the peer fails, or does not answer in time
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted
   */
  public static void connect(SocketTransport t, byte[] key, long timeoutNanos) throws IOException, InterruptedException {
    answerChallenge(t, key, timeoutNanos);
    deliverChallenge(t, key, timeoutNanos);
  }

  private static void deliverChallenge(SocketTransport t, byte[] key, long timeoutNanos)
      throws IOException, InterruptedException {
    byte[] random = new byte[MESSAGE_LENGTH];
    RANDOM.nextBytes(random);
    byte[] message = concat(ascii("{sha256}"), random);
    byte[] challenge = concat(CHALLENGE, message);
    t.send(challenge, 0, challenge.length);
    byte[] response = receive(t, timeoutNanos);
    if (!verify(key, message, response)) {
      t.send(FAILURE, 0, FAILURE.length);
      throw new AuthenticationException("digest received was wrong");
    }
    t.send(WELCOME, 0, WELCOME.length);
  }

  private static void answerChallenge(SocketTransport t, byte[] key, long timeoutNanos)
      throws IOException, InterruptedException {
    byte[] m = receive(t, timeoutNanos);
    if (!startsWith(m, CHALLENGE)) {
      throw new AuthenticationException("Protocol error, expected challenge: message=" + repr(m));
    }
    byte[] message = java.util.Arrays.copyOfRange(m, CHALLENGE.length, m.length);
    if (message.length < 20) {
      throw new AuthenticationException("challenge too short: " + message.length + " bytes");
    }
    String digest = digestName(message);
    byte[] mac = hmac(digest == null ? "md5" : digest, key, message);
    byte[] answer = digest == null ? mac : concat(ascii("{" + digest + "}"), mac);
    t.send(answer, 0, answer.length);
    byte[] reply = receive(t, timeoutNanos);
    if (!MessageDigest.isEqual(reply, WELCOME)) {
      throw new AuthenticationException("digest sent was rejected");
    }
  }

  private static byte[] receive(SocketTransport t, long timeoutNanos) throws IOException, InterruptedException {
    try {
      return t.receive(MAX_LENGTH, timeoutNanos);
    } catch (SocketTimeoutException e) {
      throw new AuthenticationException("the peer did not answer the authkey challenge within "
          + timeoutNanos / 1_000_000 + " ms");
    } catch (Transport.MessageTooLongException e) {
      throw new AuthenticationException("the peer sent a message longer than " + MAX_LENGTH
          + " bytes during the authkey challenge: it does not speak this protocol");
    }
  }

  private static boolean verify(byte[] key, byte[] message, byte[] response) {
    String digest = digestName(response);
    byte[] mac;
    if (digest == null) {
      if (response.length != 16 && response.length != 20) {
        throw new AuthenticationException("unsupported message length, missing digest prefix, or "
            + "unsupported digest: message=" + repr(response));
      }
      digest = "md5";
      mac = response;
    } else {
      mac = java.util.Arrays.copyOfRange(response, digest.length() + 2, response.length);
    }
    byte[] expected = hmac(digest, key, message);
    if (mac.length != expected.length) {
      throw new AuthenticationException("expected '" + digest + "' of length " + expected.length
          + " got " + mac.length);
    }
    return MessageDigest.isEqual(mac, expected);
  }

  /** The name in a leading {@code {name}}, if it is one this side supports; else null. */
  private static String digestName(byte[] m) {
    if (m.length == 0 || m[0] != '{') {
      return null;
    }
    for (int i = 1; i < Math.min(m.length, 20); i++) {
      if (m[i] == '}') {
        String name = new String(m, 1, i - 1, StandardCharsets.US_ASCII);
        if (algorithm(name) == null) {
          throw new AuthenticationException("unsupported message length, missing digest prefix, or "
              + "unsupported digest: message=" + repr(m));
        }
        return name;
      }
    }
    return null;
  }

  private static String algorithm(String digest) {
    switch (digest) {
      case "md5": return "HmacMD5";
      case "sha256": return "HmacSHA256";
      case "sha384": return "HmacSHA384";
      case "sha3_256": return "HmacSHA3-256";
      case "sha3_384": return "HmacSHA3-384";
      default: return null;
    }
  }

  private static byte[] hmac(String digest, byte[] key, byte[] message) {
    try {
      String alg = algorithm(digest);
      Mac mac = Mac.getInstance(alg);
      // SecretKeySpec refuses an empty key; HMAC pads keys with zeros, so one zero byte is the same key
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, alg));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks " + digest + " HMAC, which the authkey challenge needs", e);
    }
  }

  private static boolean startsWith(byte[] m, byte[] prefix) {
    if (m.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (m[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Python's {@code repr} of bytes, cut short: what CPython's messages show. */
  static String repr(byte[] m) {
    StringBuilder sb = new StringBuilder("b'");
    for (int i = 0; i < Math.min(m.length, 64); i++) {
      int c = m[i] & 0xff;
      if (c == '\\' || c == '\'') {
        sb.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.append(m.length > 64 ? "'..." : "'").toString();
  }
}
