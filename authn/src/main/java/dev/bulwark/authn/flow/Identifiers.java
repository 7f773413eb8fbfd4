package dev.bulwark.authn.flow;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Canonical forms of login identifiers, so that one account has one spelling: the lookup, the
 * lockout counters and the events all use it. {@link LoginFlow} applies
 * {@link dev.bulwark.authn.flow.spi.AccountDirectory#canonicalIdentifier}, whose default is
 * {@link #usernameCaseMapped}; a host stores its identifiers in the same form when it creates
 * accounts.
 *
 * <p>Thread-safe; stateless.
 */
public final class Identifiers {

  private Identifiers() {}

  /**
   * The PRECIS UsernameCaseMapped profile (RFC 8265 §3.3): full- and half-width characters mapped
   * to their ordinary forms, Unicode lower case ({@code toLowerCase} in the root locale, no
   * Turkish or Greek special case), Unicode NFC; the result must be non-empty and made of
   * characters of the IdentifierClass (RFC 8264 §4.2): ASCII letters, digits and printable
   * symbols, and non-ASCII letters, marks and decimal digits that have no compatibility
   * decomposition. So {@code Alice@example.com}, {@code aLice@example.com},
   * {@code ALICE@example.com} and {@code ＡＬＩＣＥ@example.com} are all {@code alice@example.com}.
   *
   * <p>Two parts of the RFC are simplified, in the direction of refusing more: the characters that
   * PRECIS admits only by a context rule (zero-width joiners, the Catalan middle dot, a few others)
   * are refused, and the Bidi rule (RFC 5893) is applied as "no left-to-right letter in a string
   * that holds a right-to-left one".
   *
   * @throws IllegalArgumentException if {@code identifier} is null, or empty or holds a character
   *     outside the IdentifierClass (a space, a control, a symbol, an unassigned code point, a
   *     lone surrogate...) after mapping; the message does not repeat the identifier
   */
  public static String usernameCaseMapped(String identifier) {
    if (identifier == null) {
      throw new IllegalArgumentException("identifier must not be null");
    }
    StringBuilder widthMapped = new StringBuilder(identifier.length());
    for (int i = 0; i < identifier.length(); ) {
      int cp = identifier.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == 0x3000 || (cp >= 0xFF01 && cp <= 0xFFEE)) {
        // The <wide> and <narrow> decompositions of Unicode all live here.
        widthMapped.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
      } else {
        widthMapped.appendCodePoint(cp);
      }
    }
    String lower = widthMapped.toString().toLowerCase(Locale.ROOT);
    String out = Normalizer.normalize(lower, Normalizer.Form.NFC);
    if (out.isEmpty()) {
      throw new IllegalArgumentException("identifier is empty");
    }
    boolean rtl = false;
    boolean ltr = false;
    for (int i = 0; i < out.length(); ) {
      int cp = out.codePointAt(i);
      i += Character.charCount(cp);
      if (!identifierClass(cp)) {
        throw new IllegalArgumentException(
            "identifier holds a character outside the PRECIS IdentifierClass (U+" + String.format(Locale.ROOT, "%04X", cp) + ")");
      }
      byte dir = Character.getDirectionality(cp);
      rtl |= dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
      ltr |= dir == Character.DIRECTIONALITY_LEFT_TO_RIGHT && cp > 0x7F;
      ltr |= cp <= 0x7F && Character.isLetter(cp);
    }
    if (rtl && ltr) {
      throw new IllegalArgumentException("identifier mixes right-to-left and left-to-right letters");
    }
    return out;
  }

  /** RFC 8264 §4.2 (IdentifierClass) as far as it does not depend on context. */
  private static boolean identifierClass(int cp) {
    if (cp >= 0x21 && cp <= 0x7E) {
      return true; // ASCII7
    }
    if (cp <= 0x7F) {
      return false; // controls and the space
    }
    switch (Character.getType(cp)) {
      case Character.LOWERCASE_LETTER:
      case Character.UPPERCASE_LETTER:
      case Character.OTHER_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.DECIMAL_DIGIT_NUMBER:
        break;
      default:
        return false;
    }
    if (cp >= 0x1100 && cp <= 0x11FF) {
      return false; // OldHangulJamo (RFC 8264 §9.9) is disallowed; the precomposed syllables are fine
    }
    String s = new String(Character.toChars(cp));
    return Normalizer.normalize(s, Normalizer.Form.NFKC).equals(s); // HasCompat is disallowed
  }
}
