package dev.bulwark.authn.session;

/** What happens when a user who already has the maximum number of sessions logs in again. */
public enum LimitAction {
  /** The new login gets no session ({@link SessionException.Reason#LIMIT_REACHED}). */
  REJECT_NEW,
  /** The user's oldest live sessions are revoked to make room for the new one. */
  EVICT_OLDEST
}
