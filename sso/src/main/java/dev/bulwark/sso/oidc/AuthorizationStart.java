package dev.bulwark.sso.oidc;

import java.net.URI;
import java.util.Objects;

/** Where to send the browser ({@link #location()}) and what to remember ({@link #pending()}). */
public record AuthorizationStart(URI location, PendingAuthorization pending) {
  public AuthorizationStart {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(pending, "pending");
  }
}
