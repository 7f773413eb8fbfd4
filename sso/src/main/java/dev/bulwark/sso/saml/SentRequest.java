package dev.bulwark.sso.saml;

import java.time.Instant;
import java.util.Objects;

/**
 * What a host remembers about a request it sent (in the user's session, bound to the browser):
 * the response must answer exactly this request. Not secret.
 *
 * @param id the request's {@code ID}, which the response must name in {@code InResponseTo}
 * @param issuedAt when the request was made
 */
public record SentRequest(String id, Instant issuedAt) {
  public SentRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuedAt, "issuedAt");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
  }
}
