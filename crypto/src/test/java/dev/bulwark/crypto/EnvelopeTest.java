package dev.bulwark.crypto;

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
    // 1 + 1 + 1 + 7 ("default") + 4 + 2 + 60 + 32 + 32 + 16
    assertEquals(156, overhead);
    assertTrue(overhead < 160);
    CiphertextInfo info = Envelope.inspect(ct);
    assertEquals("default", info.keyringId());
    assertEquals(1, info.kekVersion());
    assertFalse(info.streaming());
    assertEquals(140, info.headerLength());
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
      assertFalse(e.getMessage().contains("Bytes["), e.getMessage());
    }
    byte[] longer = Arrays.copyOf(ct, ct.length + 1);
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(longer, CTX));
    assertEquals(2, ct[0], "new ciphertexts are in format 2");
    byte[] v3 = ct.clone();
    v3[0] = 3;
    assertEquals("unknown ciphertext format version 3",
        assertThrows(CiphertextFormatException.class, () -> env.decrypt(v3, CTX)).getMessage());
    byte[] downgraded = ct.clone();
    downgraded[0] = 1; // format 1 derives other keys: the commitment no longer matches
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(downgraded, CTX));
    byte[] suite = ct.clone();
    suite[1] = 9;
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(suite, CTX));
    byte[] version = ct.clone();
    version[13] = 7; // KEK version 7 does not exist
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(version, CTX));
    assertEquals(before, f.store.load("default").orElseThrow());
  }

  @Test
  void aFormatTwoCiphertextRelabelledAsFormatOne_failsDecryptAndRewrap() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    f.keyrings.keyring("default").rotate();
    byte[] downgraded = ct.clone();
    downgraded[0] = 1;
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(downgraded, CTX));
    assertThrows(DecryptionFailedException.class, () -> env.rewrap(downgraded));
    assertArrayEquals(MSG, env.decrypt(env.rewrap(ct), CTX));
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
