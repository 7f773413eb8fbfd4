package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  @Test
  void crlfAndControlCharacters_areEscaped_soNoSecondLineCanBeForged() {
    Source s = new Source("1.2.3.4", "curl\r\n2026-01-01 INFO forged admin login\u0000\u202e", "h", "a");
    assertFalse(s.userAgent().contains("\n"));
    assertFalse(s.userAgent().contains("\r"));
    assertEquals("curl\\r\\n2026-01-01 INFO forged admin login\\u0000\\u202e", s.userAgent());
    Actor a = Actor.user("bob\nalice", null);
    assertEquals("bob\\nalice", a.id());
  }

  @Test
  void fields_areBounded() {
    String longUa = "x".repeat(10_000);
    assertEquals(512, new Source(null, longUa, null, null).userAgent().length());
    assertThrows(IllegalArgumentException.class, () -> event(Map.of("k" + "x".repeat(80), "v")));
    java.util.Map<String, String> many = new java.util.HashMap<>();
    for (int i = 0; i < 33; i++) {
      many.put("k" + i, "v");
    }
    assertThrows(IllegalArgumentException.class, () -> event(many));
    assertEquals(AuditEvent.MAX_DETAIL_VALUE_CHARS, event(Map.of("note", "y".repeat(5000))).details().get("note").length());
  }

  @Test
  void secretBearingDetails_areRefused() {
    for (String key : new String[] {"password", "new_password", "api.token", "client_secret", "otp", "session-cookie"}) {
      assertThrows(IllegalArgumentException.class, () -> event(Map.of(key, "x")), key);
    }
    assertThrows(IllegalArgumentException.class, () -> event(Map.of("header", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")));
    assertThrows(IllegalArgumentException.class, () -> event(Map.of("blob", "-----BEGIN PRIVATE KEY-----abc")));
    assertEquals("3", event(Map.of("attempts", "3")).details().get("attempts"));
  }

  @Test
  void actions_useTheOwaspVocabulary_customOnlyByOptIn() {
    assertEquals(Action.AUTHN_LOGIN_FAIL, Action.of("authn_login_fail"));
    assertThrows(IllegalArgumentException.class, () -> Action.of("user_did_a_thing"));
    Action custom = Action.custom("billing_refund");
    assertTrue(custom.custom());
    assertFalse(Action.custom("authz_change").custom());
    AuditLog log = AuditLog.builder("test/log", new InMemoryAuditStore()).build();
    AuditEvent e = AuditEvent.builder(custom, Actor.service("svc")).build(() -> Instant.EPOCH);
    assertThrows(IllegalArgumentException.class, () -> log.append(e));
    AuditLog open = AuditLog.builder("test/log2", new InMemoryAuditStore()).allowCustomActions(true).build();
    assertEquals(0, open.append(e).seq());
  }

  @Test
  void times_areTruncatedToMicroseconds() {
    AuditEvent e = AuditEvent.builder(Action.SENSITIVE_READ, Actor.system("x"))
        .occurredAt(Instant.parse("2026-01-01T00:00:00.123456789Z")).build(() -> Instant.EPOCH);
    assertEquals(Instant.parse("2026-01-01T00:00:00.123456Z"), e.occurredAt());
  }

  private static AuditEvent event(Map<String, String> details) {
    return new AuditEvent(UUID.randomUUID(), Instant.EPOCH, Action.SENSITIVE_READ, Actor.system("s"), null, null,
        Outcome.SUCCESS, null, Severity.INFO, null, null, details);
  }
}
