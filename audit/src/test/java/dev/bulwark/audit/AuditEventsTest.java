package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditEventsTest {

  private static final Instant AT = Instant.parse("2026-06-01T09:00:00Z");

  @Test
  void loginSuccess_keepsEveryDetail_andTheAccountIsTheActor() {
    AuditEvent e = AuditEvents.toAuditEvent("authn_login_success", Optional.of("alice"), AT, Optional.of("192.0.2.1"),
        Map.of("account_id", "u-alice", "aal", "AAL2", "factors", "password,totp"));
    assertEquals(Action.AUTHN_LOGIN_SUCCESS, e.action());
    assertFalse(e.action().custom());
    assertEquals(Actor.user("alice", null), e.actor());
    assertEquals("192.0.2.1", e.source().ip());
    assertEquals(Outcome.SUCCESS, e.outcome());
    assertEquals(Map.of("account_id", "u-alice", "aal", "AAL2", "factors", "password,totp"), e.details());
  }

  @Test
  void failures_locksAndRefusals_getTheirOutcomeAndSeverity_andTheReasonIsLifted() {
    AuditEvent fail = AuditEvents.toAuditEvent("authn_mfa_fail", Optional.empty(), AT, Optional.empty(),
        Map.of("factor", "totp", "reason", "rejected"));
    assertEquals(Outcome.FAILURE, fail.outcome());
    assertEquals(ActorType.ANONYMOUS, fail.actor().type());
    assertEquals("totp", fail.actor().authMethod());
    assertEquals("rejected", fail.reason());
    assertEquals(Map.of("factor", "totp"), fail.details());
    AuditEvent lock = AuditEvents.toAuditEvent("authn_login_lock", Optional.of("bob"), AT, Optional.empty(), Map.of());
    assertEquals(Outcome.FAILURE, lock.outcome());
    assertEquals(Severity.WARN, lock.severity());
    assertEquals(Outcome.DENIED, AuditEvents.toAuditEvent("lifecycle_erasure_refused", Optional.of("ops"), AT,
        Optional.empty(), Map.of()).outcome());
    assertEquals(Outcome.ERROR, AuditEvents.toAuditEvent("lifecycle_purge_run_failed", Optional.of("ops"), AT,
        Optional.empty(), Map.of()).outcome());
  }

  @Test
  void cryptoEvents_targetTheKeyring_andTheSystemActs() {
    AuditEvent e = AuditEvents.toAuditEvent("crypto_scope_shredded", Optional.of("user-42"), AT, Optional.empty(),
        Map.of("versions_destroyed", "1,2"));
    assertEquals(new Target("keyring", "user-42"), e.target());
    assertEquals(ActorType.SYSTEM, e.actor().type());
    assertEquals(Severity.WARN, e.severity());
    assertNull(e.reason());
  }

  @Test
  void unknownNames_andForeignKeys_areRefused_notDroppedOrRenamed() {
    assertThrows(IllegalArgumentException.class,
        () -> AuditEvents.toAuditEvent("authn_something_new", Optional.of("a"), AT, Optional.empty(), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> AuditEvents.toAuditEvent("authn_login_success",
        Optional.of("a"), AT, Optional.empty(), Map.of("accountId", "u-1")));
    assertThrows(IllegalArgumentException.class, () -> AuditEvents.toAuditEvent("authn_login_success",
        Optional.of("a"), AT, Optional.empty(), Map.of("session_token", "x")));
  }

  @Test
  void theModulesNames_areVocabulary() {
    for (String name : new String[] {"authn_mfa_enrolled", "session_revoked", "authz_grant_expired",
        "crypto_key_rotated", "lifecycle_records_purged"}) {
      assertFalse(Action.of(name).custom(), name);
    }
  }
}
