package dev.bulwark.authn.token;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a validated session JWT says.
 *
 * @param userId {@code sub}
 * @param sessionId {@code sid}: the server-side session this token was cut from
 * @param level {@code acr} as an assurance level
 * @param factors {@code amr}
 * @param authTime {@code auth_time}
 * @param expiresAt {@code exp}
 * @param keyId the {@code kid} that signed it
 */
public record SessionClaims(
    String userId, String sessionId, AssuranceLevel level, Set<Factor> factors, Instant authTime, Instant expiresAt,
    String keyId) {
  public SessionClaims {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(level, "level");
    factors = factors.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(factors));
    Objects.requireNonNull(authTime, "authTime");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(keyId, "keyId");
  }
}
