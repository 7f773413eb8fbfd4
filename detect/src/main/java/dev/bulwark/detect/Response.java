package dev.bulwark.detect;

/** What the host does about an event; the host chooses per {@link RiskLevel} ({@link ResponsePolicy}). */
public enum Response {
  /** Let it through. */
  ALLOW,
  /** Ask for a second factor or re-authentication (the default for MEDIUM and HIGH: it stops an attacker without locking the user out). */
  STEP_UP,
  /** Refuse the request (not the account: the next request is assessed again). */
  DENY,
  /** Let it through and tell someone (the user, the security team). */
  NOTIFY
}
