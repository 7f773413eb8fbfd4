package dev.bulwark.sso;

/**
 * How strongly the identity provider says it authenticated the user, on the NIST SP 800-63B
 * authenticator assurance scale. The names match {@code dev.bulwark.authn.AssuranceLevel} so a
 * host maps one to the other by name.
 */
public enum SsoAssuranceLevel {
  /** One factor (a password) or nothing the identity provider would vouch for. */
  AAL1,
  /** Two factors. */
  AAL2,
  /** Two factors, one of them a phishing-resistant hardware authenticator. */
  AAL3;

  /** True when this level is at least {@code required}. */
  public boolean satisfies(SsoAssuranceLevel required) {
    return compareTo(required) >= 0;
  }
}
