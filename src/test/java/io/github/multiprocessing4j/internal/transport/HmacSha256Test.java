package io.github.multiprocessing4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-written HMAC-SHA256 of the authkey challenge agrees with the JDK's, bit for bit. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class HmacSha256Test {

  @Test
  void sha256MatchesKnownVectorsAndTheJdk() throws Exception {
    assertThat(HexFormat.of().formatHex(HmacSha256.sha256(new byte[0])))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(HexFormat.of().formatHex(HmacSha256.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Random r = new Random(42);
    MessageDigest jdk = MessageDigest.getInstance("SHA-256");
    for (int len = 0; len < 300; len++) { // every padding case: 55, 56, 63, 64, ... bytes
      byte[] data = new byte[len];
      r.nextBytes(data);
      assertThat(HmacSha256.sha256(data)).as("length %d", len).isEqualTo(jdk.digest(data));
    }
  }

  @Test
  void hmacMatchesTheJdkForKeysAndMessagesOfEveryLength() throws Exception {
    // RFC 4231 test case 2
    assertThat(HexFormat.of().formatHex(HmacSha256.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
        "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    Random r = new Random(7);
    Mac jdk = Mac.getInstance("HmacSHA256");
    for (int i = 0; i < 2000; i++) {
      byte[] key = new byte[1 + r.nextInt(200)]; // longer than a block (64) too
      byte[] message = new byte[r.nextInt(300)];
      r.nextBytes(key);
      r.nextBytes(message);
      jdk.init(new SecretKeySpec(key, "HmacSHA256"));
      assertThat(HmacSha256.mac(key, message)).isEqualTo(jdk.doFinal(message));
    }
    // an empty key is the same key as one zero byte (HMAC pads keys with zeros)
    jdk.init(new SecretKeySpec(new byte[1], "HmacSHA256"));
    assertThat(HmacSha256.mac(new byte[0], new byte[] {1, 2})).isEqualTo(jdk.doFinal(new byte[] {1, 2}));
  }
}
