package dev.bulwark.crypto.internal;

import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.DecryptionFailedException;
import dev.bulwark.crypto.KeyUnavailableException;
import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * KEKs that never leave a PKCS#11 token: AES-256 keys generated inside the token through the
 * JDK's SunPKCS11 provider (configure the provider with {@code CKA_SENSITIVE=true} and
 * {@code CKA_EXTRACTABLE=false} for generated secret keys), stored as token objects under the
 * label {@code bulwark.<keyring>.v<version>.<random>}, and used with {@code CKM_AES_GCM}. The
 * {@link KekRef} holds only the label.
 */
public final class Pkcs11KekProvider implements KekProvider {
  private final String id;
  private final Provider provider;
  private final KeyStore keyStore;

  public Pkcs11KekProvider(String id, Provider provider, KeyStore keyStore) {
    this.id = id;
    this.provider = provider;
    this.keyStore = keyStore;
  }

  @Override
  public String providerId() {
    return id;
  }

  @Override
  public KekRef create(String keyringId, int version) throws GeneralSecurityException {
    KeyGenerator gen = KeyGenerator.getInstance("AES", provider);
    gen.init(256);
    SecretKey key = gen.generateKey();
    if (key.getEncoded() != null) {
      throw new KeyUnavailableException("the PKCS#11 token generated an extractable key; configure "
          + "CKA_SENSITIVE=true and CKA_EXTRACTABLE=false for generated secret keys");
    }
    String label = "bulwark." + keyringId + ".v" + version + "."
        + java.util.HexFormat.of().formatHex(Primitives.random(6));
    synchronized (keyStore) {
      keyStore.setEntry(label, new KeyStore.SecretKeyEntry(key), null);
    }
    return new KekRef(id, Bytes.copyOf(label.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public Kek open(KekRef ref) throws GeneralSecurityException {
    if (!ref.providerId().equals(id)) {
      throw new KeyUnavailableException("KEK reference belongs to provider '" + ref.providerId() + "'");
    }
    String label = new String(ref.reference().toByteArray(), StandardCharsets.UTF_8);
    Key key;
    synchronized (keyStore) {
      key = keyStore.getKey(label, null);
    }
    if (!(key instanceof SecretKey)) {
      throw new KeyUnavailableException("no AES key labelled '" + label + "' on the PKCS#11 token");
    }
    SecretKey secret = (SecretKey) key;
    return new Kek() {
      @Override
      public byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException {
        byte[] iv = Primitives.random(Primitives.IV_BYTES);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
        c.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(128, iv));
        c.updateAAD(associatedData);
        byte[] ct = c.doFinal(dataKey);
        byte[] out = new byte[iv.length + ct.length];
        System.arraycopy(iv, 0, out, 0, iv.length);
        System.arraycopy(ct, 0, out, iv.length, ct.length);
        return out;
      }

      @Override
      public byte[] unwrap(byte[] wrappedKey, byte[] associatedData) throws GeneralSecurityException {
        if (wrappedKey.length < Primitives.IV_BYTES + Primitives.TAG_BYTES) {
          throw new DecryptionFailedException();
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
        c.init(Cipher.DECRYPT_MODE, secret,
            new GCMParameterSpec(128, Arrays.copyOf(wrappedKey, Primitives.IV_BYTES)));
        c.updateAAD(associatedData);
        try {
          return c.doFinal(wrappedKey, Primitives.IV_BYTES, wrappedKey.length - Primitives.IV_BYTES);
        } catch (GeneralSecurityException e) {
          throw new DecryptionFailedException();
        }
      }

      @Override
      public String toString() {
        return "Pkcs11Kek[" + label + "]";
      }
    };
  }

  @Override
  public void destroy(KekRef ref) throws GeneralSecurityException {
    String label = new String(ref.reference().toByteArray(), StandardCharsets.UTF_8);
    synchronized (keyStore) {
      if (keyStore.containsAlias(label)) {
        keyStore.deleteEntry(label);
      }
    }
  }

  @Override
  public String toString() {
    return "Pkcs11KekProvider[" + id + ", " + provider.getName() + "]";
  }
}
