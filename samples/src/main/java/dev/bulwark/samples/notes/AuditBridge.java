package dev.bulwark.samples.notes;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.Severity;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.crypto.ShredReceipt;
import dev.bulwark.lifecycle.LifecycleEvent;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns every module's security events into hash-chained audit events: authn
 * {@link SecurityEvent}s, lifecycle evidence ({@link LifecycleEvent}) and crypto-shredding
 * receipts ({@link ShredReceipt}), plus the sample's own events.
 *
 * <p>Appends block until the event is durable. A failed append (for example a tampered log the
 * writer refuses to extend) is reported on standard error and does not fail the user's request:
 * the admin page's verifier shows the damage.
 */
final class AuditBridge {

  private static final Set<String> FAILURES = Set.of(SecurityEventType.LOGIN_FAIL, SecurityEventType.MFA_FAIL,
      SecurityEventType.TOKEN_REUSE, SecurityEventType.TOKEN_INVALID, SecurityEventType.WEBAUTHN_COUNTER_REGRESSION,
      SecurityEventType.SESSION_LIMIT_REJECTED, SecurityEventType.STEP_UP_REQUIRED);
  private static final Set<String> WARNINGS = Set.of(SecurityEventType.LOGIN_LOCK, SecurityEventType.TOKEN_REUSE,
      SecurityEventType.WEBAUTHN_COUNTER_REGRESSION);

  private final AuditLog log;
  private final Clock clock;

  AuditBridge(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  /** authn's {@code SecurityEventListener}. */
  void onSecurityEvent(SecurityEvent e) {
    Outcome outcome = FAILURES.contains(e.type()) ? (e.type().startsWith("authz") ? Outcome.DENIED : Outcome.FAILURE)
        : Outcome.SUCCESS;
    AuditEvent.Builder b = AuditEvent.builder(Action.custom(e.type()),
            Actor.user(e.subject().filter(s -> !s.isBlank()).orElse("anonymous"), e.details().get("factor")))
        .occurredAt(e.occurredAt())
        .outcome(outcome)
        .severity(WARNINGS.contains(e.type()) ? Severity.WARN : Severity.INFO)
        .reason(e.details().get("reason"));
    e.source().ifPresent(ip -> b.source(new dev.bulwark.audit.Source(ip, null, null, "bulwark-notes")));
    details(b, e.details());
    append(b);
  }

  /** lifecycle's {@code LifecycleListener}: soft deletes, restores, purges, erasures, guards. */
  void onLifecycleEvent(LifecycleEvent e) {
    String action = "lifecycle_" + e.type().name().toLowerCase(Locale.ROOT);
    boolean bad = e.type().name().contains("REFUSED") || e.type().name().contains("FAILED")
        || e.type().name().contains("GUARD");
    AuditEvent.Builder b = AuditEvent.builder(Action.custom(action), Actor.user(e.by().actor(), null))
        .occurredAt(e.at())
        .outcome(bad ? Outcome.FAILURE : Outcome.SUCCESS)
        .severity(bad ? Severity.WARN : Severity.INFO)
        .reason(e.by().reason());
    details(b, e.details());
    e.evidence().ifPresent(ev -> {
      b.detail("evidence_id", ev.id().toString());
      b.detail("evidence_kind", ev.kind().name());
      b.detail("records", Integer.toString(ev.count()));
    });
    append(b);
  }

  /** crypto's shredding receipt. */
  void onShredReceipt(ShredReceipt r, String actor) {
    append(AuditEvent.builder(Action.custom("crypto_scope_shredded"), Actor.user(actor, null))
        .occurredAt(r.shreddedAt())
        .target("keyring", r.scope())
        .outcome(Outcome.SUCCESS)
        .detail("versions_destroyed", r.versionsDestroyed().stream().map(String::valueOf).collect(Collectors.joining(","))));
  }

  /** The sample's own events (note created, admin page viewed, account deleted, ...). */
  void record(Action action, String actorId, String authMethod, Outcome outcome, String targetType, String targetId,
      Map<String, String> details) {
    AuditEvent.Builder b = AuditEvent.builder(action, Actor.user(actorId, authMethod)).outcome(outcome);
    if (targetType != null) {
      b.target(targetType, targetId);
    }
    details(b, details);
    append(b);
  }

  private void append(AuditEvent.Builder b) {
    try {
      log.append(b.build(clock));
    } catch (RuntimeException ex) {
      System.err.println("bulwark-notes: audit append failed: " + ex.getMessage());
    }
  }

  /** Copies details under audit-safe keys (lower snake case); a value audit refuses is left out. */
  private void details(AuditEvent.Builder b, Map<String, String> details) {
    for (Map.Entry<String, String> d : details.entrySet()) {
      if (d.getValue() == null) {
        continue;
      }
      String key = snake(d.getKey());
      try {
        // Probe first: AuditEvent validates details when built, and one refused detail must not
        // lose the whole event.
        AuditEvent.builder(Action.SYS_MONITOR_ENABLED, Actor.system("probe")).detail(key, d.getValue())
            .build(clock);
        b.detail(key, d.getValue());
      } catch (IllegalArgumentException refused) {
        // audit refuses keys or values that look like secrets: they stay out of the log.
      }
    }
  }

  static String snake(String key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c)) {
        if (sb.length() > 0) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-') {
        sb.append(c);
      } else {
        sb.append('_');
      }
    }
    String s = sb.toString();
    return s.isEmpty() || !(s.charAt(0) >= 'a' && s.charAt(0) <= 'z') ? "k" + s : s;
  }
}
