package dev.bulwark.detect;

/** The attack a finding points at; used to group findings and to measure precision and recall. */
public enum Detection {
  BRUTE_FORCE, PASSWORD_SPRAYING, CREDENTIAL_STUFFING, NEW_CONTEXT, IMPOSSIBLE_TRAVEL, MFA_FATIGUE, SESSION_THEFT,
  SIGNUP_ABUSE, DETECTOR_ERROR
}
