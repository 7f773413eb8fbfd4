package dev.bulwark.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Deterministic events for tests. */
final class TestEvents {
  private static final List<Action> ACTIONS = List.of(Action.AUTHN_LOGIN_SUCCESS, Action.AUTHN_LOGIN_FAIL,
      Action.AUTHZ_CHANGE, Action.SENSITIVE_READ, Action.SESSION_CREATED);

  private TestEvents() {}

  static AuditEvent event(int i) {
    return new AuditEvent(new UUID(0x1234L, i), Instant.parse("2026-01-01T00:00:00Z").plusMillis(i),
        ACTIONS.get(i % ACTIONS.size()), Actor.user("user-" + (i % 7), "password+totp"), "tenant-" + (i % 3),
        new Target("account", "acct-" + i), i % 4 == 0 ? Outcome.FAILURE : Outcome.SUCCESS,
        i % 4 == 0 ? "bad_password" : null, Severity.INFO, "corr-" + (i / 10),
        new Source("203.0.113." + (i % 250), "Mozilla/5.0 (test)", "node-1", "billing/1.0"),
        java.util.Map.of("attempt", Integer.toString(i)));
  }
}
