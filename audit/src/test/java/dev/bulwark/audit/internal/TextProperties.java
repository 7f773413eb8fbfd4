package dev.bulwark.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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

  static Gen<String> keys() {
    Gen<String> words = Generators.oneOf("pin", "otp", "seed", "token", "secret", "password", "user", "id", "attempt",
        "a", "9", "_", ".", "-", "x", "pwd", "cookie", "A", " ", "\n", "é");
    return Generators.mixOf(
        Generators.lists(words, 0, 8).map(l -> String.join("", l)),
        Generators.strings("abz09_.-A:", 0, 70),
        Generators.text(0, 10));
  }

  @Test
  void checkDetailKey_matchesItsDefinition() {
    PropertyRunner.forAll(3000, c -> {
      String key = c.draw("key", keys());
      boolean accepted;
      try {
        Text.checkDetailKey(key);
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertEquals(acceptedByDefinition(key), accepted, key);
    });
  }
}
