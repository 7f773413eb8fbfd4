package dev.bulwark.authn;

/**
 * Authenticator assurance levels of NIST SP 800-63B (rev. 4). A login result, a session and a
 * step-up requirement all speak in these terms.
 *
 * <ul>
 *   <li>{@link #AAL1}: one factor (a password alone, or a single-factor authenticator).
 *   <li>{@link #AAL2}: two distinct factors, e.g. password + TOTP, or a passkey with user
 *       verification.
 *   <li>{@link #AAL3}: a phishing-resistant, hardware-bound authenticator (a FIDO2 security key
 *       with user verification) plus a second factor or built-in verification.
 * </ul>
 */
public enum AssuranceLevel {
  AAL1,
  AAL2,
  AAL3;

  /** True when this level is at least {@code required}. */
  public boolean satisfies(AssuranceLevel required) {
    return compareTo(required) >= 0;
  }
}
