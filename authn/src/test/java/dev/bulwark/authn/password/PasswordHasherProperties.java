package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import java.text.Normalizer;

class PasswordHasherProperties {

  private final PasswordHasher hasher = PasswordHasherTest.fast();

  @Provide
  Arbitrary<String> passwords() {
    return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(80)
        .filter(s -> PasswordHasher.encode(s) != null);
  }

  @Property(tries = 60)
  void hashThenVerify_roundTrips(@ForAll("passwords") String password) {
    assertTrue(hasher.verify(password, hasher.hash(password)));
  }

  @Property(tries = 60)
  void anyOtherPassword_fails(@ForAll("passwords") String password, @ForAll("passwords") String other) {
    Assume.that(!Normalizer.normalize(password, Normalizer.Form.NFKC).equals(Normalizer.normalize(other, Normalizer.Form.NFKC)));
    assertFalse(hasher.verify(other, hasher.hash(password)));
  }

  @Property(tries = 200)
  void phcParser_neverCrashes_onMutatedHashes(@ForAll("mutations") String phc) {
    try {
      PasswordHash parsed = PasswordHash.parse(phc);
      assertEquals(phc, parsed.format());
    } catch (InvalidPasswordHashException expected) {
      assertFalse(expected.getMessage().isEmpty());
    }
  }

  @Provide
  Arbitrary<String> mutations() {
    String base = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
    return Arbitraries.integers().between(0, base.length() - 1).flatMap(i ->
        Arbitraries.chars().ascii().map(c -> base.substring(0, i) + c + base.substring(i + 1)));
  }

  @Property(tries = 100)
  void overlongInput_isRefusedWithoutHashing(@ForAll("passwords") String tail) {
    String overlong = "p".repeat(PasswordHasher.MAX_PASSWORD_CHARS) + tail;
    assertThrows(IllegalArgumentException.class, () -> hasher.hash(overlong));
  }
}
