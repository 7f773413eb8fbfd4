package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimitKeyTest {

  @Test
  void parts_areTaggedAndEscaped() {
    RateLimitKey k = RateLimitKey.builder().tenant("acme").principal("al|ice").source("203.0.113.9").route("POST /login").build();
    assertEquals("t:acme|p:al\\|ice|s:203.0.113.9|r:POST /login", k.value());
  }

  @Test
  void differentParts_neverShareAKey() {
    RateLimitKey a = RateLimitKey.builder().tenant("a|p:b").build();
    RateLimitKey b = RateLimitKey.builder().tenant("a").principal("b").build();
    assertNotEquals(a, b);
    RateLimitKey c = RateLimitKey.builder().principal("x").build();
    RateLimitKey d = RateLimitKey.builder().source("x").build();
    assertNotEquals(c, d);
    RateLimitKey e = RateLimitKey.builder().tenant("a\\").principal("b").build();
    RateLimitKey f = RateLimitKey.builder().tenant("a\\|p:b").build();
    assertNotEquals(e.value(), f.value());
    assertEquals(RateLimitKey.of("x"), RateLimitKey.of("x"));
  }

  @Test
  void overLongKeys_areRefused_notTruncated() {
    String max = "x".repeat(RateLimitKey.MAX_LENGTH - 2);
    assertEquals(RateLimitKey.MAX_LENGTH, RateLimitKey.of(max).value().length());
    InvalidKeyException e = assertThrows(InvalidKeyException.class, () -> RateLimitKey.of(max + "y"));
    assertFalse(e.getMessage().contains("xxxx"), "the message does not echo the key");
    assertThrows(InvalidKeyException.class, () -> RateLimitKey.of("|".repeat(300)), "escapes count towards the limit");
    assertThrows(InvalidKeyException.class,
        () -> RateLimitKey.builder().tenant("t".repeat(300)).principal("p".repeat(300)).build());
  }

  @Test
  void emptyOrRepeatedParts_areRefused() {
    assertThrows(InvalidKeyException.class, () -> RateLimitKey.builder().build());
    assertThrows(InvalidKeyException.class, () -> RateLimitKey.of(""));
    assertThrows(InvalidKeyException.class, () -> RateLimitKey.builder().tenant("a").tenant("b"));
    assertThrows(NullPointerException.class, () -> RateLimitKey.builder().principal(null));
    assertTrue(RateLimitKey.of("k").toString().contains("k:k"));
  }
}
