package dev.bulwark.authn;

/**
 * Event names used in {@link SecurityEvent#type()}, following the OWASP Application Logging
 * Vocabulary where it has a name and its style where it does not. Every name here is also in
 * {@code bulwark-audit}'s {@code Action} vocabulary (a new one must be added there too; testkit's
 * {@code EveryModuleEventReachesAuditLogTest} fails until it is). {@link #PASSWORD_CHANGE} and
 * {@link #SESSION_EXPIRED} are for the host to emit.
 */
public final class SecurityEventType {

  private SecurityEventType() {}

  public static final String LOGIN_SUCCESS = "authn_login_success";
  public static final String LOGIN_SUCCESS_AFTER_FAIL = "authn_login_successafterfail";
  public static final String LOGIN_FAIL = "authn_login_fail";
  public static final String LOGIN_LOCK = "authn_login_lock";
  public static final String LOGIN_UNLOCK = "authn_login_unlock";
  public static final String PASSWORD_CHANGE = "authn_password_change";
  public static final String MFA_ENROLLED = "authn_mfa_enrolled";
  public static final String MFA_REMOVED = "authn_mfa_removed";
  public static final String MFA_FAIL = "authn_mfa_fail";
  public static final String RECOVERY_CODE_USED = "authn_recovery_code_used";
  public static final String RECOVERY_CODES_REGENERATED = "authn_recovery_codes_regenerated";
  public static final String TOKEN_REUSE = "authn_token_reuse";
  public static final String TOKEN_INVALID = "authn_token_invalid";
  public static final String WEBAUTHN_REGISTERED = "authn_webauthn_registered";
  public static final String WEBAUTHN_COUNTER_REGRESSION = "authn_webauthn_counter_regression";
  public static final String SESSION_CREATED = "session_created";
  public static final String SESSION_RENEWED = "session_renewed";
  public static final String SESSION_EXPIRED = "session_expired";
  public static final String SESSION_REVOKED = "session_revoked";
  public static final String SESSION_USE_AFTER_EXPIRE = "session_use_after_expire";
  public static final String SESSION_LIMIT_EVICTED = "session_limit_evicted";
  public static final String SESSION_LIMIT_REJECTED = "session_limit_rejected";
  public static final String STEP_UP_REQUIRED = "authz_stepup_required";
  public static final String GRANT_REQUESTED = "authz_grant_requested";
  public static final String GRANT_APPROVED = "authz_grant_approved";
  public static final String GRANT_DENIED = "authz_grant_denied";
  public static final String GRANT_REVOKED = "authz_grant_revoked";
  public static final String GRANT_EXPIRED = "authz_grant_expired";
}
