package dev.bulwark.authn.session;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * An opaque session token: 32 random bytes (256 bits) from a {@link SecureRandom}, written as 43
 * characters of unpadded base64url. It is handed to the client once and never stored: stores keep
 * only its SHA-256 {@link TokenHash}, so a leaked session table yields no usable token.
 *
 * <p>{@link #parse(String)} is strict: anything that is not exactly 43 characters of
 * {@code [A-Za-z0-9_-]} in canonical form is rejected with a {@link SessionException} of reason
 * {@link SessionException.Reason#MALFORMED_TOKEN} before any store is consulted.
 *
 * <p>Security considerations: secret type. No {@code equals}/{@code hashCode}; {@link #toString()}
 * is redacted; the text form is reachable only through {@link #reveal()}. Thread-safe (immutable).
 */
public final class SessionToken {

  /** Raw token size in bytes. */
  public static final int SIZE_BYTES = 32;

  /** Length of the text form: 32 bytes in unpadded base64url. */
  public static final int TEXT_LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(SessionToken::sha256);

  private final byte[] raw;

  private SessionToken(byte[] raw) {
    this.raw = raw;
  }

  /** A fresh token from the JDK's {@link SecureRandom}. */
  public static SessionToken generate() {
    byte[] raw = new byte[SIZE_BYTES];
    RANDOM.nextBytes(raw);
    return new SessionToken(raw);
  }

  /**
   * Parses the text form a client presented.
   *
   * @throws SessionException with reason {@code MALFORMED_TOKEN} if the text has the wrong length,
   *     a character outside the base64url alphabet, or non-canonical trailing bits
   */
  public static SessionToken parse(String text) throws SessionException {
    if (text == null || text.length() != TEXT_LENGTH) {
      throw new SessionException(
          SessionException.Reason.MALFORMED_TOKEN, "session token must be exactly " + TEXT_LENGTH + " characters");
    }
    // One pass, four characters (24 bits, three bytes) at a time: ten groups give 30 bytes, the
    // last three characters (18 bits) give two bytes and two bits that must be zero (canonical
    // form), so each token has exactly one spelling. A character outside the alphabet decodes to
    // -1, which makes the OR of its group negative.
    byte[] raw = new byte[SIZE_BYTES];
    int out = 0;
    int in = 0;
    for (int group = 0; group < 10; group++, in += 4) {
      int bits = sextet(text.charAt(in)) << 18 | sextet(text.charAt(in + 1)) << 12
          | sextet(text.charAt(in + 2)) << 6 | sextet(text.charAt(in + 3));
      if (bits < 0) {
        throw outsideAlphabet();
      }
      raw[out++] = (byte) (bits >> 16);
      raw[out++] = (byte) (bits >> 8);
      raw[out++] = (byte) bits;
    }
    int last = sextet(text.charAt(in)) << 12 | sextet(text.charAt(in + 1)) << 6 | sextet(text.charAt(in + 2));
    if (last < 0) {
      throw outsideAlphabet();
    }
    if ((last & 0b11) != 0) {
      throw new SessionException(SessionException.Reason.MALFORMED_TOKEN, "session token is not in canonical form");
    }
    raw[out++] = (byte) (last >> 10);
    raw[out] = (byte) (last >> 2);
    return new SessionToken(raw);
  }

  /** The 6-bit value of {@code c}, or a negative number (all bits set) outside the alphabet. */
  private static int sextet(char c) {
    return c < 128 ? DECODE[c] : -1;
  }

  private static SessionException outsideAlphabet() {
    return new SessionException(
        SessionException.Reason.MALFORMED_TOKEN, "session token contains a character outside base64url");
  }

  private static final byte[] DECODE = new byte[128];

  static {
    java.util.Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  /** The SHA-256 of the raw token bytes: what stores keep and look up by. */
  public TokenHash hash() {
    MessageDigest md = SHA256.get();
    return TokenHash.ofDigest(md.digest(raw));
  }

  /** The text form to hand to the client (a cookie value or bearer token). Handle as a secret. */
  public String reveal() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** Constant-time comparison with another token. */
  public boolean sameAs(SessionToken other) {
    return MessageDigest.isEqual(raw, Objects.requireNonNull(other, "other").raw);
  }

  /** Overwrites the raw bytes held by this instance. */
  public void destroy() {
    Arrays.fill(raw, (byte) 0);
  }

  @Override
  public String toString() {
    return "SessionToken[redacted]";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
