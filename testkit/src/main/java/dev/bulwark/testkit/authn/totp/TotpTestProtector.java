package dev.bulwark.testkit.authn.totp;

import dev.bulwark.authn.totp.spi.SeedProtector;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link SeedProtector} for contract tests: AES-256-GCM under a random key (JDK only), the
 * credential id as associated data, a random 12-byte nonce in front of the ciphertext. A seed
 * moved to another credential id, or altered, fails to decrypt with a
 * {@link GeneralSecurityException}, as the SPI requires of a real protector.
 */
public final class TotpTestProtector {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TotpTestProtector() {}

  /** A protector under a fresh random key. */
  public static SeedProtector create() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    return SeedProtector.of((seed, id) -> {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, nonce));
      c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(seed);
      byte[] out = Arrays.copyOf(nonce, 12 + ct.length);
      System.arraycopy(ct, 0, out, 12, ct.length);
      return out;
    }, (box, id) -> {
      if (box.length < 12 + 16) {
        throw new GeneralSecurityException("protected seed too short");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, box, 0, 12));
      c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(box, 12, box.length - 12);
    });
  }
}
