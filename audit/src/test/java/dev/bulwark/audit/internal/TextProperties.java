package dev.bulwark.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The loop-based detail-key check accepts exactly the keys of its regular-expression definition. */
class TextProperties {

  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
  private static final Set<String> SECRET_WORDS =
      Set.of("password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "credential",
          "credentials", "authorization", "cookie", "otp", "totp", "cvv", "pin", "privatekey",
          "seed", "mnemonic");

  /** The definition: the pattern, and no part between '_', '.', '-' that names a secret. */
  static boolean acceptedByDefinition(String key) {
    if (!KEY.matcher(key).matches()) {
      return false;
    }
    for (String part : key.split("[_.-]")) {
      if (SECRET_WORDS.contains(part) || part.contains("password") || part.contains("secret") || part.contains("token")) {
        return false;
      }
    }
    return true;
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> words = Arbitraries.of("pin", "otp", "seed", "token", "secret", "password", "user", "id", "attempt",
        "a", "9", "_", ".", "-", "x", "pwd", "cookie", "A", " ", "\n", "é");
    return Arbitraries.oneOf(
        words.list().ofMaxSize(8).map(l -> String.join("", l)),
        Arbitraries.strings().withChars("abz09_.-A:").ofMaxLength(70),
        Arbitraries.strings().ofMaxLength(10));
  }

  @Property(tries = 3000)
  void checkDetailKey_matchesItsDefinition(@ForAll("keys") String key) {
    boolean accepted;
    try {
      Text.checkDetailKey(key);
      accepted = true;
    } catch (IllegalArgumentException e) {
      accepted = false;
    }
    assertEquals(acceptedByDefinition(key), accepted, key);
  }
}
