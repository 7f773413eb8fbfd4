package dev.bulwark.authn.token;

import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * @param claims all claims as parsed from the token's JSON (strings, numbers, booleans, lists and
 *     maps; times as epoch seconds), for provider-specific ones ({@code email}, {@code acr},
 *     {@code amr}); unmodifiable
 */
public record IdToken(
    String subject, String issuer, List<String> audience, Instant issuedAt, Instant expiresAt,
    Optional<Instant> authTime, Map<String, Object> claims) {
  public IdToken {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    audience = List.copyOf(audience);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(authTime, "authTime");
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }
}
