package io.github.multiprocessing4j.internal.launch;

/**
 * A 128-bit fingerprint of strings and numbers, for naming cache files after what they were made
 * from (a launch setting, a build of the library's classes). Not a cryptographic hash: the names
 * live in a directory only this user can write, and a collision costs an archive that the JVM
 * then refuses, or shares. Why not SHA-256: its first use in a JVM initialises the security
 * providers, 15–20 ms that a cold program's first child would pay; and {@code String.format}'s
 * hex, another few milliseconds there. Not thread-safe.
 */
final class Fingerprint {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private long a = FNV_OFFSET;
  private long b = 0x6a09e667f3bcc908L;

  /**
   * Adds a string: its characters, then a separator, so that ("ab", "c") and ("a", "bc") differ.
   *
   * @param s the string
   * @return this
   */
  Fingerprint add(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      mix(s.charAt(i));
    }
    mix(0x1_0000); // not a char: the separator
    return this;
  }

  /**
   * Adds a number.
   *
   * @param v the number
   * @return this
   */
  Fingerprint add(long v) {
    mix((int) (v >>> 32));
    mix((int) v);
    mix(0x1_0001);
    return this;
  }

  private void mix(int v) {
    a = (a ^ v) * FNV_PRIME;
    b = Long.rotateLeft(b ^ (v * GOLDEN), 27) * GOLDEN + 0x52dce729;
  }

  /**
   * Returns the fingerprint as 32 lower-case hex digits.
   *
   * @return the hex digits
   */
  String hex() {
    // a final avalanche, so that near inputs give unrelated names
    long x = a ^ (b >>> 29);
    x *= 0xbf58476d1ce4e5b9L;
    x ^= x >>> 32;
    long y = b ^ (a >>> 31);
    y *= 0x94d049bb133111ebL;
    y ^= y >>> 29;
    return hex16(x) + hex16(y);
  }

  private static String hex16(long v) {
    char[] c = new char[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = Character.forDigit((int) (v & 0xf), 16);
      v >>>= 4;
    }
    return new String(c);
  }
}
