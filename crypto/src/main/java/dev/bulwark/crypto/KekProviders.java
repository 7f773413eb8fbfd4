package dev.bulwark.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.subtle.AesGcmJce;
import dev.bulwark.crypto.internal.AeadKekProvider;
import dev.bulwark.crypto.internal.LocalKekProvider;
import dev.bulwark.crypto.internal.Pkcs11KekProvider;
import dev.bulwark.crypto.spi.KekProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;

/** The built-in {@link KekProvider}s. */
public final class KekProviders {
  private KekProviders() {}

  /**
   * KEKs generated locally and stored only wrapped under {@code master} (a master key from
   * {@link #masterKey(byte[])}, or a KMS {@code Aead} from Tink's AWS/GCP KMS clients for
   * per-scope KEKs that are destroyable although the KMS key is not).
   */
  public static KekProvider local(Aead master) {
    return new LocalKekProvider("local", master);
  }

  /** A 32-byte master key as an AES-256-GCM {@link Aead}. The caller should wipe its array afterwards. */
  public static Aead masterKey(byte[] key) throws GeneralSecurityException {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("a master key is 32 bytes");
    }
    return new AesGcmJce(key);
  }

  /**
   * DEKs wrapped directly by a Tink {@link Aead} (for example a KMS key), named {@code keyUri} in
   * key references. Remote keys are not destroyed by {@link KekProvider#destroy}.
   */
  public static KekProvider aead(String keyUri, Aead aead) {
    if (keyUri == null || keyUri.isEmpty() || aead == null) {
      throw new IllegalArgumentException("keyUri and aead are required");
    }
    return new AeadKekProvider("aead", keyUri, aead);
  }

  /**
   * KEKs generated and kept inside a PKCS#11 token, through a configured SunPKCS11
   * {@code provider} and its logged-in {@code keyStore} ({@code KeyStore.getInstance("PKCS11",
   * provider)} loaded with the user PIN). Configure the provider so generated AES keys are
   * sensitive and non-extractable; creation fails otherwise.
   */
  public static KekProvider pkcs11(Provider provider, KeyStore keyStore) {
    if (provider == null || keyStore == null) {
      throw new IllegalArgumentException("provider and keyStore are required");
    }
    return new Pkcs11KekProvider("pkcs11", provider, keyStore);
  }
}
