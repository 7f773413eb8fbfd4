package dev.bulwark.authz;

import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by the value types. */
final class Names {

  /** Role, resource type and action names: what policy files and SQL mappings may name. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  static final int MAX_TEXT = 256;

  private Names() {}

  static String requireName(String s, String what) {
    Objects.requireNonNull(s, what);
    if (!NAME.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " must match [a-z][a-z0-9_.-]{0,63}");
    }
    return s;
  }

  static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  /** Opaque identifiers (principal ids, tenant ids, resource ids): any printable text up to 256 chars. */
  static String requireText(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isEmpty() || s.length() > MAX_TEXT) {
      throw new IllegalArgumentException(what + " must have 1 to " + MAX_TEXT + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw new IllegalArgumentException(what + " must not contain control characters");
      }
    }
    return s;
  }
}
