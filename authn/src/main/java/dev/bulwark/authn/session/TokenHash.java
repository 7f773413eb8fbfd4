package dev.bulwark.authn.session;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SHA-256 of a {@link SessionToken}: the key under which stores keep a session. Knowing a hash
 * does not let anyone present the token (SHA-256 preimage resistance over 256 random bits), which
 * is why it is safe to store, index and log. Immutable; {@link #bytes()} returns a copy.
 */
public final class TokenHash {

  /** Size of a hash in bytes. */
  public static final int SIZE_BYTES = 32;

  private final byte[] digest;
  private final int hashCode;

  private TokenHash(byte[] digest) {
    this.digest = digest;
    // A SHA-256 output is uniform: its first four bytes are as good a hash code as any mix of all
    // 32, and cost nothing to compute on every session lookup.
    this.hashCode = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
  }

  /** Wraps a 32-byte SHA-256 digest (copied). */
  public static TokenHash of(byte[] digest) {
    Objects.requireNonNull(digest, "digest");
    if (digest.length != SIZE_BYTES) {
      throw new IllegalArgumentException("a token hash is " + SIZE_BYTES + " bytes, got " + digest.length);
    }
    return new TokenHash(digest.clone());
  }

  static TokenHash ofDigest(byte[] freshDigest) {
    return new TokenHash(freshDigest);
  }

  /** The 32 digest bytes (a copy). */
  public byte[] bytes() {
    return digest.clone();
  }

  /** Lower-case hex of the digest. */
  public String hex() {
    return HexFormat.of().formatHex(digest);
  }

  /**
   * Plain (not constant-time) comparison, on purpose: a token hash is not a secret (see the class
   * documentation), and this comparison runs inside every session lookup. What its timing could
   * reveal is how far a presented token's hash agrees with a stored one, and even a whole stored
   * hash yields no token.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash && Arrays.equals(digest, ((TokenHash) o).digest);
  }

  @Override
  public int hashCode() {
    return hashCode;
  }

  @Override
  public String toString() {
    return "TokenHash[" + hex().substring(0, 12) + "…]";
  }
}
