package dev.bulwark.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.crypto.DecryptionFailedException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The hand-built HKDF-SHA256 against RFC 5869's known answers and against {@code javax.crypto.Mac},
 * and the key-wrapping helpers.
 */
class PrimitivesTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] hex(String s) {
    return HEX.parseHex(s);
  }

  private static byte[] range(int from, int toInclusive) {
    byte[] b = new byte[toInclusive - from + 1];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  /** RFC 5869 Appendix A: PRK, and OKM's first block T(1) = HMAC(PRK, info ‖ 0x01). */
  private static void rfc5869(byte[] ikm, byte[] salt, byte[] info, String prk, String okm) throws Exception {
    byte[] p = Primitives.hkdfExtract(salt, ikm);
    assertArrayEquals(hex(prk), p);
    assertArrayEquals(Arrays.copyOf(hex(okm), 32), Primitives.hmacSha256(p, concat(info, new byte[] {1})));
  }

  @Test
  void hkdf_matchesRfc5869TestCase1() throws Exception {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    rfc5869(ikm, range(0x00, 0x0c), range(0xf0, 0xf9),
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void hkdf_matchesRfc5869TestCase2_withLongSaltAndInfo() throws Exception {
    rfc5869(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff),
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
  }

  @Test
  void hkdf_matchesRfc5869TestCase3_withEmptySaltAndInfo() throws Exception {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    rfc5869(ikm, new byte[0], new byte[0],
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  private static byte[] macHmac(byte[] key, byte[]... parts) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    // SecretKeySpec refuses an empty key; HMAC pads the empty key and one zero byte to the same block.
    mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
    for (byte[] p : parts) {
      mac.update(p);
    }
    return mac.doFinal();
  }

  @Test
  void formatTwoDerivation_equalsHmacOfTheDataKeyComputedWithJavaxCryptoMac() throws Exception {
    byte[] keyLabel = "bulwark-v2 key".getBytes(StandardCharsets.US_ASCII);
    byte[] commitLabel = "bulwark-v2 commit".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 200; i++) {
      byte[] dek = new byte[32];
      byte[] salt = new byte[32];
      byte[] info = new byte[i % 2 == 0 ? 0 : 36];
      RANDOM.nextBytes(dek);
      RANDOM.nextBytes(salt);
      RANDOM.nextBytes(info);
      int suite = 1 + i % 2;
      Primitives.DekKdf kdf = Primitives.dekKdf(dek);
      Primitives.Derived d = kdf.derive(salt, suite, info);
      assertArrayEquals(macHmac(dek, commitLabel, salt, new byte[] {1}), d.commitment);
      assertArrayEquals(macHmac(dek, keyLabel, new byte[] {(byte) suite}, salt, info, new byte[] {1}), d.key);
      assertArrayEquals(d.commitment, kdf.commitment(salt));
      assertArrayEquals(new byte[12], d.iv);
      assertFalse(Arrays.equals(d.key, d.commitment));
      // not format 1's derivation
      assertFalse(Arrays.equals(d.key, Primitives.deriveV1(dek, salt, suite, info).key));
    }
  }

  @Test
  void formatThreeDerivation_isHkdfExpandOfTheDataKey_computedWithJavaxCryptoMac() throws Exception {
    byte[] keyLabel = "bulwark-v3 key".getBytes(StandardCharsets.US_ASCII);
    byte[] commitLabel = "bulwark-v3 commit".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 200; i++) {
      byte[] dek = new byte[32];
      RANDOM.nextBytes(dek);
      int suite = 1 + i % 2;
      Primitives.ContentKey k = Primitives.deriveV3(dek, suite);
      // HKDF-Expand(PRK = DEK, info, 32) is the first block, HMAC(PRK, info ‖ 0x01)
      assertArrayEquals(macHmac(dek, keyLabel, new byte[] {(byte) suite, 1}), k.key);
      assertArrayEquals(macHmac(dek, commitLabel, new byte[] {1}), k.commitment);
      assertFalse(Arrays.equals(k.key, k.commitment));
      assertFalse(Arrays.equals(k.key, dek), "the DEK is never the content key");
      assertEquals("ContentKey[redacted]", k.toString());
    }
    assertThrows(IllegalArgumentException.class, () -> Primitives.deriveV3(new byte[16], 1));
  }

  @Test
  void formatTwoDerivation_isUsableFromManyThreadsAtOnce() throws Exception {
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    Primitives.DekKdf kdf = Primitives.dekKdf(dek);
    byte[] salt = new byte[32];
    byte[] expected = kdf.derive(salt, 1, new byte[0]).key;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      results.add(pool.submit(() -> {
        for (int i = 0; i < 2000; i++) {
          if (!Arrays.equals(expected, kdf.derive(salt, 1, new byte[0]).key)) {
            return false;
          }
        }
        return true;
      }));
    }
    for (java.util.concurrent.Future<Boolean> f : results) {
      org.junit.jupiter.api.Assertions.assertTrue(f.get());
    }
    pool.shutdown();
  }

  @Test
  void formatOneDerivation_equalsTheSameHkdfComputedWithJavaxCryptoMac() throws Exception {
    byte[] keyLabel = "bulwark-v1 content key".getBytes(StandardCharsets.US_ASCII);
    byte[] commitLabel = "bulwark-v1 key commitment".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 200; i++) {
      byte[] dek = new byte[32];
      byte[] salt = new byte[32];
      byte[] info = new byte[i % 2 == 0 ? 0 : 36];
      RANDOM.nextBytes(dek);
      RANDOM.nextBytes(salt);
      RANDOM.nextBytes(info);
      int suite = 1 + i % 2;
      byte[] prk = macHmac(salt, dek);
      byte[] commitment = macHmac(prk, commitLabel, new byte[] {1});
      byte[] key = macHmac(prk, keyLabel, new byte[] {(byte) suite}, info, new byte[] {1});
      Primitives.Derived d = Primitives.deriveV1(dek, salt, suite, info);
      assertArrayEquals(commitment, d.commitment);
      assertArrayEquals(key, d.key);
      assertArrayEquals(new byte[12], d.iv);
      assertArrayEquals(commitment, Primitives.commitmentV1(dek, salt));
      byte[] anyKey = new byte[1 + i % 100];
      RANDOM.nextBytes(anyKey);
      assertArrayEquals(macHmac(anyKey, info), Primitives.hmacSha256(anyKey, info));
    }
  }

  @Test
  void wrap_roundTrips_usesAFreshIvEachTime_andRejectsTampering() throws Exception {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    SecretKeySpec kek = new SecretKeySpec(raw, "AES");
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
    byte[] a = Primitives.wrap(kek, dek, aad);
    byte[] b = Primitives.wrap(kek, dek, aad);
    assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)));
    assertArrayEquals(dek, Primitives.unwrap(kek, a, aad));
    assertArrayEquals(dek, Primitives.gcmDecrypt(raw, Arrays.copyOf(a, 12), aad, a, 12, a.length - 12));
    for (int i = 0; i < a.length; i++) {
      byte[] t = a.clone();
      t[i] ^= 0x20;
      assertThrows(DecryptionFailedException.class, () -> Primitives.unwrap(kek, t, aad));
    }
    assertThrows(DecryptionFailedException.class, () -> Primitives.unwrap(kek, a, new byte[0]));
    assertThrows(DecryptionFailedException.class, () -> Primitives.unwrap(kek, new byte[27], aad));
    assertArrayEquals(dek, Primitives.unwrap(kek, a, aad));
  }
}
