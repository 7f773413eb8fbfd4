package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.password.InvalidPasswordHashException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {

  static final Argon2idParameters FAST = Argon2idParameters.unchecked(64, 1, 1);

  static PasswordHasher fast() {
    return PasswordHasher.builder().insecureParametersForTesting(FAST).build();
  }

  static Pepper pepper(String id, int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return Pepper.of(id, key);
  }

  @Test
  void defaults_areOwaspFloor() {
    PasswordHasher h = PasswordHasher.builder().build();
    assertEquals(19_456, h.parameters().memoryKiB());
    assertEquals(2, h.parameters().iterations());
    assertEquals(1, h.parameters().parallelism());
    assertTrue(h.parameters().meetsOwasp());
  }

  @Test
  void hash_atDefaults_isPhcStringThatVerifies() {
    PasswordHasher h = PasswordHasher.builder().build();
    String phc = h.hash("correct horse battery staple");
    assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
    assertTrue(h.verify("correct horse battery staple", phc));
    assertFalse(h.verify("correct horse battery stapler", phc));
    assertFalse(h.needsRehash(phc));
  }

  @Test
  void builder_refusesParametersBelowOwasp() {
    assertThrows(IllegalArgumentException.class,
        () -> PasswordHasher.builder().parameters(new Argon2idParameters(16_384, 2, 1, 16, 32)));
    PasswordHasher.builder().parameters(new Argon2idParameters(7_168, 5, 1, 16, 32)).build();
  }

  @Test
  void hash_usesFreshSaltEachTime() {
    PasswordHasher h = fast();
    assertNotEquals(h.hash("same password"), h.hash("same password"));
  }

  @Test
  void verify_isUnicodeNormalised_butNotCaseFoldedOrTrimmed() {
    PasswordHasher h = fast();
    String phc = h.hash("caf\u00e9 passw\u00f6rd");
    assertTrue(h.verify("cafe\u0301 passwo\u0308rd", phc), "NFD input matches NFC hash");
    assertFalse(h.verify("CAF\u00c9 PASSW\u00d6RD", phc));
    assertFalse(h.verify("caf\u00e9 passw\u00f6rd ", phc));
  }

  @Test
  void overlongAndEmptyAndInvalidPasswords_neverVerify_andCannotBeHashed() {
    PasswordHasher h = fast();
    String phc = h.hash("x".repeat(PasswordHasher.MAX_PASSWORD_CHARS));
    assertTrue(h.verify("x".repeat(PasswordHasher.MAX_PASSWORD_CHARS), phc));
    assertFalse(h.verify("x".repeat(PasswordHasher.MAX_PASSWORD_CHARS + 1), phc));
    assertFalse(h.verify("", phc));
    assertFalse(h.verify(null, phc));
    assertThrows(IllegalArgumentException.class, () -> h.hash("x".repeat(PasswordHasher.MAX_PASSWORD_CHARS + 1)));
    assertThrows(IllegalArgumentException.class, () -> h.hash(""));
    assertThrows(IllegalArgumentException.class, () -> h.hash("lone \ud800 surrogate"));
  }

  @Test
  void needsRehash_whenAnyParameterIsBelowPolicy() {
    PasswordHasher weak = PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
    PasswordHasher stronger = PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(128, 1, 1)).build();
    PasswordHasher moreIterations = PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 2, 1)).build();
    String phc = weak.hash("pw");
    assertFalse(weak.needsRehash(phc));
    assertTrue(stronger.needsRehash(phc));
    assertTrue(moreIterations.needsRehash(phc));
    assertFalse(weak.needsRehash(stronger.hash("pw")), "stronger than policy is fine");
    assertTrue(weak.needsRehash("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA"));
    assertTrue(weak.needsRehash("$bcrypt$whatever"));
  }

  @Test
  void pepper_isRequiredToVerify_andRotates() {
    Pepper p1 = pepper("k1", 1);
    Pepper p2 = pepper("k2", 2);
    PasswordHasher withP1 = PasswordHasher.builder().insecureParametersForTesting(FAST).pepper(p1).build();
    String phc = withP1.hash("peppered password");
    assertTrue(phc.contains(",keyid=azE$"), phc);
    assertTrue(withP1.verify("peppered password", phc));

    // Without the pepper the hash cannot be verified, and a same-id wrong key fails.
    InvalidPasswordHashException e = assertThrows(InvalidPasswordHashException.class, () -> fast().verify("peppered password", phc));
    assertEquals(Reason.UNKNOWN_PEPPER_KEY, e.reason());
    PasswordHasher wrongKey = PasswordHasher.builder().insecureParametersForTesting(FAST).pepper(pepper("k1", 9)).build();
    assertFalse(wrongKey.verify("peppered password", phc));

    // Rotation: p2 current, p1 kept for verification; old hashes verify and need a rehash.
    PasswordHasher rotated = PasswordHasher.builder().insecureParametersForTesting(FAST).pepper(p2).previousPepper(p1).build();
    assertTrue(rotated.verify("peppered password", phc));
    assertTrue(rotated.needsRehash(phc));
    String fresh = rotated.hash("peppered password");
    assertFalse(rotated.needsRehash(fresh));
    assertTrue(rotated.needsRehash(fast().hash("unpeppered")), "an unpeppered hash needs the pepper");
  }

  @Test
  void pepper_validatesAndRedacts() {
    assertThrows(IllegalArgumentException.class, () -> Pepper.of("k1", new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> Pepper.of("bad id!", new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> Pepper.of("toolongid", new byte[32]));
    Pepper p = pepper("k1", 0x41);
    assertFalse(p.toString().contains("AAAA"));
    assertTrue(p.toString().contains("redacted"));
    assertThrows(IllegalArgumentException.class,
        () -> PasswordHasher.builder().pepper(p).previousPepper(pepper("k1", 2)));
  }

  @Test
  void verifyDummy_neverMatches_evenForTheSamePassword() {
    PasswordHasher h = fast();
    assertFalse(h.verifyDummy("anything"));
    assertFalse(h.verifyDummy(""));
    assertFalse(h.verifyDummy(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "argon2id", "$", "$argon2id", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ",
      "$argon2id$v=19$m=64,t=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdB$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1$c2Fsd!NhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA$extra",
      "$ARGON2ID!$v=19"
  })
  void parse_rejectsMalformed(String phc) {
    InvalidPasswordHashException e = assertThrows(InvalidPasswordHashException.class, () -> PasswordHash.parse(phc));
    assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
    assertThrows(InvalidPasswordHashException.class, () -> fast().verify("pw", phc));
  }

  @Test
  void parse_rejectsOtherAlgorithmsVersionsAndRanges() {
    assertEquals(Reason.UNSUPPORTED_ALGORITHM, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).reason());
    assertEquals(Reason.UNSUPPORTED_ALGORITHM, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$2b$10$abcdefghijklmnopqrstuv")).reason());
    assertEquals(Reason.UNSUPPORTED_ALGORITHM, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).reason());
    assertEquals(Reason.PARAMETERS_OUT_OF_RANGE, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).reason());
    assertEquals(Reason.PARAMETERS_OUT_OF_RANGE, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA")).reason());
    assertEquals(Reason.PARAMETERS_OUT_OF_RANGE, assertThrows(InvalidPasswordHashException.class,
        () -> PasswordHash.parse("$argon2id$v=19$m=99999999999,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).reason());
  }

  @Test
  void parse_format_roundTrip_andRedactedToString() {
    String phc = fast().hash("pw");
    PasswordHash parsed = PasswordHash.parse(phc);
    assertEquals(phc, parsed.format());
    assertEquals(parsed, PasswordHash.parse(phc));
    assertFalse(parsed.toString().contains(phc.substring(phc.lastIndexOf('$') + 1)));
    assertFalse(fast().toString().contains("$"));
  }

  @Test
  void exceptions_neverContainTheHash() {
    String phc = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFz";
    InvalidPasswordHashException e = assertThrows(InvalidPasswordHashException.class, () -> PasswordHash.parse(phc));
    assertFalse(e.getMessage().contains("aGFzaGhhc2hoYXNoaGFz"));
  }
}
