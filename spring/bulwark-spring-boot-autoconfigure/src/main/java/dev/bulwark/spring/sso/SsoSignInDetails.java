package dev.bulwark.spring.sso;

import dev.bulwark.sso.Protocol;
import java.io.Serializable;
import java.util.Objects;

/**
 * The details of a {@code BulwarkAuthentication} created by single sign-on: which registration,
 * protocol and identity provider, and the subject it vouched for. Nothing secret (no token).
 */
public record SsoSignInDetails(String registrationId, Protocol protocol, String issuer, String subject)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public SsoSignInDetails {
    Objects.requireNonNull(registrationId, "registrationId");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
  }
}
