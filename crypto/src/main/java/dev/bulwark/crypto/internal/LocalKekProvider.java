package dev.bulwark.crypto.internal;

import com.google.crypto.tink.Aead;
import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.KeyUnavailableException;
import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * KEKs generated in process and kept only wrapped under a master {@link Aead} (a local master key
 * or a KMS key): the {@link KekRef} is the wrapped KEK, so the keyring record is the only copy
 * and dropping it destroys the KEK. DEKs are wrapped with AES-256-GCM (random 96-bit nonce,
 * 60 bytes for a 32-byte DEK); keyring rotation by count keeps each KEK far below 2^32 wraps.
 */
public final class LocalKekProvider implements KekProvider {
  private final String id;
  private final Aead master;

  public LocalKekProvider(String id, Aead master) {
    this.id = id;
    this.master = master;
  }

  @Override
  public String providerId() {
    return id;
  }

  private static byte[] aad(String keyringId, int version) {
    return ("bulwark local kek|" + keyringId + "|" + version).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public KekRef create(String keyringId, int version) throws GeneralSecurityException {
    byte[] kek = Primitives.random(Primitives.KEY_BYTES);
    try {
      byte[] header = (keyringId + "|" + version).getBytes(StandardCharsets.UTF_8);
      byte[] wrapped = master.encrypt(kek, aad(keyringId, version));
      byte[] ref = new byte[2 + header.length + wrapped.length];
      ref[0] = (byte) (header.length >>> 8);
      ref[1] = (byte) header.length;
      System.arraycopy(header, 0, ref, 2, header.length);
      System.arraycopy(wrapped, 0, ref, 2 + header.length, wrapped.length);
      return new KekRef(id, Bytes.copyOf(ref));
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  @Override
  public Kek open(KekRef ref) throws GeneralSecurityException {
    if (!ref.providerId().equals(id)) {
      throw new KeyUnavailableException("KEK reference belongs to provider '" + ref.providerId() + "', not '" + id + "'");
    }
    byte[] b = ref.reference().toByteArray();
    int hl = b.length < 2 ? -1 : ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    if (hl < 0 || 2 + hl > b.length) {
      throw new KeyUnavailableException("local KEK reference is malformed");
    }
    String header = new String(b, 2, hl, StandardCharsets.UTF_8);
    byte[] aad = ("bulwark local kek|" + header).getBytes(StandardCharsets.UTF_8);
    byte[] kek;
    try {
      kek = master.decrypt(Arrays.copyOfRange(b, 2 + hl, b.length), aad);
    } catch (GeneralSecurityException e) {
      throw new KeyUnavailableException("local KEK does not open under the master key");
    }
    if (kek.length != Primitives.KEY_BYTES) {
      throw new KeyUnavailableException("local KEK has the wrong length");
    }
    return new LocalKek(kek);
  }

  @Override
  public void destroy(KekRef ref) {
    // The reference is the only copy; the keyring drops it.
  }

  @Override
  public String toString() {
    return "LocalKekProvider[" + id + "]";
  }

  /** An AES-256-GCM KEK held in memory (random 96-bit IV per wrap). */
  static final class LocalKek implements Kek {
    private final SecretKeySpec key;

    LocalKek(byte[] key) {
      this.key = new SecretKeySpec(key, "AES");
      Arrays.fill(key, (byte) 0);
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException {
      return Primitives.wrap(key, dataKey, associatedData);
    }

    @Override
    public byte[] unwrap(byte[] wrappedKey, byte[] associatedData) throws GeneralSecurityException {
      return Primitives.unwrap(key, wrappedKey, associatedData);
    }

    @Override
    public String toString() {
      return "LocalKek[redacted]";
    }
  }
}
