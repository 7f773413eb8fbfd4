package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What happened, named with the OWASP Logging Vocabulary (e.g. {@code authn_login_fail},
 * {@code authz_change}, {@code sensitive_read}) plus Bulwark's own {@code audit_*} events and
 * every event name the other Bulwark modules emit (authn's {@code SecurityEventType}, crypto's
 * {@code KeyEvent} types, lifecycle's {@code LifecycleEvent.name()}), so their events are accepted
 * as they are, without {@code allowCustomActions} (see {@link AuditEvents}).
 *
 * <p>Use the constants or {@link #of(String)}, which accepts vocabulary names only. A name
 * outside the vocabulary needs {@link #custom(String)} <em>and</em> an {@link AuditLog} built
 * with {@code allowCustomActions(true)}: free-form action names are how audit trails become
 * unsearchable, so they are an explicit opt-in.
 *
 * @param name the action name, lower case
 * @param custom true when the name is outside the vocabulary
 */
public record Action(String name, boolean custom) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_:.-]{0,63}");

  public static final Action AUTHN_LOGIN_SUCCESS = new Action("authn_login_success", false);
  public static final Action AUTHN_LOGIN_SUCCESSAFTERFAIL = new Action("authn_login_successafterfail", false);
  public static final Action AUTHN_LOGIN_FAIL = new Action("authn_login_fail", false);
  public static final Action AUTHN_LOGIN_FAIL_MAX = new Action("authn_login_fail_max", false);
  public static final Action AUTHN_LOGIN_LOCK = new Action("authn_login_lock", false);
  public static final Action AUTHN_PASSWORD_CHANGE = new Action("authn_password_change", false);
  public static final Action AUTHN_PASSWORD_CHANGE_FAIL = new Action("authn_password_change_fail", false);
  public static final Action AUTHN_IMPOSSIBLE_TRAVEL = new Action("authn_impossible_travel", false);
  public static final Action AUTHN_TOKEN_CREATED = new Action("authn_token_created", false);
  public static final Action AUTHN_TOKEN_REVOKED = new Action("authn_token_revoked", false);
  public static final Action AUTHN_TOKEN_REUSE = new Action("authn_token_reuse", false);
  public static final Action AUTHN_TOKEN_DELETE = new Action("authn_token_delete", false);
  public static final Action AUTHZ_FAIL = new Action("authz_fail", false);
  public static final Action AUTHZ_CHANGE = new Action("authz_change", false);
  public static final Action AUTHZ_ADMIN = new Action("authz_admin", false);
  public static final Action EXCESS_RATE_LIMIT_EXCEEDED = new Action("excess_rate_limit_exceeded", false);
  public static final Action UPLOAD_COMPLETE = new Action("upload_complete", false);
  public static final Action UPLOAD_STORED = new Action("upload_stored", false);
  public static final Action UPLOAD_VALIDATION = new Action("upload_validation", false);
  public static final Action UPLOAD_DELETE = new Action("upload_delete", false);
  public static final Action INPUT_VALIDATION_FAIL = new Action("input_validation_fail", false);
  public static final Action MALICIOUS_EXCESS_404 = new Action("malicious_excess_404", false);
  public static final Action MALICIOUS_EXTRANEOUS = new Action("malicious_extraneous", false);
  public static final Action MALICIOUS_ATTACK_TOOL = new Action("malicious_attack_tool", false);
  public static final Action MALICIOUS_CORS = new Action("malicious_cors", false);
  public static final Action MALICIOUS_DIRECT_REFERENCE = new Action("malicious_direct_reference", false);
  public static final Action PRIVILEGE_PERMISSIONS_CHANGED = new Action("privilege_permissions_changed", false);
  public static final Action SENSITIVE_CREATE = new Action("sensitive_create", false);
  public static final Action SENSITIVE_READ = new Action("sensitive_read", false);
  public static final Action SENSITIVE_UPDATE = new Action("sensitive_update", false);
  public static final Action SENSITIVE_DELETE = new Action("sensitive_delete", false);
  public static final Action SEQUENCE_FAIL = new Action("sequence_fail", false);
  public static final Action SESSION_CREATED = new Action("session_created", false);
  public static final Action SESSION_RENEWED = new Action("session_renewed", false);
  public static final Action SESSION_EXPIRED = new Action("session_expired", false);
  public static final Action SESSION_USE_AFTER_EXPIRE = new Action("session_use_after_expire", false);
  public static final Action SYS_STARTUP = new Action("sys_startup", false);
  public static final Action SYS_SHUTDOWN = new Action("sys_shutdown", false);
  public static final Action SYS_RESTART = new Action("sys_restart", false);
  public static final Action SYS_CRASH = new Action("sys_crash", false);
  public static final Action SYS_MONITOR_DISABLED = new Action("sys_monitor_disabled", false);
  public static final Action SYS_MONITOR_ENABLED = new Action("sys_monitor_enabled", false);
  public static final Action USER_CREATED = new Action("user_created", false);
  public static final Action USER_UPDATED = new Action("user_updated", false);
  public static final Action USER_ARCHIVED = new Action("user_archived", false);
  public static final Action USER_DELETED = new Action("user_deleted", false);

  // Bulwark's own events about the log itself.
  public static final Action AUDIT_LOG_PRUNED = new Action("audit_log_pruned", false);
  public static final Action AUDIT_LOG_RECOVERED = new Action("audit_log_recovered", false);
  public static final Action AUDIT_KEY_ROTATED = new Action("audit_key_rotated", false);
  public static final Action AUDIT_LEGAL_HOLD_SET = new Action("audit_legal_hold_set", false);
  public static final Action AUDIT_LEGAL_HOLD_RELEASED = new Action("audit_legal_hold_released", false);

  // Events bulwark-authn emits (SecurityEventType) that the OWASP vocabulary has no name for.
  public static final Action AUTHN_LOGIN_UNLOCK = new Action("authn_login_unlock", false);
  public static final Action AUTHN_MFA_ENROLLED = new Action("authn_mfa_enrolled", false);
  public static final Action AUTHN_MFA_REMOVED = new Action("authn_mfa_removed", false);
  public static final Action AUTHN_MFA_FAIL = new Action("authn_mfa_fail", false);
  public static final Action AUTHN_RECOVERY_CODE_USED = new Action("authn_recovery_code_used", false);
  public static final Action AUTHN_RECOVERY_CODES_REGENERATED = new Action("authn_recovery_codes_regenerated", false);
  public static final Action AUTHN_TOKEN_INVALID = new Action("authn_token_invalid", false);
  public static final Action AUTHN_WEBAUTHN_REGISTERED = new Action("authn_webauthn_registered", false);
  public static final Action AUTHN_WEBAUTHN_COUNTER_REGRESSION = new Action("authn_webauthn_counter_regression", false);
  public static final Action SESSION_REVOKED = new Action("session_revoked", false);
  public static final Action SESSION_LIMIT_EVICTED = new Action("session_limit_evicted", false);
  public static final Action SESSION_LIMIT_REJECTED = new Action("session_limit_rejected", false);
  public static final Action AUTHZ_STEPUP_REQUIRED = new Action("authz_stepup_required", false);
  public static final Action AUTHZ_GRANT_REQUESTED = new Action("authz_grant_requested", false);
  public static final Action AUTHZ_GRANT_APPROVED = new Action("authz_grant_approved", false);
  public static final Action AUTHZ_GRANT_DENIED = new Action("authz_grant_denied", false);
  public static final Action AUTHZ_GRANT_REVOKED = new Action("authz_grant_revoked", false);
  public static final Action AUTHZ_GRANT_EXPIRED = new Action("authz_grant_expired", false);

  // Events bulwark-crypto emits (KeyEvent) about keyrings and key versions.
  public static final Action CRYPTO_KEYRING_CREATED = new Action("crypto_keyring_created", false);
  public static final Action CRYPTO_KEY_ROTATED = new Action("crypto_key_rotated", false);
  public static final Action CRYPTO_KEY_DISABLED = new Action("crypto_key_disabled", false);
  public static final Action CRYPTO_KEY_ENABLED = new Action("crypto_key_enabled", false);
  public static final Action CRYPTO_KEY_DESTROYED = new Action("crypto_key_destroyed", false);
  public static final Action CRYPTO_MIN_VERSION_CHANGED = new Action("crypto_min_version_changed", false);
  public static final Action CRYPTO_SCOPE_SHREDDED = new Action("crypto_scope_shredded", false);

  // Events bulwark-lifecycle emits (LifecycleEvent.name()).
  public static final Action LIFECYCLE_POLICY_CHANGED = new Action("lifecycle_policy_changed", false);
  public static final Action LIFECYCLE_POLICY_OVERRIDDEN = new Action("lifecycle_policy_overridden", false);
  public static final Action LIFECYCLE_DEADLINES_REEVALUATED = new Action("lifecycle_deadlines_reevaluated", false);
  public static final Action LIFECYCLE_SOFT_DELETED = new Action("lifecycle_soft_deleted", false);
  public static final Action LIFECYCLE_RESTORED = new Action("lifecycle_restored", false);
  public static final Action LIFECYCLE_HOLD_PLACED = new Action("lifecycle_hold_placed", false);
  public static final Action LIFECYCLE_HOLD_RELEASED = new Action("lifecycle_hold_released", false);
  public static final Action LIFECYCLE_RECORDS_PURGED = new Action("lifecycle_records_purged", false);
  public static final Action LIFECYCLE_RECORDS_ANONYMISED = new Action("lifecycle_records_anonymised", false);
  public static final Action LIFECYCLE_RECORDS_ARCHIVED = new Action("lifecycle_records_archived", false);
  public static final Action LIFECYCLE_PURGE_GUARD_TRIPPED = new Action("lifecycle_purge_guard_tripped", false);
  public static final Action LIFECYCLE_PURGE_CONFIRMED = new Action("lifecycle_purge_confirmed", false);
  public static final Action LIFECYCLE_PURGE_RUN_COMPLETED = new Action("lifecycle_purge_run_completed", false);
  public static final Action LIFECYCLE_PURGE_RUN_FAILED = new Action("lifecycle_purge_run_failed", false);
  public static final Action LIFECYCLE_KEY_SHREDDED = new Action("lifecycle_key_shredded", false);
  public static final Action LIFECYCLE_ERASURE_REFUSED = new Action("lifecycle_erasure_refused", false);
  public static final Action LIFECYCLE_PURGE_ROW_FAILED = new Action("lifecycle_purge_row_failed", false);
  public static final Action LIFECYCLE_WATERMARK_RESET = new Action("lifecycle_watermark_reset", false);

  private static final Map<String, Action> VOCABULARY =
      List.of(AUTHN_LOGIN_SUCCESS, AUTHN_LOGIN_SUCCESSAFTERFAIL, AUTHN_LOGIN_FAIL, AUTHN_LOGIN_FAIL_MAX, AUTHN_LOGIN_LOCK, AUTHN_PASSWORD_CHANGE, AUTHN_PASSWORD_CHANGE_FAIL, AUTHN_IMPOSSIBLE_TRAVEL, AUTHN_TOKEN_CREATED, AUTHN_TOKEN_REVOKED, AUTHN_TOKEN_REUSE, AUTHN_TOKEN_DELETE, AUTHZ_FAIL, AUTHZ_CHANGE, AUTHZ_ADMIN, EXCESS_RATE_LIMIT_EXCEEDED, UPLOAD_COMPLETE, UPLOAD_STORED, UPLOAD_VALIDATION, UPLOAD_DELETE, INPUT_VALIDATION_FAIL, MALICIOUS_EXCESS_404, MALICIOUS_EXTRANEOUS, MALICIOUS_ATTACK_TOOL, MALICIOUS_CORS, MALICIOUS_DIRECT_REFERENCE, PRIVILEGE_PERMISSIONS_CHANGED, SENSITIVE_CREATE, SENSITIVE_READ, SENSITIVE_UPDATE, SENSITIVE_DELETE, SEQUENCE_FAIL, SESSION_CREATED, SESSION_RENEWED, SESSION_EXPIRED, SESSION_USE_AFTER_EXPIRE, SYS_STARTUP, SYS_SHUTDOWN, SYS_RESTART, SYS_CRASH, SYS_MONITOR_DISABLED, SYS_MONITOR_ENABLED, USER_CREATED, USER_UPDATED, USER_ARCHIVED, USER_DELETED, AUDIT_LOG_PRUNED, AUDIT_LOG_RECOVERED, AUDIT_KEY_ROTATED, AUDIT_LEGAL_HOLD_SET, AUDIT_LEGAL_HOLD_RELEASED,
          AUTHN_LOGIN_UNLOCK, AUTHN_MFA_ENROLLED, AUTHN_MFA_REMOVED, AUTHN_MFA_FAIL, AUTHN_RECOVERY_CODE_USED, AUTHN_RECOVERY_CODES_REGENERATED, AUTHN_TOKEN_INVALID, AUTHN_WEBAUTHN_REGISTERED, AUTHN_WEBAUTHN_COUNTER_REGRESSION, SESSION_REVOKED, SESSION_LIMIT_EVICTED, SESSION_LIMIT_REJECTED, AUTHZ_STEPUP_REQUIRED, AUTHZ_GRANT_REQUESTED, AUTHZ_GRANT_APPROVED, AUTHZ_GRANT_DENIED, AUTHZ_GRANT_REVOKED, AUTHZ_GRANT_EXPIRED, CRYPTO_KEYRING_CREATED, CRYPTO_KEY_ROTATED, CRYPTO_KEY_DISABLED, CRYPTO_KEY_ENABLED, CRYPTO_KEY_DESTROYED, CRYPTO_MIN_VERSION_CHANGED, CRYPTO_SCOPE_SHREDDED, LIFECYCLE_POLICY_CHANGED, LIFECYCLE_POLICY_OVERRIDDEN, LIFECYCLE_DEADLINES_REEVALUATED, LIFECYCLE_SOFT_DELETED, LIFECYCLE_RESTORED, LIFECYCLE_HOLD_PLACED, LIFECYCLE_HOLD_RELEASED, LIFECYCLE_RECORDS_PURGED, LIFECYCLE_RECORDS_ANONYMISED, LIFECYCLE_RECORDS_ARCHIVED, LIFECYCLE_PURGE_GUARD_TRIPPED, LIFECYCLE_PURGE_CONFIRMED, LIFECYCLE_PURGE_RUN_COMPLETED, LIFECYCLE_PURGE_RUN_FAILED, LIFECYCLE_KEY_SHREDDED, LIFECYCLE_ERASURE_REFUSED, LIFECYCLE_PURGE_ROW_FAILED, LIFECYCLE_WATERMARK_RESET).stream()
          .collect(Collectors.toUnmodifiableMap(Action::name, Function.identity()));

  public Action {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("action names match [a-z][a-z0-9_:.-]{0,63}: " + Text.clean(name, 70));
    }
  }

  /**
   * The vocabulary action called {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is not in the vocabulary
   */
  public static Action of(String name) {
    Action a = VOCABULARY.get(name);
    if (a == null) {
      throw new IllegalArgumentException(
          "not an OWASP logging vocabulary action (use Action.custom and allowCustomActions): "
              + Text.clean(String.valueOf(name), 64));
    }
    return a;
  }

  /** A free-form action; accepted only by a log built with {@code allowCustomActions(true)}. */
  public static Action custom(String name) {
    Action known = VOCABULARY.get(name);
    return known != null ? known : new Action(name, true);
  }

  /** Whether {@code name} is in the built-in vocabulary. */
  public static boolean isVocabulary(String name) {
    return VOCABULARY.containsKey(name);
  }
}
