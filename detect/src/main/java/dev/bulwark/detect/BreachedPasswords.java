package dev.bulwark.detect;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * How often a password appears in known breaches, by the SHA-1 of its UTF-8 bytes (the key of
 * the k-anonymity range files public downloaders produce). Implementations: {@link RangeIndex}
 * (an offline file) and {@link RangeApiClient} (a range API, only the 5-hex prefix leaves the host).
 *
 * <p>Check at sign-up and password change (and optionally at login): reject, or require a change,
 * when {@link #isBreached} says so. Implementations MUST be thread-safe, and MUST report a source
 * that cannot answer as a {@link DetectStoreException}, never as 0.
 */
@FunctionalInterface
public interface BreachedPasswords {

  /**
   * How many times the password with this SHA-1 (20 bytes) was seen; 0 if never.
   *
   * @throws DetectStoreException if the source cannot answer
   */
  long timesSeen(byte[] sha1);

  /**
   * Whether {@code password} was seen at least {@code minTimes} times. The password's bytes are
   * hashed and wiped; the password itself never leaves this method.
   */
  default boolean isBreached(char[] password, long minTimes) {
    if (minTimes < 1) {
      throw new IllegalArgumentException("minTimes must be >= 1");
    }
    return timesSeen(sha1(password)) >= minTimes;
  }

  /** SHA-1 of the UTF-8 encoding of {@code password}. */
  static byte[] sha1(char[] password) {
    ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[utf8.remaining()];
    utf8.get(bytes);
    if (utf8.hasArray()) {
      Arrays.fill(utf8.array(), (byte) 0);
    }
    try {
      return MessageDigest.getInstance("SHA-1").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-1", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
