package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.Test;

class TotpAuthenticatorTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-01T08:00:00Z"));
  private final TotpCredentialStore credentials = TotpCredentialStore.inMemory();
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final SecretKey aesKey = aesKey();
  /** A host protector as the crypto module would provide: AES-GCM with the credential id as AAD. */
  private final SeedProtector aesGcm = SeedProtector.of(this::encrypt, this::decrypt);

  private final TotpAuthenticator totp = TotpAuthenticator.builder(credentials, UsedTotpStepStore.inMemory(now::get))
      .seedProtector(aesGcm).clock(now::get).listener(events::add).build();

  private static SecretKey aesKey() {
    try {
      KeyGenerator g = KeyGenerator.getInstance("AES");
      g.init(256);
      return g.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] encrypt(byte[] plain, String id) throws GeneralSecurityException {
    byte[] iv = new byte[12];
    new SecureRandom().nextBytes(iv);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
    c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
    byte[] ct = c.doFinal(plain);
    return ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
  }

  private byte[] decrypt(byte[] box, String id) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(128, box, 0, 12));
    c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
    return c.doFinal(box, 12, box.length - 12);
  }

  private String currentCode(TotpEnrollment e) {
    return new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get).codeAt(e.uri().secret(), now.get());
  }

  @Test
  void enrol_confirm_verify_remove() throws Exception {
    TotpEnrollment e = totp.beginEnrollment("u1", "ACME", "alice");
    assertFalse(totp.isEnrolled("u1"), "nothing stored before confirmation");
    assertFalse(totp.confirmEnrollment(e, "000000".equals(currentCode(e)) ? "111111" : "000000"));
    assertFalse(totp.isEnrolled("u1"));
    String code = currentCode(e);
    assertTrue(totp.confirmEnrollment(e, code));
    assertTrue(totp.isEnrolled("u1"));
    assertEquals(SecurityEventType.MFA_ENROLLED, events.get(0).type());

    // The enrolment code cannot be used again to log in.
    assertEquals(TotpVerification.Outcome.REPLAYED, totp.verify("u1", code).outcome());
    assertEquals(SecurityEventType.TOKEN_REUSE, events.get(1).type());

    now.set(now.get().plusSeconds(30));
    assertTrue(totp.verify("u1", currentCode(e)).accepted());

    assertTrue(totp.remove("u1"));
    assertEquals(SecurityEventType.MFA_REMOVED, events.get(events.size() - 1).type());
    assertFalse(totp.remove("u1"));
    assertEquals(TotpVerification.Outcome.REJECTED, totp.verify("u1", "123456").outcome());
  }

  @Test
  void storedSeed_isEncryptedByTheHost_andBoundToTheCredential() throws Exception {
    TotpEnrollment e = totp.beginEnrollment("u2", "ACME", "bob");
    assertTrue(totp.confirmEnrollment(e, currentCode(e)));
    TotpCredential stored = credentials.find("u2").orElseThrow();
    byte[] raw = e.uri().secret().copyBytes();
    assertFalse(ByteBuffer.wrap(stored.protectedSeed()).equals(ByteBuffer.wrap(raw)));
    assertArrayEquals(raw, decrypt(stored.protectedSeed(), stored.credentialId()));
    assertFalse(stored.toString().contains(e.uri().secret().toBase32()));

    // A seed moved to another credential id does not decrypt: the check fails closed.
    credentials.save(new TotpCredential("u2", "other-id", stored.protectedSeed(), stored.settings(), stored.enrolledAt()));
    now.set(now.get().plusSeconds(30));
    String code = currentCode(e);
    assertThrows(GeneralSecurityException.class, () -> totp.verify("u2", code));
  }

  @Test
  void enrollment_redactsSecret_andValidatesIds() {
    TotpEnrollment e = totp.beginEnrollment("u3", "ACME", "carol");
    assertFalse(e.toString().contains(e.uri().secret().toBase32()));
    assertEquals(20, e.uri().secret().lengthBytes());
    assertTrue(e.qrCodePng(128).length > 100);
    assertThrows(IllegalArgumentException.class, () -> totp.beginEnrollment("", "ACME", "x"));
    assertThrows(IllegalArgumentException.class, () -> totp.verify(null, "123456"));
  }

  @Test
  void listenerFailure_doesNotChangeTheOutcome() throws Exception {
    TotpAuthenticator noisy = TotpAuthenticator.builder(credentials, UsedTotpStepStore.inMemory(now::get))
        .clock(now::get).listener(ev -> {
          throw new IllegalStateException("audit down");
        }).build();
    TotpEnrollment e = noisy.beginEnrollment("u4", "ACME", "dave");
    assertTrue(noisy.confirmEnrollment(e, currentCode(e)));
  }
}
