package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SessionTokenTest {

  @Test
  void generated_roundTripsThroughText() throws Exception {
    SessionToken t = SessionToken.generate();
    String text = t.reveal();
    assertEquals(43, text.length());
    SessionToken back = SessionToken.parse(text);
    assertTrue(t.sameAs(back));
    assertEquals(t.hash(), back.hash());
  }

  @Test
  void hash_isSha256OfRawBytes() throws Exception {
    SessionToken t = SessionToken.generate();
    byte[] raw = Base64.getUrlDecoder().decode(t.reveal());
    assertEquals(32, raw.length);
    assertTrue(MessageDigest.isEqual(MessageDigest.getInstance("SHA-256").digest(raw), t.hash().bytes()));
  }

  @Test
  void twoTokens_differ() {
    assertNotEquals(SessionToken.generate().hash(), SessionToken.generate().hash());
  }

  @Test
  void toString_isRedacted() {
    SessionToken t = SessionToken.generate();
    assertFalse(t.toString().contains(t.reveal()));
    assertFalse(t.hash().toString().contains(t.reveal()));
  }

  @Test
  void parse_rejectsWrongLengthCharsetAndNonCanonical() {
    String good = SessionToken.generate().reveal();
    String[] bad = {
      null, "", good.substring(1), good + "A", good.substring(0, 42) + "=", good.substring(0, 42) + "+",
      good.substring(0, 42) + "/", good.substring(0, 20) + " " + good.substring(21), good.substring(0, 20) + "é" + good.substring(21),
      good.substring(0, 42) + "B", // 'B' = 1: low bits set, not canonical
      "\u0000".repeat(43), good + "\n"
    };
    for (String b : bad) {
      SessionException e = assertThrows(SessionException.class, () -> SessionToken.parse(b), String.valueOf(b));
      assertEquals(SessionException.Reason.MALFORMED_TOKEN, e.reason());
      if (b != null && !b.isEmpty()) {
        assertFalse(e.getMessage().contains(b));
      }
    }
  }

  @Test
  void tokenHash_ofWrongSize_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> TokenHash.of(new byte[31]));
  }
}
