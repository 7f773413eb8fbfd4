package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;

class PasswordHasherProperties {

  private final PasswordHasher hasher = PasswordHasherTest.fast();

  static Gen<String> passwords() {
    return Generators.hostileText(1, 80).filter(s -> PasswordHasher.encode(s) != null);
  }


  @Test
  void hashThenVerify_roundTrips() {
    PropertyRunner.forAll(60, c -> {
      String password = c.draw("password", passwords());
      assertTrue(hasher.verify(password, hasher.hash(password)));
    });
  }

  @Test
  void anyOtherPassword_fails() {
    PropertyRunner.forAll(60, c -> {
      String password = c.draw("password", passwords());
      String other = c.draw("other", passwords());
      c.assume(!Normalizer.normalize(password, Normalizer.Form.NFKC).equals(Normalizer.normalize(other, Normalizer.Form.NFKC)));
      assertFalse(hasher.verify(other, hasher.hash(password)));
    });
  }

  @Test
  void phcParser_neverCrashes_onMutatedHashes() {
    PropertyRunner.forAll(200, c -> {
      String phc = c.draw("phc", mutations());
      try {
        PasswordHash parsed = PasswordHash.parse(phc);
        assertEquals(phc, parsed.format());
      } catch (InvalidPasswordHashException expected) {
        assertFalse(expected.getMessage().isEmpty());
      }
    });
  }

  static Gen<String> mutations() {
    String base = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
    Gen<Integer> positions = Generators.ints(0, base.length() - 1);
    Gen<Integer> asciiChars = Generators.ints(0, 127);
    return r -> {
      int i = positions.next(r);
      char c = (char) (int) asciiChars.next(r);
      return base.substring(0, i) + c + base.substring(i + 1);
    };
  }


  @Test
  void overlongInput_isRefusedWithoutHashing() {
    PropertyRunner.forAll(100, c -> {
      String tail = c.draw("tail", passwords());
      String overlong = "p".repeat(PasswordHasher.MAX_PASSWORD_CHARS) + tail;
      assertThrows(IllegalArgumentException.class, () -> hasher.hash(overlong));
    });
  }
}
