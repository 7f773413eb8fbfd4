package dev.bulwark.crypto;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.spi.KeyringRecord;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme", "table", "users");
  private static final byte[] MSG = "the quick brown fox".getBytes(StandardCharsets.UTF_8);

  @Test
  void encrypt_thenDecrypt_returnsPlaintext() throws Exception {
    Envelope env = new Fixture().envelope();
    assertArrayEquals(MSG, env.decrypt(env.encrypt(MSG, CTX), CTX));
    assertArrayEquals(new byte[0], env.decrypt(env.encrypt(new byte[0], CTX), CTX));
  }

  @Test
  void encrypt_twice_givesDifferentCiphertexts() throws Exception {
    Envelope env = new Fixture().envelope();
    assertFalse(Arrays.equals(env.encrypt(MSG, CTX), env.encrypt(MSG, CTX)));
  }

  @Test
  void decrypt_withOtherContext_fails() throws Exception {
    Envelope env = new Fixture().envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX.with("tenant", "evil")));
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, EncryptionContext.empty()));
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX.with("extra", "")));
  }

  @Test
  void contextOrder_doesNotMatter() throws Exception {
    Envelope env = new Fixture().envelope();
    EncryptionContext a = EncryptionContext.of("a", "1").with("b", "2");
    EncryptionContext b = EncryptionContext.of("b", "2").with("a", "1");
    assertArrayEquals(MSG, env.decrypt(env.encrypt(MSG, a), b));
  }

  @Test
  void overhead_isHeaderPlusTag_under160BytesForLocalKek() throws Exception {
    Envelope env = new Fixture().envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    int overhead = ct.length - MSG.length;
    // 1 + 1 + 1 + 7 ("default") + 4 + 2 + 60 + 12 (nonce) + 32 (commitment) + 16 (tag)
    assertEquals(136, overhead);
    assertTrue(overhead < 160);
    CiphertextInfo info = Envelope.inspect(ct);
    assertEquals("default", info.keyringId());
    assertEquals(1, info.kekVersion());
    assertFalse(info.streaming());
    assertEquals(120, info.headerLength());
  }

  @Test
  void foreignCiphertext_fromOtherKeyrings_fails() throws Exception {
    byte[] ct = new Fixture().envelope().encrypt(MSG, CTX);
    Envelope other = new Fixture().envelope();
    assertThrows(KeyUnavailableException.class, () -> other.decrypt(ct, CTX));
    other.encrypt(MSG, CTX); // now "default" exists there, with another KEK
    assertThrows(DecryptionFailedException.class, () -> other.decrypt(ct, CTX));
  }

  @Test
  void malformedCiphertexts_failWithTypedExceptions_andLeaveStoreUnchanged() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    KeyringRecord before = f.store.load("default").orElseThrow();
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(new byte[0], CTX));
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(null, CTX));
    for (int len = 0; len < ct.length; len++) {
      byte[] cut = Arrays.copyOf(ct, len);
      GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> env.decrypt(cut, CTX));
      // No byte string (wrapped key, header) is printed: Bytes.toString is hex.
      assertFalse(e.getMessage().matches("(?s).*[0-9a-fA-F]{16}.*"), e.getMessage());
    }
    byte[] longer = Arrays.copyOf(ct, ct.length + 1);
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(longer, CTX));
    assertEquals(3, ct[0], "new ciphertexts are in format 3");
    byte[] v4 = ct.clone();
    v4[0] = 4;
    assertEquals("unknown ciphertext format version 4",
        assertThrows(CiphertextFormatException.class, () -> env.decrypt(v4, CTX)).getMessage());
    byte[] suite = ct.clone();
    suite[1] = 9;
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(suite, CTX));
    byte[] streaming = ct.clone();
    streaming[1] = 2; // format 3 is one-shot only
    assertEquals("format 3 has no algorithm suite 2",
        assertThrows(CiphertextFormatException.class, () -> env.decrypt(streaming, CTX)).getMessage());
    byte[] version = ct.clone();
    version[13] = 7; // KEK version 7 does not exist
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(version, CTX));
    assertEquals(before, f.store.load("default").orElseThrow());
  }

  @Test
  void aFormatThreeCiphertextRelabelledAsFormatTwoOrOne_failsDecryptAndRewrap() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] shortCt = env.encrypt(MSG, CTX);
    byte[] longCt = env.encrypt(new byte[300], CTX);
    f.keyrings.keyring("default").rotate();
    for (int older : new int[] {2, 1}) {
      byte[] relabelled = longCt.clone();
      relabelled[0] = (byte) older; // read as a 32-byte salt and a commitment that the DEK does not match
      assertThrows(DecryptionFailedException.class, () -> env.decrypt(relabelled, CTX));
      assertThrows(DecryptionFailedException.class, () -> env.rewrap(relabelled));
      byte[] relabelledShort = shortCt.clone();
      relabelledShort[0] = (byte) older; // the longer old header leaves too few bytes for a tag
      assertThrows(GeneralSecurityException.class, () -> env.decrypt(relabelledShort, CTX));
      assertThrows(GeneralSecurityException.class, () -> env.rewrap(relabelledShort));
    }
    assertArrayEquals(MSG, env.decrypt(env.rewrap(shortCt), CTX));
    assertArrayEquals(new byte[300], env.decrypt(env.rewrap(longCt), CTX));
  }

  @Test
  void differentDataKeys_usedAlternatelyOnOneThread_eachDecryptOnlyTheirOwnMessages() throws Exception {
    // Several data keys take turns in the thread's one message Cipher (each turn re-expands the key).
    Fixture f = new Fixture();
    Envelope[] envs = {
        f.envelope().forKeyring("a"),
        f.envelope().forKeyring("b"),
        Envelope.builder(f.keyrings).keyringId("c").dataKeyCache(DataKeyCachePolicy.NONE).build()};
    java.util.List<byte[]> cts = new java.util.ArrayList<>();
    java.util.List<byte[]> pts = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] pt = new byte[i * 7];
      Arrays.fill(pt, (byte) i);
      Envelope e = envs[i % envs.length];
      byte[] ct = e.encrypt(pt, CTX);
      cts.add(ct);
      pts.add(pt);
      // decrypt an earlier message under another key in between
      int j = (i * 5) % cts.size();
      assertArrayEquals(pts.get(j), envs[(i + 1) % envs.length].decrypt(cts.get(j), CTX));
    }
    for (int i = cts.size() - 1; i >= 0; i--) {
      assertArrayEquals(pts.get(i), envs[i % envs.length].decrypt(cts.get(i), CTX));
    }
    // a message under keyring a's data key with its payload swapped for one under keyring b's
    byte[] a = envs[0].encrypt(MSG, CTX);
    byte[] b = envs[1].encrypt(MSG, CTX);
    byte[] swapped = a.clone();
    int ha = Envelope.inspect(a).headerLength();
    System.arraycopy(b, Envelope.inspect(b).headerLength() - 44, swapped, ha - 44, 12); // b's nonce
    System.arraycopy(b, b.length - MSG.length - 16, swapped, ha, MSG.length + 16);
    assertThrows(DecryptionFailedException.class, () -> envs[0].decrypt(swapped, CTX));
    assertArrayEquals(MSG, envs[1].decrypt(b, CTX));
  }

  @Test
  void changedCommitment_fails() throws Exception {
    Envelope env = new Fixture().envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    int commitOffset = Envelope.inspect(ct).headerLength() - 32;
    ct[commitOffset] ^= 1;
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX));
  }

  @Test
  void streamingCiphertext_isRefusedByOneShotDecrypt() throws Exception {
    Envelope env = new Fixture().envelope();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.io.OutputStream s = env.newEncryptingStream(out, CTX)) {
      s.write(MSG);
    }
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(out.toByteArray(), CTX));
  }

  @Test
  void scopes_areSeparateKeyrings() throws Exception {
    Fixture f = new Fixture();
    Envelope acme = f.envelope().forKeyring("tenant-acme");
    Envelope globex = f.envelope().forKeyring("tenant-globex");
    byte[] a = acme.encrypt(MSG, CTX);
    byte[] g = globex.encrypt(MSG, CTX);
    assertEquals("tenant-acme", Envelope.inspect(a).keyringId());
    assertArrayEquals(MSG, globex.decrypt(a, CTX)); // decrypt resolves the header's keyring
    assertArrayEquals(MSG, acme.decrypt(g, CTX));
    assertEquals(java.util.List.of("tenant-acme", "tenant-globex"), f.keyrings.keyringIds());
  }

  @Test
  void keyringIds_areValidated() throws Exception {
    Envelope env = new Fixture().envelope();
    assertThrows(IllegalArgumentException.class, () -> env.forKeyring("bad id"));
    assertThrows(IllegalArgumentException.class, () -> env.forKeyring(""));
  }
}
