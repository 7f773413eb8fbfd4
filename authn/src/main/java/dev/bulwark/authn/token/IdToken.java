package dev.bulwark.authn.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated OIDC ID token.
 *
 * @param subject {@code sub}: the user's stable id at the identity provider
 * @param issuer {@code iss}
 * @param audience {@code aud}
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param authTime {@code auth_time}, when the provider authenticated the user, if sent
 * @param claims all claims, for provider-specific ones ({@code email}, {@code acr}, {@code amr})
 */
public record IdToken(
    String subject, String issuer, List<String> audience, Instant issuedAt, Instant expiresAt,
    Optional<Instant> authTime, JWTClaimsSet claims) {
  public IdToken {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    audience = List.copyOf(audience);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(authTime, "authTime");
    Objects.requireNonNull(claims, "claims");
  }
}
