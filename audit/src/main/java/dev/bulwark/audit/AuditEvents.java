package dev.bulwark.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns the security events of the other Bulwark modules into {@link AuditEvent}s. The modules
 * never depend on each other, so this takes the plain values every module's event carries
 * ({@code type}, {@code subject}, time, {@code source}, {@code details}) rather than their types:
 *
 * <pre>{@code
 * import static dev.bulwark.audit.AuditEvents.toAuditEvent;
 *
 * import dev.bulwark.authn.SecurityEventListener;
 * import dev.bulwark.crypto.KeyEventListener;
 * import dev.bulwark.lifecycle.spi.LifecycleListener;
 *
 * // Given: AuditLog auditLog
 * SecurityEventListener authn = e -> auditLog.append(toAuditEvent(e.type(), e.subject(), e.occurredAt(), e.source(), e.details()));
 * KeyEventListener crypto = e -> auditLog.append(toAuditEvent(e.type(), Optional.of(e.keyring()), e.occurredAt(), Optional.empty(), e.details()));
 * LifecycleListener lifecycle = e -> auditLog.append(toAuditEvent(e.name(), e.subject(), e.at(), Optional.empty(), e.auditDetails()));
 * }</pre>
 *
 * <p>The mapping is keyed on the event name, which must be in the {@link Action} vocabulary:
 * outcome and severity follow the name (a {@code *_fail} is a failure, a lockout a warning, a
 * refused purge or erasure a denial); the subject is the actor, except for crypto's events, where
 * it is the keyring the event is about and the actor is the system; a {@code reason} detail
 * becomes the event's reason; every other detail is kept as it is. Nothing is dropped or renamed:
 * a name outside the vocabulary, or a detail key outside {@code [a-z][a-z0-9_.-]{0,63}}, is
 * refused with an {@link IllegalArgumentException}, so a module that emits a new kind of event
 * without a mapping fails the tests that wire it to a real {@link AuditLog}.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditEvents {

  private AuditEvents() {}

  /**
   * The audit event for one module event.
   *
   * @param type the event name (a {@link Action} vocabulary name)
   * @param subject who the event is about: the account (authn), the keyring (crypto), the
   *     attributed actor (lifecycle); empty when unknown
   * @param occurredAt when it happened
   * @param source the client address, if the module had one
   * @param details the module's non-secret details
   * @throws IllegalArgumentException if the name is not in the vocabulary or a detail is refused
   */
  public static AuditEvent toAuditEvent(
      String type, Optional<String> subject, Instant occurredAt, Optional<String> source, Map<String, String> details) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(details, "details");
    Action action = Action.of(type);
    String name = action.name();
    Map<String, String> rest = new TreeMap<>(details);
    String reason = rest.remove("reason");
    Actor actor;
    Target target = null;
    if (name.startsWith("crypto_")) {
      actor = Actor.system("bulwark-crypto");
      target = subject.map(k -> new Target("keyring", k)).orElse(null);
    } else {
      String factor = rest.get("factor");
      actor = subject.filter(s -> !s.isBlank())
          .map(s -> Actor.user(s, factor))
          .orElseGet(() -> new Actor(ActorType.ANONYMOUS, "anonymous", factor, null));
    }
    return new AuditEvent(UUID.randomUUID(), occurredAt, action, actor, null, target, outcome(name), reason,
        severity(name), null, source.map(ip -> new Source(ip, null, null, null)).orElse(Source.NONE), rest);
  }

  /** How an event ended, by its name. */
  static Outcome outcome(String name) {
    switch (name) {
      case "authz_stepup_required":
      case "authz_grant_denied":
      case "session_limit_rejected":
      case "lifecycle_purge_guard_tripped":
      case "lifecycle_erasure_refused":
        return Outcome.DENIED;
      case "lifecycle_purge_run_failed":
      case "lifecycle_purge_row_failed":
        return Outcome.ERROR;
      case "authn_login_lock":
      case "authn_token_reuse":
      case "authn_token_invalid":
      case "authn_webauthn_counter_regression":
      case "session_use_after_expire":
        return Outcome.FAILURE;
      default:
        return name.endsWith("_fail") ? Outcome.FAILURE : Outcome.SUCCESS;
    }
  }

  /** How urgent an event is, by its name. */
  static Severity severity(String name) {
    switch (name) {
      case "authn_login_lock":
      case "authn_token_reuse":
      case "authn_webauthn_counter_regression":
      case "session_use_after_expire":
      case "lifecycle_purge_guard_tripped":
      case "lifecycle_purge_run_failed":
      case "lifecycle_purge_row_failed":
      case "lifecycle_watermark_reset":
      case "crypto_key_destroyed":
      case "crypto_scope_shredded":
        return Severity.WARN;
      default:
        return Severity.INFO;
    }
  }
}
