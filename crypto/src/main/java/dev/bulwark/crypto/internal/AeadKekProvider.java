package dev.bulwark.crypto.internal;

import com.google.crypto.tink.Aead;
import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.KeyUnavailableException;
import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Wraps DEKs directly with a Tink {@link Aead}, typically a KMS key from Tink's AWS or GCP KMS
 * client. Every keyring version refers to the same remote key (the KMS rotates its own material),
 * so {@link #destroy} cannot destroy anything remote: destroyed versions are refused by the keyring
 * state instead. For cryptographic shredding of scopes, use {@link LocalKekProvider} over the KMS
 * {@code Aead}: it creates destroyable per-version KEKs wrapped by the KMS key.
 */
public final class AeadKekProvider implements KekProvider {
  private final String id;
  private final String keyUri;
  private final Aead aead;

  public AeadKekProvider(String id, String keyUri, Aead aead) {
    this.id = id;
    this.keyUri = keyUri;
    this.aead = aead;
  }

  @Override
  public String providerId() {
    return id;
  }

  @Override
  public KekRef create(String keyringId, int version) {
    return new KekRef(id, Bytes.copyOf(keyUri.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public Kek open(KekRef ref) throws GeneralSecurityException {
    if (!ref.providerId().equals(id)
        || !ref.reference().equals(Bytes.copyOf(keyUri.getBytes(StandardCharsets.UTF_8)))) {
      throw new KeyUnavailableException("KEK reference names another provider or key URI");
    }
    return new Kek() {
      @Override
      public byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException {
        return aead.encrypt(dataKey, associatedData);
      }

      @Override
      public byte[] unwrap(byte[] wrappedKey, byte[] associatedData) throws GeneralSecurityException {
        return aead.decrypt(wrappedKey, associatedData);
      }
    };
  }

  @Override
  public void destroy(KekRef ref) {
    // The remote key is shared by every version; see the class comment.
  }

  @Override
  public String toString() {
    return "AeadKekProvider[" + id + ", " + keyUri + "]";
  }
}
