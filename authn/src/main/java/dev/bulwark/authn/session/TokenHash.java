package dev.bulwark.authn.session;

import java.security.MessageDigest;
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
    this.hashCode = Arrays.hashCode(digest);
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

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash && MessageDigest.isEqual(digest, ((TokenHash) o).digest);
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
