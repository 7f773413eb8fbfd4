package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * No timing oracle: every way a password can be refused costs the same work as a real check, one
 * Argon2id computation, counted with {@link PasswordHasher#hashesComputed()} instead of timed.
 */
class PasswordHasherWorkTest {

  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final String stored = hasher.hash("correct horse battery staple");

  private long work(Predicate<PasswordHasher> call, boolean expected) {
    long before = hasher.hashesComputed();
    assertEquals(expected, call.test(hasher));
    return hasher.hashesComputed() - before;
  }

  @Test
  void realPassword_rightOrWrong_costsOneHash() {
    assertEquals(1, work(h -> h.verify("correct horse battery staple", stored), true));
    assertEquals(1, work(h -> h.verify("wrong horse battery staple", stored), false));
  }

  @Test
  void emptyPassword_costsOneHash_andNeverMatches() {
    assertEquals(1, work(h -> h.verify("", stored), false));
  }

  @Test
  void overLongPassword_costsOneHash_andNeverMatches() {
    String longer = "x".repeat(PasswordHasher.MAX_PASSWORD_CHARS + 1);
    assertEquals(1, work(h -> h.verify(longer, stored), false));
    String huge = "y".repeat(1 << 20);
    assertEquals(1, work(h -> h.verify(huge, stored), false), "a megabyte costs one hash of a placeholder");
  }

  @Test
  void invalidUnicode_costsOneHash_andNeverMatches() {
    assertEquals(1, work(h -> h.verify("abc\uD800def", stored), false), "lone high surrogate");
    assertEquals(1, work(h -> h.verify("\uDC00", stored), false), "lone low surrogate");
  }

  @Test
  void nullPassword_costsOneHash_andNeverMatches() {
    assertEquals(1, work(h -> h.verify(null, stored), false));
  }

  @Test
  void unknownAccount_costsOneHash_whateverThePassword() {
    assertEquals(1, work(h -> h.verifyDummy("some guess"), false));
    assertEquals(1, work(h -> h.verifyDummy(""), false));
    assertEquals(1, work(h -> h.verifyDummy("\uD800"), false));
    assertEquals(1, work(h -> h.verifyDummy("z".repeat(5000)), false));
  }

  @Test
  void buildingAHasher_countsItsDummyHash_andHashingCountsOne() {
    PasswordHasher fresh =
        PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
    assertEquals(1, fresh.hashesComputed());
    fresh.hash("a password");
    assertEquals(2, fresh.hashesComputed());
    assertTrue(fresh.verify("a password", fresh.hash("a password")));
    assertFalse(fresh.verify("", fresh.hash("a password")));
    assertEquals(6, fresh.hashesComputed());
  }
}
