package dev.bulwark.audit.export;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.ActorType;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.Severity;
import dev.bulwark.audit.Source;
import dev.bulwark.audit.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Fixed events that cover every OCSF class of the mapping and the characters formats must escape. */
final class ExportEvents {
  static final String ORIGIN = "example.com/audit";
  private static final Instant T0 = Instant.parse("2026-12-07T01:02:03.456789Z");

  private ExportEvents() {}

  static List<LoggedEvent> golden() {
    Source web = new Source("203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "node-1", "shop/4.2.1");
    return List.of(
        logged(0, new AuditEvent(id(0), T0, Action.AUTHN_LOGIN_FAIL, Actor.user("u-42", "password"), "tenant-7",
            new Target("user", "u-42"), Outcome.FAILURE, "bad_password", Severity.INFO, "req-1", web,
            Map.of("attempt", "3", "factor", "password"))),
        logged(1, new AuditEvent(id(1), T0.plusSeconds(1), Action.AUTHN_LOGIN_SUCCESS, Actor.user("u-42", "password+totp"),
            "tenant-7", null, Outcome.SUCCESS, null, Severity.INFO, "req-2",
            new Source("2001:db8::1", "curl/8.5.0", null, null), Map.of())),
        logged(2, new AuditEvent(id(2), T0.plusSeconds(2), Action.AUTHN_PASSWORD_CHANGE, Actor.user("u-42", "password"),
            "tenant-7", new Target("user", "u-42"), Outcome.SUCCESS, null, Severity.INFO, null, web, Map.of())),
        logged(3, new AuditEvent(id(3), T0.plusSeconds(3), Action.AUTHN_LOGIN_LOCK, Actor.system("lockout"), "tenant-7",
            new Target("account", "u-9"), Outcome.SUCCESS, "too_many_failures", Severity.WARN, null, Source.NONE,
            Map.of("failures", "10"))),
        logged(4, new AuditEvent(id(4), T0.plusSeconds(4), Action.AUTHZ_CHANGE,
            new Actor(ActorType.USER, "admin-1", "webauthn", "u-42"), "tenant-7", new Target("role", "billing-admin"),
            Outcome.SUCCESS, null, Severity.WARN, "req-3", web, Map.of("role", "billing-admin"))),
        logged(5, new AuditEvent(id(5), T0.plusSeconds(5), Action.AUTHZ_FAIL, Actor.user("u-42", "password"), "tenant-7",
            new Target("invoice", "inv-1"), Outcome.DENIED, "no_role", Severity.INFO, "req-4", web, Map.of())),
        logged(6, new AuditEvent(id(6), T0.plusSeconds(6), Action.SENSITIVE_READ, Actor.service("reporting"), null,
            new Target("customer", "c-1"), Outcome.SUCCESS, null, Severity.INFO, null, Source.NONE, Map.of())),
        logged(7, new AuditEvent(id(7), T0.plusSeconds(7), Action.AUTHN_IMPOSSIBLE_TRAVEL, Actor.user("u-42", "password"),
            "tenant-7", null, Outcome.SUCCESS, "speed_kmh=4120", Severity.CRITICAL, null, web,
            Map.of("from_country", "DE", "to_country", "JP"))),
        logged(8, new AuditEvent(id(8), T0.plusSeconds(8), Action.SYS_STARTUP, Actor.system("shop"), null, null,
            Outcome.SUCCESS, null, Severity.INFO, null, new Source(null, null, "node-1", "shop/4.2.1"), Map.of())),
        logged(9, new AuditEvent(id(9), T0.plusSeconds(9), Action.AUDIT_LOG_PRUNED, Actor.system("retention"), null, null,
            Outcome.SUCCESS, null, Severity.INFO, null, Source.NONE, Map.of("before_seq", "1000"))),
        logged(10, new AuditEvent(id(10), T0.plusSeconds(10), Action.custom("detect_password_spraying"),
            Actor.system("bulwark-detect"), "tenant-7", null, Outcome.SUCCESS, "distinct_accounts=40", Severity.WARN, null,
            new Source("198.51.100.23", null, null, null), Map.of("level", "high"))),
        // Characters every format must escape: '=', '|', '\\', quotes, non-ASCII.
        logged(11, new AuditEvent(id(11), T0.plusSeconds(11), Action.USER_UPDATED, Actor.user("a|b\\c=d", null), null,
            new Target("user", "j\u00fcrgen \"jay\""), Outcome.ERROR, "x=y|z\\w", Severity.INFO, null,
            new Source(null, "Agent=1|2", null, null), Map.of("note", "k=v; \"q\" \u00e9"))));
  }

  static UUID id(int i) {
    return new UUID(0x0123456789abcdefL, i);
  }

  private static LoggedEvent logged(long seq, AuditEvent e) {
    return new LoggedEvent(seq, e.occurredAt().plusMillis(3), e);
  }
}
