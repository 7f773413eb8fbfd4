package dev.bulwark.authn.password;

import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A secret key mixed into every password before hashing (OWASP "pepper", NIST 800-63B's optional
 * keyed hashing), held apart from the password database: in a KMS, an HSM, or the host's secret
 * store. The password is replaced by {@code HMAC-SHA-256(key, NFKC(password))} before Argon2id.
 *
 * <p>Each pepper has a short key id that is written into the PHC string, so a host can rotate:
 * configure the new pepper as current and keep the old ones for verification;
 * {@link PasswordHasher#needsRehash} then reports every hash made with an older pepper, and the
 * host re-hashes it at the next successful login.
 *
 * <p>Security considerations: losing the pepper makes every hash made with it unverifiable.
 * {@link #toString} shows the key id only. The key bytes are copied in and never handed out.
 */
public final class Pepper {

  private final String keyId;
  private final byte[] key;

  private Pepper(String keyId, byte[] key) {
    this.keyId = keyId;
    this.key = key;
  }

  /**
   * @param keyId 1-8 characters of {@code [A-Za-z0-9._-]}, unique among the host's peppers
   * @param key at least 32 bytes of secret random data; copied
   */
  public static Pepper of(String keyId, byte[] key) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(key, "key");
    PasswordHash.checkKeyId(keyId);
    if (key.length < 32) {
      throw new IllegalArgumentException("pepper key must be at least 32 bytes");
    }
    return new Pepper(keyId, key.clone());
  }

  public String keyId() {
    return keyId;
  }

  /** HMAC-SHA-256 of {@code password} under this pepper. */
  byte[] apply(byte[] password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(password);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "Pepper[keyId=" + keyId + ", key=<redacted>]";
  }
}
