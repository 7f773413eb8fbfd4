package dev.bulwark.sso;

/** The single sign-on protocol a {@link VerifiedIdentity} came through. */
public enum Protocol {
  SAML2,
  OIDC
}
