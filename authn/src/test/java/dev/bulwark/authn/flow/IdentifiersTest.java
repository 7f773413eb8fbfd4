package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

  private static String canon(String s) {
    return Identifiers.usernameCaseMapped(s);
  }

  @Test
  void caseVariants_mapToOneIdentifier() {
    assertEquals("alice@example.com", canon("Alice@example.com"));
    assertEquals("alice@example.com", canon("aLice@Example.COM"));
    assertEquals("alice@example.com", canon("ALICE@EXAMPLE.COM"));
  }

  @Test
  void fullWidthCharacters_mapToTheirOrdinaryForms() {
    assertEquals("alice@example.com", canon("\uFF21\uFF2C\uFF29\uFF23\uFF25@example.com"));
    assertEquals("alice1", canon("alice\uFF11"));
  }

  @Test
  void decomposedAndComposedForms_areOne() {
    assertEquals(canon("jos\u00E9"), canon("jose\u0301"));
    assertEquals("jos\u00E9", canon("JOSE\u0301"));
  }

  @Test
  void nonAsciiLetters_arePreserved_inLowerCase() {
    assertEquals("\u00FCber", canon("\u00DCBER"));
    assertEquals("\u03C0\u03B1\u03C5\u03BB\u03BF\u03C2", canon("\u03A0\u0391\u03A5\u039B\u039F\u03A3"),
        "final capital sigma becomes final small sigma");
    assertEquals("i", canon("I"), "root locale: no Turkish dotless i");
  }

  @Test
  void canonicalForms_areFixedPoints() {
    for (String s : new String[] {"Alice@example.com", "\uFF21lice", "JOSE\u0301", "\u00DCBER"}) {
      String c = canon(s);
      assertEquals(c, canon(c), s);
    }
  }

  @Test
  void outsideTheIdentifierClass_isRefused() {
    for (String bad : new String[] {"", "alice smith", "alice\u3000smith", "alice\u0000", "alice\t", "\u2603snowman",
        "alice\u200D", "\uD800", "\u2460", "\uE000", "ali\u00A0ce"}) {
      assertThrows(IllegalArgumentException.class, () -> canon(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> canon(null));
  }

  @Test
  void rightToLeftMixedWithLeftToRightLetters_isRefused() {
    assertEquals("\u05E9\u05DC\u05D5\u05DD1", canon("\u05E9\u05DC\u05D5\u05DD1"));
    assertThrows(IllegalArgumentException.class, () -> canon("\u05E9\u05DC\u05D5\u05DDabc"));
  }

  @Test
  void refusal_doesNotRepeatTheIdentifier() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> canon("secret name"));
    assertEquals(-1, e.getMessage().indexOf("secret"));
  }
}
