package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The pending-enrolment flow of {@link TotpAuthenticator} over the in-memory stores. */
class TotpPendingEnrollmentTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-01T08:00:00Z"));
  private final TotpCredentialStore credentials = TotpCredentialStore.inMemory();
  private final PendingTotpEnrollmentStore pending = PendingTotpEnrollmentStore.inMemory();
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicBoolean protectorDown = new AtomicBoolean();
  /** Reverses the bytes and appends the credential id's length: not secure, but bound to the id and checkable. */
  private final SeedProtector protector = SeedProtector.of((seed, id) -> {
    if (protectorDown.get()) {
      throw new GeneralSecurityException("key service unavailable");
    }
    byte[] out = new byte[seed.length + 1];
    for (int i = 0; i < seed.length; i++) {
      out[i] = (byte) ~seed[seed.length - 1 - i];
    }
    out[seed.length] = (byte) id.hashCode();
    return out;
  }, (box, id) -> {
    if (box[box.length - 1] != (byte) id.hashCode()) {
      throw new GeneralSecurityException("bound to another credential");
    }
    byte[] out = new byte[box.length - 1];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) ~box[out.length - 1 - i];
    }
    return out;
  });
  private final UsedTotpStepStore used = UsedTotpStepStore.inMemory(now::get);
  private final TotpAuthenticator totp = TotpAuthenticator.builder(credentials, used).seedProtector(protector)
      .pendingEnrollments(pending).clock(now::get).listener(events::add).build();

  private String code(TotpEnrollment e) {
    return new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get)
        .codeAt(e.uri().secret(), now.get());
  }

  @Test
  void begin_storesTheProtectedSeed_andConfirm_movesItToTheCredential() throws Exception {
    TotpEnrollment e = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    PendingTotpEnrollment p = pending.find("u-1", now.get()).orElseThrow();
    assertEquals(e.credentialId(), p.credentialId());
    assertEquals(now.get().plus(Duration.ofMinutes(10)), p.expiresAt());
    assertArrayEquals(e.uri().secret().copyBytes(), protector.unprotect(p.protectedSeed(), p.credentialId()));
    assertFalse(java.util.Arrays.equals(e.uri().secret().copyBytes(), p.protectedSeed()));
    assertFalse(totp.isEnrolled("u-1"));

    assertTrue(totp.confirmPendingEnrollment("u-1", code(e)));
    TotpCredential c = credentials.find("u-1").orElseThrow();
    assertEquals(e.credentialId(), c.credentialId());
    assertArrayEquals(p.protectedSeed(), c.protectedSeed(), "the ciphertext moves as it is");
    assertEquals(Optional.empty(), pending.find("u-1", now.get()));
    assertEquals(List.of(SecurityEventType.MFA_ENROLLED), events.stream().map(SecurityEvent::type).toList());
    now.set(now.get().plusSeconds(30));
    assertTrue(totp.verify("u-1", code(e)).accepted());
  }

  @Test
  void theEnrollmentCode_cannotThenLogIn() throws Exception {
    TotpEnrollment e = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    String c = code(e);
    assertTrue(totp.confirmPendingEnrollment("u-1", c));
    assertEquals(TotpVerification.Outcome.REPLAYED, totp.verify("u-1", c).outcome());
  }

  @Test
  void aWrongCode_countsAnAttempt_andTheUserMayRetry() throws Exception {
    TotpEnrollment e = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    String right = code(e);
    String wrong = right.equals("000000") ? "111111" : "000000";
    assertFalse(totp.confirmPendingEnrollment("u-1", wrong));
    assertFalse(totp.confirmPendingEnrollment("u-1", "not a code"));
    assertEquals(2, pending.find("u-1", now.get()).orElseThrow().attempts());
    assertTrue(totp.confirmPendingEnrollment("u-1", right));
  }

  @Test
  void aNewBeginning_replacesThePendingEnrollment() throws Exception {
    TotpEnrollment first = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    TotpEnrollment second = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    String firstCode = code(first);
    if (!firstCode.equals(code(second))) {
      assertFalse(totp.confirmPendingEnrollment("u-1", firstCode));
    }
    assertTrue(totp.confirmPendingEnrollment("u-1", code(second)));
    assertEquals(second.credentialId(), credentials.find("u-1").orElseThrow().credentialId());
  }

  @Test
  void confirming_replacesAnEarlierCredential() throws Exception {
    TotpEnrollment old = totp.beginEnrollment("u-1", "ACME", "alice");
    assertTrue(totp.confirmEnrollment(old, code(old)));
    now.set(now.get().plusSeconds(30));
    TotpEnrollment fresh = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    assertTrue(totp.confirmPendingEnrollment("u-1", code(fresh)));
    assertEquals(fresh.credentialId(), credentials.find("u-1").orElseThrow().credentialId());
    now.set(now.get().plusSeconds(30));
    String oldCode = code(old);
    if (!oldCode.equals(code(fresh))) {
      assertFalse(totp.verify("u-1", oldCode).accepted());
    }
  }

  @Test
  void aProtectorFailure_storesNothing() {
    protectorDown.set(true);
    assertThrows(GeneralSecurityException.class, () -> totp.beginPendingEnrollment("u-1", "ACME", "alice"));
    assertEquals(Optional.empty(), pending.find("u-1", now.get()));
  }

  @Test
  void pendingEnrollment_showsTheSameUriAgain_untilItExpires() throws Exception {
    TotpEnrollment e = totp.beginPendingEnrollment("u-1", "ACME", "alice@example.com");
    assertEquals(e.uri().toUriString(), totp.pendingEnrollment("u-1").orElseThrow().uri().toUriString());
    assertFalse(totp.pendingEnrollment("u-1").orElseThrow().toString().contains(e.uri().secret().toBase32()));
    now.set(now.get().plus(Duration.ofMinutes(10)));
    assertEquals(Optional.empty(), totp.pendingEnrollment("u-1"));
    assertFalse(totp.confirmPendingEnrollment("u-1", code(e)));
    assertFalse(totp.isEnrolled("u-1"));
  }

  @Test
  void cancel() throws Exception {
    TotpEnrollment e = totp.beginPendingEnrollment("u-1", "ACME", "alice");
    assertTrue(totp.cancelPendingEnrollment("u-1"));
    assertFalse(totp.cancelPendingEnrollment("u-1"));
    assertFalse(totp.confirmPendingEnrollment("u-1", code(e)));
  }

  @Test
  void withoutAStore_thePendingMethodsRefuse() {
    TotpAuthenticator plain = TotpAuthenticator.builder(credentials, used).clock(now::get).build();
    assertThrows(IllegalStateException.class, () -> plain.beginPendingEnrollment("u-1", "ACME", "alice"));
    assertThrows(IllegalStateException.class, () -> plain.confirmPendingEnrollment("u-1", "123456"));
    assertThrows(IllegalStateException.class, () -> plain.pendingEnrollment("u-1"));
    assertThrows(IllegalStateException.class, () -> plain.cancelPendingEnrollment("u-1"));
  }

  @Test
  void builder_boundsItsSettings() {
    TotpAuthenticator.Builder b = TotpAuthenticator.builder(credentials, used);
    assertThrows(IllegalArgumentException.class, () -> b.enrollmentTimeout(Duration.ofSeconds(59)));
    assertThrows(IllegalArgumentException.class, () -> b.enrollmentTimeout(Duration.ofMinutes(61)));
    assertThrows(IllegalArgumentException.class, () -> b.maxConfirmationAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> b.maxConfirmationAttempts(21));
    b.enrollmentTimeout(Duration.ofMinutes(1)).maxConfirmationAttempts(1).pendingEnrollments(pending).build();
  }

  @Test
  void pendingEnrollment_validatesAndRedacts() {
    Instant t = now.get();
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("", "c", new byte[] {1},
        TotpSettings.DEFAULT, "i", "a", t, t.plusSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("u", "c", new byte[0],
        TotpSettings.DEFAULT, "i", "a", t, t.plusSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("u", "c", new byte[4097],
        TotpSettings.DEFAULT, "i", "a", t, t.plusSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("u", "c", new byte[] {1},
        TotpSettings.DEFAULT, "i", "a", t, t, 0));
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("u", "c", new byte[] {1},
        TotpSettings.DEFAULT, "i", "a", t, t.plusSeconds(1), -1));
    assertThrows(IllegalArgumentException.class, () -> new PendingTotpEnrollment("u", "c".repeat(256), new byte[] {1},
        TotpSettings.DEFAULT, "i", "a", t, t.plusSeconds(1), 0));
    byte[] seed = {42, 43, 44};
    PendingTotpEnrollment p = new PendingTotpEnrollment("u", "c", seed, TotpSettings.DEFAULT, "i", "a", t,
        t.plusSeconds(1), 0);
    seed[0] = 0;
    assertEquals(42, p.protectedSeed()[0], "copied on the way in");
    assertTrue(p.toString().contains("redacted"));
  }
}
