package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.password.PasswordPolicy.Violation;
import dev.bulwark.authn.password.spi.PasswordBlocklist;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

  private final PasswordPolicy nist = PasswordPolicy.nist();

  @Test
  void singleFactor_needs15_mfaNeeds8() {
    assertEquals(List.of(Violation.TOO_SHORT), nist.check("fourteen chars", false).violations());
    assertTrue(nist.check("fifteen chars!!", false).accepted());
    assertTrue(nist.check("eight ch", true).accepted());
    assertEquals(List.of(Violation.TOO_SHORT), nist.check("seven c", true).violations());
    assertEquals(15, nist.check("", false).minLength());
    assertEquals(8, nist.check("", true).minLength());
  }

  @Test
  void noCompositionRules_anyUnicodeCounts_inCodePoints() {
    assertTrue(nist.check("aaaaaaaaaaaaaaa", false).accepted(), "all lower case letters are fine");
    assertTrue(nist.check("\ud83d\udd12".repeat(8), true).accepted(), "8 emoji are 8 characters");
    assertFalse(nist.check("\ud83d\udd12".repeat(7), true).accepted());
  }

  @Test
  void maximum_isAtLeast64_andEnforced() {
    assertTrue(nist.check("x".repeat(128), false).accepted());
    assertEquals(List.of(Violation.TOO_LONG), nist.check("x".repeat(129), false).violations());
    assertEquals(List.of(Violation.TOO_LONG), nist.check("x".repeat(5000), false).violations());
    assertThrows(IllegalArgumentException.class, () -> nist.withLengths(15, 8, 63));
    assertThrows(IllegalArgumentException.class, () -> nist.withLengths(12, 8, 64));
    assertThrows(IllegalArgumentException.class, () -> nist.withLengths(15, 6, 64));
    assertTrue(nist.withLengths(16, 10, 64).check("x".repeat(64), true).accepted());
  }

  @Test
  void blocklist_isConsulted_caseInsensitively() {
    PasswordPolicy p = nist.withBlocklist(PasswordBlocklist.of(List.of("Password1234567")));
    assertEquals(List.of(Violation.BLOCKLISTED), p.check("password1234567", false).violations());
    assertTrue(p.check("another long passphrase", false).accepted());
    PasswordPolicy both = nist.withBlocklist(PasswordBlocklist.of(List.of("aaaaaaaa")).or(c -> c.contains("acme")));
    assertEquals(List.of(Violation.BLOCKLISTED), both.check("my acme password!", false).violations());
  }

  @Test
  void blocklistFailure_propagates_soThePasswordIsNotAccepted() {
    PasswordPolicy p = nist.withBlocklist(c -> {
      throw new IllegalStateException("breach service down");
    });
    assertThrows(IllegalStateException.class, () -> p.check("a long enough password", false));
  }

  @Test
  void invalidUnicode_andNull_areRefused() {
    assertEquals(List.of(Violation.INVALID_UNICODE), nist.check("abcdefgh\udc00ijklmnop", true).violations());
    assertThrows(IllegalArgumentException.class, () -> nist.check(null, true));
  }
}
