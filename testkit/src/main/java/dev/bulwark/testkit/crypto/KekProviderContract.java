package dev.bulwark.testkit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.testkit.StoreContract;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link KekProvider} meets: created KEKs wrap and unwrap 32-byte data keys,
 * authenticate the associated data, detect tampering, are distinct per version, are usable from
 * many threads, and destroy is idempotent. Providers whose destroy removes material (HSMs)
 * override {@link #destroyRemovesMaterial()} to also check that a destroyed KEK no longer opens.
 */
public abstract class KekProviderContract extends StoreContract<KekProvider> {
  private static final byte[] AAD = "bulwark-dek-v1|ring|1".getBytes(StandardCharsets.US_ASCII);

  /** Whether {@link KekProvider#destroy} removes the KEK so that {@code open} fails afterwards. */
  protected boolean destroyRemovesMaterial() {
    return true;
  }

  /** Whether every version gets its own KEK (false for a provider over one remote key). */
  protected boolean distinctKeysPerVersion() {
    return true;
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] dek() {
    byte[] d = new byte[32];
    RANDOM.nextBytes(d);
    return d;
  }

  @Test
  void createdKek_wrapsAndUnwraps() throws Exception {
    KekRef ref = store.create("contract", 1);
    assertEquals(store.providerId(), ref.providerId());
    Kek kek = store.open(ref);
    byte[] d = dek();
    byte[] w = kek.wrap(d, AAD);
    assertFalse(java.util.Arrays.equals(d, java.util.Arrays.copyOf(w, d.length)));
    assertArrayEquals(d, kek.unwrap(w, AAD));
    assertArrayEquals(d, store.open(ref).unwrap(w, AAD));
  }

  @Test
  void unwrap_withOtherAssociatedData_orTamperedBytes_fails() throws Exception {
    Kek kek = store.open(store.create("contract", 1));
    byte[] w = kek.wrap(dek(), AAD);
    assertThrows(GeneralSecurityException.class, () -> kek.unwrap(w, "other".getBytes(StandardCharsets.US_ASCII)));
    for (int i = 0; i < w.length; i++) {
      byte[] t = w.clone();
      t[i] ^= 0x01;
      assertThrows(GeneralSecurityException.class, () -> kek.unwrap(t, AAD));
    }
    assertThrows(GeneralSecurityException.class, () -> kek.unwrap(new byte[0], AAD));
  }

  @Test
  void versions_haveDistinctKeks() throws Exception {
    if (!distinctKeysPerVersion()) {
      return;
    }
    Kek v1 = store.open(store.create("contract", 1));
    Kek v2 = store.open(store.create("contract", 2));
    byte[] w = v1.wrap(dek(), AAD);
    assertThrows(GeneralSecurityException.class, () -> v2.unwrap(w, AAD));
  }

  @Test
  void destroy_isIdempotent() throws Exception {
    KekRef ref = store.create("contract", 1);
    store.destroy(ref);
    store.destroy(ref);
    if (destroyRemovesMaterial()) {
      assertThrows(GeneralSecurityException.class, () -> store.open(ref));
    }
  }

  @Test
  void open_ofAnotherProvidersReference_fails() {
    KekRef foreign = new KekRef(store.providerId() + "-other",
        dev.bulwark.common.Bytes.copyOf(new byte[] {1, 2, 3}));
    assertThrows(GeneralSecurityException.class, () -> store.open(foreign));
  }

  @Test
  void kek_isUsableFromManyThreads() throws Exception {
    Kek kek = store.open(store.create("contract", 1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      results.add(pool.submit(() -> {
        for (int i = 0; i < 50; i++) {
          byte[] d = dek();
          if (!java.util.Arrays.equals(d, kek.unwrap(kek.wrap(d, AAD), AAD))) {
            return false;
          }
        }
        return true;
      }));
    }
    for (Future<Boolean> f : results) {
      assertEquals(true, f.get());
    }
    pool.shutdown();
  }
}
