package dev.bulwark.lifecycle;

/** Validation of the short texts (ids, actors, reasons) that end up in evidence records. */
final class Text {

  private Text() {}

  static String require(String value, String what, int maxLength) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(what + " must be at most " + maxLength + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(what + " must not contain control characters");
      }
    }
    return value;
  }
}
