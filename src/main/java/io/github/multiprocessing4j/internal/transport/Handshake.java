package io.github.multiprocessing4j.internal.transport;

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
  /** The challenge of CPython 3.11 and older: 20 bytes, no digest prefix, answered in HMAC-MD5. */
  private static final int LEGACY_CHALLENGE_LENGTH = 20;
  /** A bare HMAC-MD5 answer, from CPython 3.11 or older. */
  private static final int LEGACY_DIGEST_LENGTH = 16;
  /** The longest digest name allowed ({@code sha3_256}, {@code sha3_384}). */
  private static final int MAX_DIGEST_NAME = 8;

  private Handshake() {}

  /**
   * Runs the accepting side: deliver a challenge, then answer the peer's.
   *
   * @param t the fresh channel
   * @param key the authkey
   * @param timeoutNanos how long the whole exchange may take; {@link Long#MAX_VALUE} for ever
   * @throws AuthenticationException if the peer fails, or does not complete it in time
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted
   */
  public static void accept(SocketTransport t, byte[] key, long timeoutNanos) throws IOException, InterruptedException {
    Limit limit = new Limit(timeoutNanos);
    deliverChallenge(t, key, limit);
    answerChallenge(t, key, limit);
  }

  /**
   * Runs the connecting side: answer the peer's challenge, then deliver one.
   *
   * @param t the fresh channel
   * @param key the authkey
   * @param timeoutNanos how long the whole exchange may take; {@link Long#MAX_VALUE} for ever
   * @throws AuthenticationException if the peer fails, or does not complete it in time
   * @throws IOException if the channel fails
   * @throws InterruptedException if interrupted
   */
  public static void connect(SocketTransport t, byte[] key, long timeoutNanos) throws IOException, InterruptedException {
    Limit limit = new Limit(timeoutNanos);
    answerChallenge(t, key, limit);
    deliverChallenge(t, key, limit);
  }

  /**
   * One deadline for the whole exchange: a peer that trickles its answers, each just in time for a
   * per-step timeout, cannot hold the other side for several of them.
   */
  private static final class Limit {
    final long timeoutNanos;
    final long deadline;

    Limit(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
      this.deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    }

    long remaining() {
      return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }
  }

  private static void deliverChallenge(SocketTransport t, byte[] key, Limit limit)
      throws IOException, InterruptedException {
    byte[] random = new byte[MESSAGE_LENGTH];
    randomBytes(random);
    byte[] message = concat(ascii("{sha256}"), random);
    byte[] challenge = concat(CHALLENGE, message);
    t.send(challenge, 0, challenge.length);
    byte[] response = receive(t, limit);
    try {
      verify(key, message, response);
    } catch (AuthenticationException e) {
      // As CPython: #FAILURE# for every rejected answer, so the peer fails at once with "digest
      // sent was rejected" instead of waiting. Best effort: a peer that already hung up must not
      // turn the rejection into a broken pipe.
      try {
        t.send(FAILURE, 0, FAILURE.length);
      } catch (IOException | RuntimeException sendFailed) {
        e.addSuppressed(sendFailed);
      }
      throw e;
    }
    t.send(WELCOME, 0, WELCOME.length);
  }

  private static void answerChallenge(SocketTransport t, byte[] key, Limit limit)
      throws IOException, InterruptedException {
    byte[] m = receive(t, limit);
    if (!startsWith(m, CHALLENGE)) {
      throw new AuthenticationException("Protocol error, expected challenge: message=" + repr(m));
    }
    byte[] message = java.util.Arrays.copyOfRange(m, CHALLENGE.length, m.length);
    if (message.length < 20) {
      throw new AuthenticationException("challenge too short: " + message.length + " bytes");
    }
    byte[] answer = answer(key, message);
    t.send(answer, 0, answer.length);
    byte[] reply = receive(t, limit);
    if (!MessageDigest.isEqual(reply, WELCOME)) {
      throw new AuthenticationException("digest sent was rejected");
    }
  }

  /** The answer to a challenge's message (without its {@code #CHALLENGE#} prefix). */
  private static byte[] answer(byte[] key, byte[] message) {
    String digest = digestName(message); // throws for a modern challenge with an unknown digest
    byte[] mac = hmac(digest == null ? "md5" : digest, key, message);
    return digest == null ? mac : concat(ascii("{" + digest + "}"), mac);
  }

  /**
   * The accepting side of the exchange ({@link #accept}) as a state machine fed one message at a
   * time, so that one thread with a selector can run many at once ({@link Authenticator}) and a
   * silent peer holds no thread. The bytes on the wire are those of {@link #accept}.
   */
  static final class Acceptance {
    /** The longest message of the exchange: anything longer fails it. */
    static final int MAX_MESSAGE = MAX_LENGTH;
    private final byte[] key;
    private byte[] message; // the challenge delivered, without its prefix
    private int step; // 0: awaits the answer; 1: awaits the peer's challenge; 2: awaits its verdict; 3: done

    Acceptance(byte[] key) {
      this.key = key;
    }

    /** The first message to send: the challenge. */
    byte[] start() {
      byte[] random = new byte[MESSAGE_LENGTH];
      randomBytes(random);
      message = concat(ascii("{sha256}"), random);
      return concat(CHALLENGE, message);
    }

    /**
     * Takes the peer's next message.
     *
     * @return the message to send in reply, or null if none (the exchange is then {@link #done()})
     * @throws AuthenticationException if the peer failed; send {@link #farewell()} before closing
     */
    byte[] onMessage(byte[] m) {
      switch (step) {
        case 0:
          verify(key, message, m);
          step = 1;
          return WELCOME;
        case 1: {
          if (!startsWith(m, CHALLENGE)) {
            throw new AuthenticationException("Protocol error, expected challenge: message=" + repr(m));
          }
          byte[] theirs = java.util.Arrays.copyOfRange(m, CHALLENGE.length, m.length);
          if (theirs.length < 20) {
            throw new AuthenticationException("challenge too short: " + theirs.length + " bytes");
          }
          step = 2;
          return answer(key, theirs);
        }
        case 2:
          if (!MessageDigest.isEqual(m, WELCOME)) {
            throw new AuthenticationException("digest sent was rejected");
          }
          step = 3;
          return null;
        default:
          throw new IllegalStateException("the exchange is over");
      }
    }

    /** Whether the peer passed. */
    boolean done() {
      return step == 3;
    }

    /** What to send a peer that failed before closing: CPython's {@code #FAILURE#} if its answer was wrong. */
    byte[] farewell() {
      return step == 0 ? FAILURE.clone() : null;
    }
  }

  private static byte[] receive(SocketTransport t, Limit limit) throws IOException, InterruptedException {
    try {
      return t.receive(MAX_LENGTH, limit.remaining());
    } catch (SocketTimeoutException e) {
      throw new AuthenticationException("the peer did not complete the authkey challenge within "
          + limit.timeoutNanos / 1_000_000 + " ms", e);
    } catch (Transport.MessageTooLongException e) {
      throw new AuthenticationException("the peer sent a message longer than " + MAX_LENGTH
          + " bytes during the authkey challenge: it does not speak this protocol");
    }
  }

  /** Checks the peer's answer; throws with CPython's message if it is wrong. */
  private static void verify(byte[] key, byte[] message, byte[] response) {
    String digest = digestName(response);
    byte[] mac;
    if (digest == null) {
      digest = "md5"; // a legacy (CPython 3.11 or older) peer: a bare 16-byte HMAC-MD5
      mac = response;
    } else {
      mac = java.util.Arrays.copyOfRange(response, digest.length() + 2, response.length);
    }
    byte[] expected = hmac(digest, key, message);
    if (mac.length != expected.length) {
      throw new AuthenticationException("expected '" + digest + "' of length " + expected.length
          + " got " + mac.length);
    }
    if (!MessageDigest.isEqual(mac, expected)) {
      throw new AuthenticationException("digest received was wrong");
    }
  }

  /**
   * CPython's {@code _get_digest_name_and_payload}: null for a legacy message (exactly 16 or 20
   * bytes, whatever they contain: a legacy challenge or MD5 answer may well start with '{'), else
   * the name in a leading {@code {name}} if it is one this side supports.
   *
   * @throws AuthenticationException for anything else
   */
  private static String digestName(byte[] m) {
    if (m.length == LEGACY_CHALLENGE_LENGTH || m.length == LEGACY_DIGEST_LENGTH) {
      return null;
    }
    if (m.length > 0 && m[0] == '{') {
      for (int i = 1; i < Math.min(m.length, MAX_DIGEST_NAME + 2); i++) {
        if (m[i] == '}') {
          String name = new String(m, 1, i - 1, StandardCharsets.US_ASCII);
          if (algorithm(name) != null) {
            return name;
          }
          break;
        }
      }
    }
    throw new AuthenticationException("unsupported message length, missing digest prefix, or "
        + "unsupported digest: message=" + repr(m));
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

  /**
   * Fills {@code b} from the kernel's random source, as {@code os.urandom} does; where there is none,
   * from {@link SecureRandom}. Not SecureRandom first: its first use in a fresh JVM initialises the
   * security providers (about 20 ms), which every child would pay on its first pipe or queue use.
   *
   * @param b filled with random bytes
   */
  public static void randomBytes(byte[] b) {
    try (java.io.FileInputStream in = new java.io.FileInputStream("/dev/urandom")) {
      if (in.readNBytes(b, 0, b.length) == b.length) {
        return;
      }
    } catch (IOException e) {
      // no /dev/urandom (Windows): SecureRandom below
    }
    Holder.RANDOM.nextBytes(b);
  }

  /** Created only where there is no /dev/urandom. */
  private static final class Holder {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private static byte[] hmac(String digest, byte[] key, byte[] message) {
    if (digest.equals("sha256")) {
      return HmacSha256.mac(key, message); // the default digest, without initialising the providers
    }
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
