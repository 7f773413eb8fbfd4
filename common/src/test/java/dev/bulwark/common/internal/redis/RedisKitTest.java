package dev.bulwark.common.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Redis kit's checks and key layout, without a server. */
class RedisKitTest {

  @Test
  void script_isNamedByTheSha1OfItsSource_asRedisCachesIt() {
    RedisScript s = RedisScript.of("return 1");
    assertEquals("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", s.sha());
    assertEquals("return 1", s.text());
    assertFalse(s.toString().contains("return"), "toString names the hash, not the source");
  }

  @Test
  void settings_haveTheDefaults_andRefuseOutOfRangeValues() {
    RedisSettings s = new RedisSettings(URI.create("redis://user:secret@127.0.0.1:6379"));
    assertEquals(Duration.ofMillis(500), s.timeout());
    assertEquals(Duration.ofMillis(100), s.reconnectDelay());
    assertFalse(s.isCluster());
    s.cluster();
    assertTrue(s.isCluster());
    assertFalse(s.toString().contains("secret"), s.toString());

    s.timeout(Duration.ofNanos(1));
    s.timeout(Duration.ofMinutes(1));
    assertEquals(Duration.ofMinutes(1), s.timeout());
    assertThrows(IllegalArgumentException.class, () -> s.timeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> s.timeout(Duration.ofNanos(-1)));
    assertThrows(IllegalArgumentException.class, () -> s.timeout(Duration.ofMinutes(1).plusNanos(1)));
    assertThrows(NullPointerException.class, () -> s.timeout(null));
    assertEquals(Duration.ofMinutes(1), s.timeout(), "a refused value changes nothing");

    s.reconnectDelay(Duration.ofMillis(1));
    assertThrows(IllegalArgumentException.class, () -> s.reconnectDelay(Duration.ofNanos(999_999)));
    assertThrows(IllegalArgumentException.class, () -> s.reconnectDelay(Duration.ofMinutes(2)));
    assertEquals(Duration.ofMillis(1), s.reconnectDelay());
    assertThrows(NullPointerException.class, () -> new RedisSettings(null));
  }

  @Test
  void keys_carryTheTagBetweenBraces_andPrefixesHoldNoBrace() {
    assertEquals("bulwark:rl:{lim|k:a}", RedisKeys.hashTagged("bulwark:rl:", "lim|k:a", ""));
    assertEquals("bulwark:authn:{ns}:a:{x}", RedisKeys.hashTagged("bulwark:authn:", "ns", ":a:{x}"));
    assertEquals("p:", RedisKeys.checkPrefix("p:"));
    assertEquals("x".repeat(64), RedisKeys.checkPrefix("x".repeat(64)));
    for (String bad : new String[] {"", "x".repeat(65), "a{", "}b"}) {
      assertThrows(IllegalArgumentException.class, () -> RedisKeys.checkPrefix(bad), bad);
    }
    assertThrows(NullPointerException.class, () -> RedisKeys.hashTagged("p", null, ""));
  }

  @Test
  void aUriThatIsNotRedis_isRefusedBeforeAnyConnection() {
    RedisSettings s = new RedisSettings(URI.create("http://127.0.0.1:6379"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisConnection.open(s, IllegalStateException::new));
    assertTrue(e.getMessage().contains("not a Redis URI"), e.getMessage());
  }
}
