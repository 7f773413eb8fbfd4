package dev.bulwark.authn.totp;

import dev.bulwark.authn.totp.internal.Base32;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TOTP shared secret (seed): at least {@value #MIN_LENGTH_BYTES} bytes (160 bits, RFC 4226 R6's
 * recommendation, above NIST's 112-bit floor).
 *
 * <p>Security considerations: no {@code equals}/{@code hashCode}; {@link #toString} is redacted;
 * the bytes leave only through {@link #toBase32()} (for the enrolment URI) and
 * {@link #copyBytes()} (for encryption at rest), both deliberate calls. Compare with
 * {@link #sameAs}, which runs in constant time.
 */
public final class TotpSecret {

  public static final int MIN_LENGTH_BYTES = 20;
  public static final int MAX_LENGTH_BYTES = 128;

  private final byte[] bytes;

  private TotpSecret(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A new secret of {@code algorithm}'s HMAC output length (20, 32 or 64 bytes). */
  public static TotpSecret generate(TotpAlgorithm algorithm, SecureRandom random) {
    byte[] b = new byte[algorithm.secretLengthBytes()];
    random.nextBytes(b);
    return new TotpSecret(b);
  }

  /**
   * Wraps existing secret bytes (copied).
   *
   * @throws IllegalArgumentException if shorter than 20 or longer than 128 bytes
   */
  public static TotpSecret ofBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    check(bytes.length);
    return new TotpSecret(bytes.clone());
  }

  /**
   * Decodes unpadded Base32 (either case).
   *
   * @throws IllegalArgumentException if the text is not Base32 or decodes to a secret of the
   *     wrong length; the message never contains the text
   */
  public static TotpSecret fromBase32(String base32) {
    if (base32 == null) {
      throw new IllegalArgumentException("secret is null");
    }
    byte[] b = Base32.decode(base32);
    check(b.length);
    return new TotpSecret(b);
  }

  private static void check(int length) {
    if (length < MIN_LENGTH_BYTES || length > MAX_LENGTH_BYTES) {
      throw new IllegalArgumentException(
          "TOTP secret must be " + MIN_LENGTH_BYTES + ".." + MAX_LENGTH_BYTES + " bytes (at least 160 bits), was " + length);
    }
  }

  /** The secret as unpadded upper-case Base32, for an otpauth URI. */
  public String toBase32() {
    return Base32.encode(bytes);
  }

  /** A copy of the raw secret, for the host to encrypt at rest. */
  public byte[] copyBytes() {
    return bytes.clone();
  }

  public int lengthBytes() {
    return bytes.length;
  }

  /** Constant-time comparison. */
  public boolean sameAs(TotpSecret other) {
    return other != null && MessageDigest.isEqual(bytes, other.bytes);
  }

  SecretKey key(TotpAlgorithm algorithm) {
    return new SecretKeySpec(bytes, algorithm.jcaName());
  }

  @Override
  public String toString() {
    return "TotpSecret[" + bytes.length + " bytes, <redacted>]";
  }
}
