package dev.bulwark.detect;

/** What a security event reports. The host maps its own events (authn's, sso's, ratelimit's) onto these. */
public enum EventKind {
  /** A first factor (password, passkey) succeeded and a session is being created. */
  LOGIN_SUCCESS,
  /** A first factor failed (wrong password, unknown account: the host need not tell them apart). */
  LOGIN_FAILURE,
  /** A second factor was requested: a push sent, a code sent by SMS or e-mail. */
  MFA_CHALLENGE,
  /** A second factor was approved or a code accepted. */
  MFA_SUCCESS,
  /** A second factor was denied, timed out or a code was wrong. */
  MFA_FAILURE,
  /** An existing session token was presented. */
  SESSION_USE,
  /** An account was created. */
  SIGNUP
}
