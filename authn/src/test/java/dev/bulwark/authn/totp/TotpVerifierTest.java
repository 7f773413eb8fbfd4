package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.totp.TotpVerification.Outcome;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TotpVerifierTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
  private final UsedTotpStepStore store = UsedTotpStepStore.inMemory(now::get);
  private final TotpVerifier verifier = new TotpVerifier(TotpSettings.DEFAULT, store, now::get);
  private final TotpSecret secret = TotpSecret.generate(TotpAlgorithm.SHA1, new SecureRandom());

  private String codeAtOffset(long seconds) {
    return verifier.codeAt(secret, now.get().plusSeconds(seconds));
  }

  @Test
  void currentCode_isAccepted_withZeroDrift() {
    TotpVerification v = verifier.verify("c", secret, codeAtOffset(0));
    assertEquals(Outcome.ACCEPTED, v.outcome());
    assertEquals(0, v.driftSteps());
    assertEquals(now.get().getEpochSecond() / 30, v.step());
  }

  @Test
  void window_acceptsOneStepEitherSide_butNotTwo() {
    assertEquals(-1, verifier.verify("a", secret, codeAtOffset(-30)).driftSteps());
    assertEquals(1, verifier.verify("b", secret, codeAtOffset(30)).driftSteps());
    assertEquals(Outcome.REJECTED, verifier.verify("c", secret, codeAtOffset(-60)).outcome());
    assertEquals(Outcome.REJECTED, verifier.verify("d", secret, codeAtOffset(60)).outcome());
  }

  @Test
  void windowZero_acceptsOnlyTheCurrentStep() {
    TotpVerifier strict = new TotpVerifier(TotpSettings.DEFAULT.withWindow(0), store, now::get);
    assertEquals(Outcome.REJECTED, strict.verify("a", secret, codeAtOffset(-30)).outcome());
    assertEquals(Outcome.ACCEPTED, strict.verify("a", secret, codeAtOffset(0)).outcome());
  }

  @Test
  void sameCodeTwice_isReplay_evenOnAnotherVerifierSharingTheStore() {
    String code = codeAtOffset(0);
    assertEquals(Outcome.ACCEPTED, verifier.verify("c", secret, code).outcome());
    assertEquals(Outcome.REPLAYED, verifier.verify("c", secret, code).outcome());
    TotpVerifier otherNode = new TotpVerifier(TotpSettings.DEFAULT, store, now::get);
    assertEquals(Outcome.REPLAYED, otherNode.verify("c", secret, code).outcome());
  }

  @Test
  void olderCode_afterANewerOneWasUsed_isReplay() {
    assertEquals(Outcome.ACCEPTED, verifier.verify("c", secret, codeAtOffset(30)).outcome());
    assertEquals(Outcome.REPLAYED, verifier.verify("c", secret, codeAtOffset(0)).outcome());
    now.set(now.get().plusSeconds(60));
    assertEquals(Outcome.ACCEPTED, verifier.verify("c", secret, codeAtOffset(0)).outcome());
  }

  @Test
  void replayProtection_isPerCredential() {
    String code = codeAtOffset(0);
    assertTrue(verifier.verify("alice-totp", secret, code).accepted());
    assertTrue(verifier.verify("bob-totp", secret, code).accepted());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "12345", "1234567", "12345a", "12 345", "١٢٣٤٥٦", "+12345", "-12345", "123456\n"})
  void malformedCodes_areNeverCompared(String code) {
    assertEquals(Outcome.MALFORMED, verifier.verify("c", secret, code).outcome());
  }

  @Test
  void nullCode_isMalformed_andNullIdsAreRefused() {
    assertEquals(Outcome.MALFORMED, verifier.verify("c", secret, null).outcome());
    assertThrows(IllegalArgumentException.class, () -> verifier.verify(null, secret, "123456"));
    assertThrows(IllegalArgumentException.class, () -> verifier.verify("", secret, "123456"));
    assertThrows(IllegalArgumentException.class, () -> verifier.verify("c", null, "123456"));
  }

  @Test
  void settings_validateDigitsPeriodWindow() {
    assertThrows(IllegalArgumentException.class, () -> TotpSettings.DEFAULT.withDigits(5));
    assertThrows(IllegalArgumentException.class, () -> TotpSettings.DEFAULT.withDigits(9));
    assertThrows(IllegalArgumentException.class, () -> TotpSettings.DEFAULT.withPeriod(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> TotpSettings.DEFAULT.withPeriod(Duration.ofMillis(1500)));
    assertThrows(IllegalArgumentException.class, () -> TotpSettings.DEFAULT.withWindow(-1));
    TotpSettings s = TotpSettings.DEFAULT.withDigits(8).withAlgorithm(TotpAlgorithm.SHA512).withPeriod(Duration.ofSeconds(60));
    TotpVerifier v = new TotpVerifier(s, store, now::get);
    TotpSecret big = TotpSecret.generate(TotpAlgorithm.SHA512, new SecureRandom());
    String code = v.codeAt(big, now.get());
    assertEquals(8, code.length());
    assertTrue(v.verify("s512", big, code).accepted());
  }

  @Test
  void secrets_are160BitsOrMore_andRedacted() {
    assertEquals(20, TotpSecret.generate(TotpAlgorithm.SHA1, new SecureRandom()).lengthBytes());
    assertEquals(32, TotpSecret.generate(TotpAlgorithm.SHA256, new SecureRandom()).lengthBytes());
    assertEquals(64, TotpSecret.generate(TotpAlgorithm.SHA512, new SecureRandom()).lengthBytes());
    assertThrows(IllegalArgumentException.class, () -> TotpSecret.ofBytes(new byte[19]));
    assertThrows(IllegalArgumentException.class, () -> TotpSecret.fromBase32("JBSWY3DPEHPK3PXP"));
    String b32 = secret.toBase32();
    assertFalse(secret.toString().contains(b32));
    assertTrue(TotpSecret.fromBase32(b32.toLowerCase(java.util.Locale.ROOT)).sameAs(secret));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TotpSecret.fromBase32(b32 + "1"));
    assertFalse(e.getMessage().contains(b32));
  }

  @Test
  void storeEntries_expireOnlyAfterTheWindowHasPassed() {
    String code = codeAtOffset(0);
    assertTrue(verifier.verify("c", secret, code).accepted());
    long step = now.get().getEpochSecond() / 30;
    // Until (step + window + 1) * 30 the record must stand.
    now.set(Instant.ofEpochSecond((step + 2) * 30 - 1));
    assertFalse(store.markUsed("c", step, Instant.ofEpochSecond((step + 2) * 30)));
    now.set(Instant.ofEpochSecond((step + 2) * 30));
    assertTrue(store.markUsed("c", step, Instant.ofEpochSecond((step + 4) * 30)));
  }
}
